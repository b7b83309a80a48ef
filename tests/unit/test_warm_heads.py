"""An incremental update's warm-started head moves to the optimum of the rows with the new cases."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from triage.pipeline.classify import _fit_lr, _warm_lr


def test_a_warm_started_head_moves_to_the_optimum_of_the_new_rows() -> None:
    rng = np.random.default_rng(3)
    centres = rng.standard_normal((4, 40))
    y = rng.integers(0, 4, 600)
    x = sparse.csr_matrix(centres[y] + 1.5 * rng.standard_normal((600, 40)))
    labels = np.array(["a", "b", "c", "d"], dtype=object)[y]
    previous = _fit_lr(x[:590], labels[:590])  # fitted before ten cases were added
    warm = _warm_lr(previous, x, labels)
    exact = LogisticRegression(C=8.0, max_iter=2000, tol=1e-10).fit(x, labels)
    assert list(warm.classes_) == list(exact.classes_)
    # it moved (at the default tolerance L-BFGS returned the previous head untouched) ...
    assert np.abs(warm.coef_ - previous.coef_).max() > 0.05
    # ... to the optimum of all 600 rows, far closer than the previous head is
    assert np.abs(warm.coef_ - exact.coef_).max() < 0.01 < np.abs(previous.coef_ - exact.coef_).max()
    assert warm.n_iter_[0] < exact.n_iter_[0]
