"""The multinomial head's regularisation is chosen on the memory (`_choose_c`), not fixed.

Synthetic features with a known truth, so the test controls how noisy a memory is: a clean, separable memory
keeps the weakest regularisation the grid allows (the old constant: see `C_GRID` for why the grid stops there), a
memory of noisy labels over many uninformative features chooses a strong one (a small C). The risk head keeps the
constant (`FIXED_C_LABELS`).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from tests.conftest import labelled_store
from triage.pipeline.classify import C_GRID, DEFAULT_C, LocalClassifier, _choose_c, _expand, _fit_lr


def _memory(n: int, *, informative: int, noise_dims: int, flip: float, seed: int
            ) -> tuple[sparse.csr_matrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, informative + noise_dims))
    w = rng.standard_normal((3, informative))
    y = np.array(["a", "b", "c"])[np.argmax(x[:, :informative] @ w.T, axis=1)]
    flipped = rng.random(n) < flip
    y[flipped] = rng.choice(["a", "b", "c"], size=int(flipped.sum()))
    return sparse.csr_matrix(x.astype(np.float32)), y


def test_a_clean_separable_memory_keeps_the_weakest_regularisation_allowed() -> None:
    x, y = _memory(900, informative=8, noise_dims=0, flip=0.0, seed=1)
    assert _choose_c(x, y, None, seed=7) == max(C_GRID) == DEFAULT_C


def test_a_noisy_memory_with_many_uninformative_features_chooses_strong_regularisation() -> None:
    x, y = _memory(300, informative=3, noise_dims=300, flip=0.5, seed=2)
    chosen = _choose_c(x, y, None, seed=7)
    assert chosen <= 1.0, chosen
    # and the choice is right on fresh data from the same source: its held-out log-loss beats the old constant's
    x_new, y_new = _memory(3000, informative=3, noise_dims=300, flip=0.5, seed=2)
    x_new, y_new = x_new[300:], y_new[300:]  # the same generator: the first 300 rows are the memory itself

    def loss(c: float) -> float:
        model = _fit_lr(x, y, reg_c=c)
        p = model.predict_proba(x_new)
        truth = np.searchsorted(model.classes_, y_new)
        return float(-np.mean(np.log(p[np.arange(len(y_new)), truth])))

    assert loss(chosen) < loss(DEFAULT_C)


def test_a_memory_too_small_to_search_keeps_the_default() -> None:
    x, y = _memory(20, informative=3, noise_dims=0, flip=0.0, seed=3)
    assert _choose_c(x, y, None, seed=7) == DEFAULT_C


def test_secondary_category_rows_stay_in_their_cases_fold() -> None:
    """With `also`, the search still runs (expanded rows weighted) and returns a grid value."""
    x, y = _memory(300, informative=6, noise_dims=10, flip=0.1, seed=4)
    also = [["b"] if v == "a" and i % 5 == 0 else [] for i, v in enumerate(y)]
    rows, _, weights = _expand(np.arange(len(y)), y, also)
    assert weights is not None and len(rows) > len(y)
    assert _choose_c(x, y, also, seed=7) in C_GRID


def test_the_classifier_chooses_the_category_heads_c_on_its_memory_and_keeps_the_risk_heads() -> None:
    """Real parts: the edge store and the local classifier. A memory whose categories are noisy over many
    uninformative dimensions: the category head is fitted with the chosen (stronger) regularisation, the risk head
    (the same labels as risk levels) with the constant."""
    x, y = _memory(300, informative=3, noise_dims=200, flip=0.5, seed=5)
    store = labelled_store(x, y)
    classifier = LocalClassifier(store, labels=("category", "risk"), seed=11)
    classifier.ensure_fitted()
    models = classifier._state[1]
    category, risk = models["category"].model, models["risk"].model
    assert category is not None and risk is not None
    assert category.C < DEFAULT_C, category.C
    assert risk.C == DEFAULT_C
