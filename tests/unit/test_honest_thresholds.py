"""Automation thresholds are chosen on honest evidence only (`_one_vs_rest(honest=...)`).

An embedder fine-tuned on the memory has seen most of its cases: their out-of-fold predictions are confident and
right, and a threshold chosen on them promises a precision that new tickets do not get. The cases it did not see
(its validation slice, later cases) are the honest evidence. Synthetic out-of-fold predictions, so the test
controls which rows are optimistic.
"""

from __future__ import annotations

import numpy as np

from triage.domain.cases import Case
from triage.pipeline.classify import _one_vs_rest, hash_ids, id_hashes

CLASSES = ["a", "b"]


def _oof(seen: int, unseen: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seen rows: predicted with confidence 0.95 and always right. Unseen rows: the same confidence, right half
    of the time. Returns (out-of-fold probabilities, gold, honest mask)."""
    rng = np.random.default_rng(seed)
    y = np.array(["a", "b"] * ((seen + unseen) // 2))
    top = y.copy()
    wrong = np.zeros(len(y), dtype=bool)
    wrong[seen:] = rng.random(unseen) < 0.5
    top[wrong] = np.where(y[wrong] == "a", "b", "a")
    p = np.where((top == "a")[:, None], [[0.95, 0.05]], [[0.05, 0.95]])
    honest = np.zeros(len(y), dtype=bool)
    honest[seen:] = True
    return p, y, honest


def test_seen_cases_alone_would_automate_and_the_honest_ones_do_not() -> None:
    p, y, honest = _oof(seen=200, unseen=60)
    _, _, optimistic, coverage = _one_vs_rest(p, y, CLASSES, 0.9)
    assert optimistic["a"] <= 0.95 and coverage["a"] > 0.3, (optimistic, coverage)  # 200 perfect rows carry it
    _, _, auto, _ = _one_vs_rest(p, y, CLASSES, 0.9, honest=honest)
    assert auto["a"] == float("inf") and auto["b"] == float("inf")  # 50% right: never automatic


def test_too_few_honest_cases_never_automate() -> None:
    p, y, _ = _oof(seen=200, unseen=0)
    honest = np.zeros(len(y), dtype=bool)
    honest[:6] = True  # six honest rows, all right: below the support a threshold needs
    _, _, auto, _ = _one_vs_rest(p, y, CLASSES, 0.9, honest=honest)
    assert auto == {"a": float("inf"), "b": float("inf")}
    _, _, without, _ = _one_vs_rest(p, y, CLASSES, 0.9)
    assert without["a"] < float("inf")  # the same rows, all counted: automatic


def test_case_hashes_are_the_id_hashes_the_fine_tune_records() -> None:
    cases = [Case(id=f"c{i}", key=f"k{i}", text="t", category="a", risk="low") for i in range(3)]
    assert id_hashes(cases).tolist() == hash_ids(["c0", "c1", "c2"]).tolist()
    assert len(set(hash_ids(["c0", "c1", "c2"]).tolist())) == 3


def test_the_temperature_is_fitted_on_the_honest_cases_when_there_are_enough() -> None:
    """Features that give the label away for the first 240 cases ("seen": an encoder trained on them separates
    them) and carry only a weak signal for the last 90 ("unseen"): the temperature fitted on the unseen cases
    alone is softer than the one fitted on all of them."""
    from scipy import sparse

    from triage.adapters.edge_store import EdgeCaseStore
    from triage.pipeline.classify import MIN_HONEST_CASES, LocalClassifier

    rng = np.random.default_rng(5)
    seen, unseen = 240, 90
    y = np.array(["a", "b", "c"] * ((seen + unseen) // 3))
    onehot = (y[:, None] == np.array(["a", "b", "c"])[None, :]).astype(np.float32)
    strength = np.where(np.arange(len(y)) < seen, 6.0, 0.4)[:, None]
    x = sparse.csr_matrix(onehot * strength + rng.standard_normal((len(y), 3)).astype(np.float32))
    honest = np.arange(len(y)) >= seen
    assert honest.sum() >= MIN_HONEST_CASES
    classifier = LocalClassifier(EdgeCaseStore.temporary(dimension=3, collection="t"), labels=("category",))
    neighbours: list[list[object]] = [[] for _ in y]
    _, t_all, _ = classifier._fit_mixture(x, neighbours, y, ["a", "b", "c"], "category")  # type: ignore[arg-type]
    _, t_honest, _ = classifier._fit_mixture(x, neighbours, y, ["a", "b", "c"], "category",  # type: ignore[arg-type]
                                             honest=honest)
    assert t_honest > t_all * 1.5, (t_all, t_honest)
    too_few = np.zeros(len(y), dtype=bool)
    too_few[-(MIN_HONEST_CASES - 1):] = True
    _, t_few, _ = classifier._fit_mixture(x, neighbours, y, ["a", "b", "c"], "category",  # type: ignore[arg-type]
                                          honest=too_few)
    assert t_few == t_all  # below the minimum: every case, as before
