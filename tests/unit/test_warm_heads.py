"""An incremental update's warm-started head moves to the optimum of the rows with the new cases."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from tests.conftest import labelled_store
from triage.pipeline.classify import HEAD_TOL, LocalClassifier, _fit_lr, _warm_lr


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


def _noisy_rows(n: int) -> tuple[sparse.csr_matrix, np.ndarray]:
    rng = np.random.default_rng(5)
    centres = rng.standard_normal((3, 60))
    y = rng.integers(0, 3, n)
    x = sparse.csr_matrix(centres[y] + 3.0 * rng.standard_normal((n, 60)))
    return x, np.array(["a", "b", "c"], dtype=object)[y]


def test_the_first_update_after_a_full_fit_starts_at_the_optimum_a_warm_fit_seeks() -> None:
    x, labels = _noisy_rows(2001)
    iterations = {}
    for name, tol in (("default", 1e-4), ("head", HEAD_TOL)):
        full = _fit_lr(x[:2000], labels[:2000], reg_c=1.0, tol=tol)  # `triage model train`
        first = _warm_lr(full, x, labels)  # one case added
        iterations[name] = (int(full.n_iter_[0]), int(first.n_iter_[0]))
    # a head left at scikit-learn's default tolerance makes the first update redo most of the full fit's work;
    # fitted at the warm fits' own tolerance, the first update is a short step like every later one
    (cold_default, first_after_default), (cold_head, first_after_head) = iterations["default"], iterations["head"]
    assert first_after_default > cold_default / 2
    assert first_after_head < first_after_default / 2
    assert cold_head > cold_default  # the price, paid once per full fit


def test_a_full_fit_leaves_its_heads_at_the_warm_fits_tolerance() -> None:
    """Real parts: the edge store and the local classifier; the heads a full fit leaves behind (the ones the
    incremental updates start from) were fitted at HEAD_TOL, not at the default."""
    x, labels = _noisy_rows(200)
    store = labelled_store(x, labels, prefix="w")
    try:
        classifier = LocalClassifier(store, labels=("category", "risk"), seed=11)
        classifier.ensure_fitted()
        heads = {label: model.model for label, model in classifier._state[1].items()}
        assert {label: head.tol for label, head in heads.items() if head is not None} == {
            "category": HEAD_TOL, "risk": HEAD_TOL}
    finally:
        store.close()
