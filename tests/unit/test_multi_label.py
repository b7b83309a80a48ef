"""A case can be several categories (`Case.also`): the one-vs-rest heads learn it (issue 12, multi-label evidence).

Real parts: the edge case store (a temporary one) and the local classifier; synthetic vectors, so the test
controls which cases are "both".
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from triage.adapters.edge_store import EdgeCaseStore
from triage.domain.cases import Case, case_id_for
from triage.pipeline.classify import LocalClassifier, _expand, _features, _fit_heads
from triage.pipeline.model_state import memory_signature
from triage.services.cases import FieldMap, row_to_case

DIM = 32


def _memory(with_also: bool) -> tuple[list[Case], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    centres = rng.standard_normal((3, DIM))
    cases, vectors = [], []

    def add(n: int, centre: np.ndarray, category: str, also: list[str], words: str) -> None:
        for i in range(n):
            v = centre + 0.35 * rng.standard_normal(DIM)
            key = f"{category}-{'+'.join(also)}-{i}"
            cases.append(Case(id=case_id_for(key), key=key, text=f"{words} number {i}", category=category,
                              also=also if with_also else [], risk="low"))
            vectors.append(v / np.linalg.norm(v))

    add(40, centres[0], "hate_speech", [], "slurs against a group")
    add(40, centres[1], "violent_threat", [], "I will hurt you")
    add(40, centres[2], "spam", [], "buy followers cheap")
    both = (centres[0] + centres[1]) / 2
    add(30, both, "hate_speech", ["violent_threat"], "slurs and I will hurt your group")
    query = both / np.linalg.norm(both)
    return cases, np.asarray(vectors, dtype=np.float32), query.astype(np.float32)


def _fitted(with_also: bool) -> tuple[LocalClassifier, np.ndarray]:
    cases, vectors, query = _memory(with_also)
    store = EdgeCaseStore.temporary(dimension=DIM, collection="t")
    store.upsert(cases, vectors)
    classifier = LocalClassifier(store, labels=("category",))
    classifier.ensure_fitted()
    return classifier, query


def test_secondary_categories_raise_their_one_vs_rest_probability_and_are_reported() -> None:
    text = "slurs and I will hurt your group number 99"
    single, query = _fitted(with_also=False)
    multi, _ = _fitted(with_also=True)
    p_single = single.predict(query, [], text)
    p_multi = multi.predict(query, [], text)
    assert p_multi.top("category")[0] == p_single.top("category")[0] == "hate_speech"
    assert p_multi.ovr["violent_threat"] > p_single.ovr["violent_threat"] + 0.2, (p_single.ovr, p_multi.ovr)
    assert "violent_threat" in p_multi.also
    # the category's one-vs-rest head (positive on the 30 cases that are also a threat) carries that evidence: the
    # stacked calibration, fitted out of fold, weighs it positively
    model = multi._state[1]["category"]
    assert set(model.head_classes) == {"hate_speech", "violent_threat", "spam"}
    assert model.stack["violent_threat"][2] > 0
    alone = single._state[1]["category"]
    assert model.head_scores(query)["violent_threat"] > alone.head_scores(query)["violent_threat"]


def test_expand_shares_a_case_between_its_categories_and_leaves_single_label_rows_alone() -> None:
    y = np.array(["a", "b", "a"], dtype=object)
    rows, labels, weights = _expand(np.arange(3), y, [[], ["c"], []])
    assert rows.tolist() == [0, 1, 1, 2] and labels.tolist() == ["a", "b", "c", "a"]
    assert weights is not None and weights.tolist() == [1.0, 1.0, 0.5, 1.0]  # the first category keeps its weight
    rows, labels, weights = _expand(np.arange(3), y, [[], [], []])
    assert rows.tolist() == [0, 1, 2] and weights is None  # the single-label fit, as before


def test_imported_rows_carry_secondary_categories_and_the_memory_digest_sees_them() -> None:
    case = row_to_case({"id": "1", "text": "t", "category": "hate_speech", "also": "violent_threat, hate_speech,"},
                       FieldMap(), source="import")
    assert case.also == ["violent_threat"]  # the primary category and blanks dropped
    listed = row_to_case({"id": "1", "text": "t", "category": "spam", "also": ["scam_fraud"]}, FieldMap(),
                         source="import")
    assert listed.also == ["scam_fraud"]
    plain = case.model_copy(update={"also": []})
    # a relabel of the secondary categories is a change of the memory; a single-label case keeps its old digest
    assert memory_signature([case]) != memory_signature([plain])
    assert memory_signature([plain]).digest == memory_signature([plain.model_copy()]).digest


def test_an_incremental_update_keeps_the_secondary_categories_in_the_head() -> None:
    cases, vectors, query = _memory(with_also=True)
    store = EdgeCaseStore.temporary(dimension=DIM, collection="t")
    store.upsert(cases, vectors)
    classifier = LocalClassifier(store, labels=("category",), background_refit=True, incremental_share=0.5,
                                 seed=3)  # a seed of its own: no fit shared with the other tests of this file
    classifier.ensure_fitted()  # the first fit is made before deciding, and keeps its training rows
    text = "slurs and I will hurt your group number 99"

    def threat_share() -> float:  # the multinomial head's own probability, before the vote and the temperature
        ngrams, models = classifier._state
        head = models["category"]
        return float(head.predict_proba(_features(query.reshape(1, -1), [text], ngrams))[0][
            head.classes.index("violent_threat")])

    before = threat_share()
    assert before > 0.2  # the 30 posts that are both put weight on the threat
    many = [Case(id=case_id_for(f"extra-{i}"), key=f"extra-{i}", text=f"buy followers cheap now {i}", category="spam",
                 risk="low") for i in range(5)]
    store.upsert(many, vectors[80:85])  # spam cases' vectors
    classifier.ensure_fitted()
    classifier.wait_for_refit(60)
    assert (classifier.updates, classifier.fits) == (1, 1)
    # the update refits on the same rows and weights as the full fit, secondary rows included; without them the
    # warm start would move the head to the single-label optimum, where the mixed posts are hate speech only
    assert abs(threat_share() - before) < 0.05, before


def test_a_category_a_case_says_nothing_about_is_left_out_of_that_head_and_not_counted_a_negative() -> None:
    """Partially labelled data (`Case.unknown`): 30 posts near the threatening-hate centre are labelled hateful, and
    nobody asked whether they threaten. Counted as non-threats they pull the threat head down exactly where the
    threatening hate is; left out, the head learns from the posts whose threat label is known."""
    cases, vectors, query = _memory(with_also=True)
    rng = np.random.default_rng(5)
    extra, extra_vectors = [], []
    for i in range(30):
        v = query + 0.35 * rng.standard_normal(DIM)
        extra.append(Case(id=case_id_for(f"unlabelled-{i}"), key=f"unlabelled-{i}", text=f"slurs and more {i}",
                          category="hate_speech", risk="low"))
        extra_vectors.append(v / np.linalg.norm(v))
    memory = np.vstack([vectors, np.asarray(extra_vectors, dtype=np.float32)])

    def fitted(unknown: list[str]) -> LocalClassifier:
        store = EdgeCaseStore.temporary(dimension=DIM, collection="t")
        store.upsert(cases + [c.model_copy(update={"unknown": unknown}) for c in extra], memory)
        classifier = LocalClassifier(store, labels=("category",))
        classifier.ensure_fitted()
        return classifier

    text = "slurs and I will hurt your group number 99"
    negatives = fitted([]).predict(query, [], text)
    left_out = fitted(["violent_threat"]).predict(query, [], text)
    def logit(p: float) -> float:
        return float(np.log(p / (1 - p)))

    # near 1 either way on this clean synthetic memory: compared as log-odds
    assert logit(left_out.ovr["violent_threat"]) > logit(negatives.ovr["violent_threat"]) + 2, (negatives.ovr,
                                                                                              left_out.ovr)
    assert abs(logit(left_out.ovr["hate_speech"]) - logit(negatives.ovr["hate_speech"])) < 0.5  # known: as before


def test_a_head_with_unknown_rows_is_the_head_of_the_known_rows() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((120, 8))
    t = (x[:, 0] + 0.3 * rng.standard_normal(120) > 0).astype(int)
    known = np.ones(120, dtype=bool)
    known[:30] = False
    t_noisy = t.copy()
    t_noisy[:30] = 0  # what an unknown label read as a negative would teach
    classes, w, b, oof = _fit_heads(x, {"c": t_noisy}, seed=0, known={"c": known})
    reference = LogisticRegression(max_iter=500).fit(x[known], t[known])
    assert classes == ["c"] and w is not None and b is not None
    assert np.allclose(w[0], reference.coef_[0]) and np.isclose(b[0], reference.intercept_[0])
    assert np.allclose(oof["c"][:30], reference.decision_function(x[:30]))  # scored by the head of the known rows
    plain = _fit_heads(x, {"c": t}, seed=0)
    assert np.allclose(plain[1][0], LogisticRegression(max_iter=500).fit(x, t).coef_[0])  # no mask: every row


def test_imported_unknown_categories_are_kept_apart_from_the_labels_and_change_the_memory_digest() -> None:
    case = row_to_case({"id": "1", "text": "t", "category": "hate_speech", "also": "harassment_bullying",
                        "unknown": "violent_threat, hate_speech, harassment_bullying"}, FieldMap(), source="import")
    assert case.unknown == ["violent_threat"]  # a category the row has is known
    plain = case.model_copy(update={"unknown": []})
    assert memory_signature([case]) != memory_signature([plain])
