"""An incremental update's warm-started head is the head a full fit of the same rows would give."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from triage.pipeline.classify import _fit_lr, _warm_lr


def test_a_warm_started_head_reaches_the_cold_fit_of_the_same_rows() -> None:
    rng = np.random.default_rng(3)
    centres = rng.standard_normal((4, 40))
    y = rng.integers(0, 4, 600)
    x = sparse.csr_matrix(centres[y] + 1.5 * rng.standard_normal((600, 40)))
    labels = np.array(["a", "b", "c", "d"], dtype=object)[y]
    previous = _fit_lr(x[:590], labels[:590])  # fitted before ten cases were added
    warm = _warm_lr(previous, x, labels)
    cold = _fit_lr(x, labels)
    assert list(warm.classes_) == list(cold.classes_)
    assert np.abs(warm.predict_proba(x) - cold.predict_proba(x)).max() < 0.01
    assert np.abs(warm.coef_ - previous.coef_).max() > 1e-3  # it moved: not the previous head returned as it was
    assert warm.n_iter_[0] < cold.n_iter_[0]  # and it got there in fewer iterations
