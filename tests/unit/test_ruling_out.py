"""Cases without a category (`Case.category is None`): partially labelled rows that only rule categories out.

A data set such as OpenAI's moderation samples labels some harms of a post and not others: "not violent, not
harassment, sexual content not asked". Such a row names no first category, but it is a known negative for the
categories it rules out. It teaches those one-vs-rest heads and nothing else: never a vote, never a similar case,
never a training example of the category model or the encoder, never a harmless case for the critical detector
while a critical category is left open.

Real parts: the edge case store (temporary) and the local classifier; synthetic vectors so the test controls
where the rows lie.
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from triage.adapters.edge_store import EdgeCaseStore
from triage.domain.cases import Case, case_id_for
from triage.pipeline.classify import LocalClassifier
from triage.pipeline.model_state import memory_signature
from triage.services.cases import FieldMap, row_to_case

from .test_multi_label import DIM, _memory

#: the categories a "not violent" row of the synthetic memory leaves open (it may be hateful, spam or harmless)
OPEN = ["hate_speech", "spam", "no_violation"]


def _ruling_out(n: int, centre: np.ndarray, unknown: list[str], seed: int = 5) -> tuple[list[Case], np.ndarray]:
    rng = np.random.default_rng(seed)
    cases, vectors = [], []
    for i in range(n):
        v = centre + 0.35 * rng.standard_normal(DIM)
        key = f"partial-{'+'.join(unknown)}-{i}"
        cases.append(Case(id=case_id_for(key), key=key, text=f"slurs against them, number {i}", unknown=unknown))
        vectors.append(v / np.linalg.norm(v))
    return cases, np.asarray(vectors, dtype=np.float32)


def _fitted(extra: list[Case], extra_vectors: np.ndarray) -> tuple[LocalClassifier, EdgeCaseStore, np.ndarray]:
    cases, vectors, query = _memory(with_also=True)
    store = EdgeCaseStore.temporary(dimension=DIM, collection="t")
    store.upsert(cases + extra, np.vstack([vectors, extra_vectors]) if len(extra) else vectors)
    classifier = LocalClassifier(store, labels=("category", "risk"))
    classifier.ensure_fitted()
    return classifier, store, query


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def test_a_case_that_rules_a_category_out_teaches_that_head_as_a_negative_and_nothing_else() -> None:
    """30 posts at the threatening-hate centre, each labelled "not a threat" and nothing more. They pull the threat
    head down exactly there; the category model, its counts and the vote never see them."""
    _, _, query = _memory(with_also=True)
    partial, partial_vectors = _ruling_out(30, query, OPEN)
    plain, plain_store, _ = _fitted([], np.zeros((0, DIM), np.float32))
    taught, store, _ = _fitted(partial, partial_vectors)
    text = "slurs and I will hurt your group number 99"
    before, after = plain.predict(query, [], text), taught.predict(query, [], text)
    assert _logit(after.ovr["violent_threat"]) < _logit(before.ovr["violent_threat"]) - 1, (before.ovr, after.ovr)

    plain_model, model = plain._state[1]["category"], taught._state[1]["category"]
    assert model.counts == plain_model.counts == {"hate_speech": 70, "spam": 40, "violent_threat": 40}
    assert taught._state[1]["risk"].counts == {"low": 150}  # no risk either: not a row of the risk model
    # the threat head moved; a head whose category the rows leave open is the head of the labelled rows alone
    threat, hate = model.head_classes.index("violent_threat"), model.head_classes.index("hate_speech")
    assert not np.allclose(model.head_w[threat], plain_model.head_w[threat])
    assert np.allclose(model.head_w[hate], plain_model.head_w[hate])
    # never a similar case: the store's search leaves them out, so the vote and the drafts never meet them
    assert store.count() == plain_store.count() + 30
    hits = store.search(query, limit=200)
    assert len(hits) == 150 and all(h.case.category is not None for h in hits)
    assert all(h.case.category is not None for hs in store.search_many(partial_vectors, limit=200) for h in hs)


def test_rows_that_leave_a_category_open_leave_its_head_as_it_was() -> None:
    _, _, query = _memory(with_also=True)
    partial, partial_vectors = _ruling_out(30, query, [*OPEN, "violent_threat"])  # ruled out: nothing in memory
    plain, _, _ = _fitted([], np.zeros((0, DIM), np.float32))
    taught, _, _ = _fitted(partial, partial_vectors)
    a, b = plain._state[1]["category"], taught._state[1]["category"]
    assert a.head_classes == b.head_classes
    assert b.head_w is not None and a.head_w is not None and np.allclose(a.head_w, b.head_w)


def test_a_row_without_a_category_is_imported_when_it_says_what_it_leaves_open() -> None:
    case = row_to_case({"id": "7", "text": "some post", "unknown": "sexual_content, hate_speech, no_violation"},
                       FieldMap(), source="import")
    assert case.category is None and case.risk is None and not case.labelled
    assert case.unknown == ["sexual_content", "hate_speech", "no_violation"]
    assert memory_signature([case]) != memory_signature([case.model_copy(update={"unknown": ["hate_speech"]})])
    with pytest.raises(ValueError, match="no category .*rules nothing out"):
        row_to_case({"id": "8", "text": "some post"}, FieldMap(), source="import")
    with pytest.raises(ValueError, match="no text"):
        row_to_case({"id": "9", "text": "", "category": "spam"}, FieldMap(), source="import")
    labelled = row_to_case({"id": "10", "text": "buy now", "category": "spam"}, FieldMap(), source="import")
    assert labelled.risk == "low" and labelled.labelled  # without the policy's floors: low, as before


def test_the_case_model_refuses_half_labelled_shapes() -> None:
    with pytest.raises(ValidationError, match="needs `unknown`"):
        Case(id="a", key="a", text="t")
    with pytest.raises(ValidationError, match="no secondary ones"):
        Case(id="a", key="a", text="t", also=["spam"], unknown=["hate_speech"])
    with pytest.raises(ValidationError, match="needs a risk"):
        Case(id="a", key="a", text="t", category="spam")


def test_a_labelled_row_without_a_risk_takes_its_categorys_floor() -> None:
    """Category labels alone (a partner's file, a public data set) must not teach the risk model that a
    child-safety report is low risk: a row without a risk takes the policy's floor of its category."""
    from triage.config import Settings
    from triage.domain.policy import load_policy

    floors = load_policy(Settings().policy_dir).floors
    assert floors["child_safety"] == "critical" and floors["spam"] == "low"
    child = row_to_case({"id": "c", "text": "an adult asks a 12-year-old for photos", "category": "child_safety"},
                        FieldMap(), source="import", floors=floors)
    assert child.risk == "critical"
    told = row_to_case({"id": "d", "text": "same, but the row says", "category": "child_safety", "risk": "high"},
                       FieldMap(), source="import", floors=floors)
    assert told.risk == "high"  # a row's own risk is kept (validation is `triage cases validate`'s job)
    assert row_to_case({"id": "e", "text": "a new label", "category": "not_in_policy"}, FieldMap(), source="import",
                       floors=floors).risk == "low"
