"""Metrics against values computed by hand on tiny fixtures, and against the formulas scikit-learn replaced."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from triage.evals.metrics import (
    average_precision,
    average_precision_resampled,
    binary_report,
    calibration,
    classification_report,
    coverage_curve,
    macro_f1,
    macro_f1_resampled,
    resample_weights,
    risk_recall,
    roc_auc,
    roc_auc_resampled,
    rouge_l,
)
from triage.evals.registry import find_metric
from triage.evals.samples import LabelSample
from triage.evals.suites import SuiteError, load_suite


def test_classification_report_matches_hand_computed_values() -> None:
    # a: tp 1 of 2 predicted, 2 gold -> P .5 R .5 F1 .5; b: tp 1 of 2 predicted, 1 gold -> P .5 R 1 F1 2/3
    # c: never predicted -> 0; macro-F1 = (.5 + 2/3 + 0) / 3
    rep = classification_report(["a", "a", "b", "c"], ["a", "b", "b", "a"])
    assert rep["accuracy"] == pytest.approx(0.5)
    assert rep["per_class"]["a"] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2})
    assert rep["per_class"]["b"]["f1"] == pytest.approx(2 / 3)
    assert rep["per_class"]["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert rep["macro_f1"] == pytest.approx((0.5 + 2 / 3) / 3)
    assert rep["confusion"] == {"labels": ["a", "b", "c"], "matrix": [[1, 1, 0], [0, 1, 0], [1, 0, 0]]}


def test_macro_f1_averages_over_gold_classes_and_counts_outside_predictions_as_errors() -> None:
    # a: P 1 R .5 F1 2/3; b: F1 1; x (predicted only) is listed but not averaged
    assert macro_f1(["a", "a", "b"], ["a", "x", "b"]) == pytest.approx((2 / 3 + 1) / 2)
    rep = classification_report(["a", "a", "b"], ["a", "x", "b"])
    assert rep["per_class"]["x"]["support"] == 0


def test_risk_recall_and_under_triage() -> None:
    order = ["critical", "high", "medium", "low"]
    gold = ["critical", "critical", "high", "high", "low"]
    pred = ["critical", "high", "medium", "critical", "low"]
    out = risk_recall(gold, pred, order)
    assert out["recall_critical"] == pytest.approx(0.5)
    assert out["recall_high"] == pytest.approx(0.0)
    # under-triaged: critical->high and high->medium; high->critical is over-triage
    assert out["under_triage_rate"] == pytest.approx(2 / 4)


def test_calibration_ece_and_brier() -> None:
    probs = [{"x": 0.85, "y": 0.15}, {"x": 0.65, "y": 0.35}, {"x": 0.25, "y": 0.75}]
    gold = ["x", "y", "y"]
    cal = calibration(probs, gold)
    # confidences .85 (right), .65 (wrong), .75 (right), each alone in its bin
    assert cal["ece"] == pytest.approx((0.15 + 0.65 + 0.25) / 3)
    assert cal["brier"] == pytest.approx((0.045 + 0.845 + 0.125) / 3)
    assert [b["count"] for b in cal["bins"]] == [1, 1, 1]


def test_brier_counts_a_gold_label_outside_the_distribution_as_probability_zero() -> None:
    assert calibration([{"x": 0.6, "y": 0.4}], ["z"])["brier"] == pytest.approx(0.36 + 0.16 + 1.0)


def test_coverage_curve() -> None:
    curve = {c["threshold"]: c for c in coverage_curve([0.9, 0.8, 0.4, 0.2], [True, False, True, False], steps=10)}
    assert curve[0.0]["coverage"] == 1.0 and curve[0.0]["accuracy"] == 0.5
    assert curve[0.5]["coverage"] == 0.5 and curve[0.5]["accuracy"] == 0.5
    assert curve[0.9]["coverage"] == 0.25 and curve[0.9]["accuracy"] == 1.0
    assert curve[1.0]["coverage"] == 0.0 and curve[1.0]["accuracy"] is None


def test_flags_are_scored_only_on_rows_that_carry_the_key() -> None:
    gold = [1, 0, None, 1, None, 0]
    scores = [0.9, 0.8, 0.99, 0.3, 0.1, 0.2]
    predicted = [True, True, True, False, False, False]
    rep = binary_report(gold, scores, predicted)
    # keyed rows by score: .9(+) .8(-) .3(+) .2(-) -> AP = .5*1 + .5*(2/3); AUROC = 3 of 4 pairs
    assert rep["n"] == 4 and rep["positives"] == 2
    assert rep["auprc"] == pytest.approx(0.5 + 0.5 * 2 / 3)
    assert rep["auroc"] == pytest.approx(0.75)
    assert rep["precision"] == pytest.approx(0.5) and rep["recall"] == pytest.approx(0.5)
    # treating the unknown rows as negatives would have given a different (wrong) answer
    as_negative = average_precision([0 if g is None else g for g in gold], scores)
    assert as_negative != pytest.approx(rep["auprc"])


def test_ranking_metrics_edge_cases() -> None:
    assert average_precision([0, 0], [0.1, 0.2]) is None
    assert roc_auc([1, 1], [0.1, 0.2]) is None
    assert roc_auc([1, 0], [0.5, 0.5]) == pytest.approx(0.5)  # a tie counts half
    assert average_precision([1, 0, 1], [0.5, 0.5, 0.5]) == pytest.approx(2 / 3)


def test_rouge_l() -> None:
    # LCS "the cat on the mat" = 5 of 6 tokens each way
    assert rouge_l("the cat sat on the mat", "the cat is on the mat") == pytest.approx(5 / 6)
    # non-ASCII words count (German): LCS 3, P 1, R .75
    assert rouge_l("Über die Straße", "über die straße gehen") == pytest.approx(2 * 0.75 / 1.75)
    assert rouge_l("", "anything") == 0.0


def _suite(tmp_path: Path, text: str) -> Path:
    (tmp_path / "d.jsonl").write_text('{"t": "hello", "A": 1}\n{"t": "bye", "B": 0}\n', encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_memory_category_from_flags_leaves_unknown_rows_without_a_category(tmp_path: Path) -> None:
    suite = load_suite(_suite(tmp_path, "name: t\ndataset: d.jsonl\nmemory_split: {folds: 2}\n"
                                        "memory_category: from_flags\nfields: {text: t}\n"
                                        "flags: {A: {categories: [self_harm]}, B: {categories: [spam]}}\n"))
    pos = suite.normalise({"t": "x", "A": 1}, 0)
    unknown = suite.normalise({"t": "y", "B": 0}, 1)
    negative = suite.normalise({"t": "z", "A": 0, "B": "0"}, 2)
    assert pos.flags == {"A": 1, "B": None}
    assert suite.memory_category(pos) == "self_harm"
    assert suite.memory_category(unknown) is None  # A is unknown: not a known negative
    assert suite.memory_category(negative) == "no_violation"
    # ... so its memory row has no category: it rules spam out (B is 0) and leaves self_harm and no_violation open
    assert suite.memory_row(unknown) == {"id": unknown.id, "text": "y", "category": None, "language": None,
                                         "unknown": ["self_harm", "no_violation"]}
    nothing = suite.normalise({"t": "w"}, 3)  # every flag missing: it rules nothing out, it is no memory row
    assert suite.memory_row(nothing) is None
    row = suite.memory_row(pos)
    assert row is not None and row["category"] == "self_harm"


def test_a_conjunction_flag_gives_its_rows_every_category_and_scores_the_product(tmp_path: Path) -> None:
    from tests.unit.test_decision_rows import decision
    from triage.evals.runner import _flag_scores

    suite = load_suite(_suite(tmp_path, "name: t\ndataset: d.jsonl\nmemory_split: {folds: 2}\n"
                                        "memory_category: from_flags\nfields: {text: t}\nflags:\n"
                                        "  A: {categories: [hate_speech, violent_threat], match: all}\n"
                                        "  B: {categories: [hate_speech, violent_threat]}\n"))
    both = suite.normalise({"t": "x", "A": 1, "B": 1}, 0)
    row = suite.memory_row(both)
    assert row is not None and (row["category"], row["also"]) == ("hate_speech", ["violent_threat"])
    ovr = {"hate_speech": 0.8, "violent_threat": 0.5}
    d = decision(category="hate_speech", also=[], probabilities={"category": {"hate_speech": 1.0},
                                                                  "category_ovr": ovr})
    scores = _flag_scores(suite, both, d, {})
    assert scores["A"].score == pytest.approx(0.4) and not scores["A"].predicted  # threat not decided
    assert scores["B"].score == pytest.approx(0.9) and scores["B"].predicted
    d_both = decision(category="hate_speech", also=["violent_threat"], probabilities=d.probabilities)
    assert _flag_scores(suite, both, d_both, {})["A"].predicted


def test_invalid_suite_names_the_field(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="learned"):
        load_suite(_suite(tmp_path, "name: t\ndataset: d.jsonl\nfields: {text: t}\nlabels: {team: {field: x}}\n"))
    with pytest.raises(SuiteError, match="exactly one"):
        load_suite(_suite(tmp_path, "name: t\ndataset: d.jsonl\nfields: {text: t}\nflags: {A: {}}\n"))


# -- scikit-learn replaced these hand-written formulas; they must give the same numbers ----------------------
def _old_prf(gold: list[str], pred: list[str]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                          np.ndarray]:
    """The confusion matrix and per-class P/R/F1 as `triage.evals.metrics` computed them before scikit-learn."""
    labels = sorted(set(gold) | set(pred))
    index = {c: i for i, c in enumerate(labels)}
    g = np.array([index[x] for x in gold], dtype=int)
    p = np.array([index[x] for x in pred], dtype=int)
    k = len(labels)
    cm = np.bincount(g * k + p, minlength=k * k).reshape(k, k)
    tp = np.diag(cm).astype(float)
    predicted = cm.sum(axis=0).astype(float)
    support = cm.sum(axis=1).astype(float)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return labels, cm, precision, recall, f1, support


def _old_average_precision(y: np.ndarray, s: np.ndarray) -> float | None:
    positives = int(y.sum())
    if positives == 0:
        return None
    order = np.argsort(-s, kind="mergesort")
    y, s = y[order], s[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tp = np.cumsum(y)[last]
    return float(np.sum(np.diff(np.r_[0.0, tp / positives]) * (tp / (last + 1))))


def _old_roc_auc(y: np.ndarray, s: np.ndarray) -> float | None:
    pos, neg = s[y == 1], s[y == 0]
    if not len(pos) or not len(neg):
        return None
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


def _random_case(rng: np.random.Generator) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    n = int(rng.integers(1, 80))
    classes = [f"c{i}" for i in range(int(rng.integers(1, 7)))]
    gold = [str(c) for c in rng.choice(classes, n)]
    pred = [str(c) for c in rng.choice([*classes, "outside"], n)]  # predictions outside the gold space too
    y = rng.integers(0, 2, n)
    scores = np.round(rng.random(n), int(rng.integers(1, 4)))  # coarse scores make ties
    return gold, pred, y, scores


def test_scikit_learn_metrics_agree_with_the_hand_written_ones_on_500_random_cases() -> None:
    rng = np.random.default_rng(2026)
    for _ in range(500):
        gold, pred, y, scores = _random_case(rng)
        labels, cm, precision, recall, f1, support = _old_prf(gold, pred)
        rep = classification_report(gold, pred)
        assert rep["confusion"] == {"labels": labels, "matrix": cm.tolist()}
        for i, c in enumerate(labels):
            assert rep["per_class"][c] == pytest.approx({"precision": precision[i], "recall": recall[i], "f1": f1[i],
                                                        "support": support[i]}, abs=1e-12)
        assert rep["macro_f1"] == pytest.approx(float(f1[support > 0].mean()), abs=1e-12)
        assert macro_f1(gold, pred) == pytest.approx(float(f1[support > 0].mean()), abs=1e-12)
        for new, old in ((average_precision(y, scores), _old_average_precision(y, scores)),
                         (roc_auc(y, scores), _old_roc_auc(y, scores))):
            assert (new is None) == (old is None)
            if new is not None:
                assert new == pytest.approx(old, abs=1e-12)


def test_resampled_metrics_agree_with_scikit_learn_on_each_resample() -> None:
    """compare computes macro-F1, AUPRC and AUROC on 1,000 resamples at once; each equals scikit-learn's."""
    rng = np.random.default_rng(7)
    for _ in range(100):
        gold, pred, y, scores = _random_case(rng)
        codes = {c: i for i, c in enumerate(sorted(set(gold) | set(pred)))}
        g, p = np.array([codes[x] for x in gold]), np.array([codes[x] for x in pred])
        idx = rng.integers(0, len(gold), size=(10, len(gold)))
        weights = resample_weights(idx, len(gold))
        f1s, aps, aucs = (macro_f1_resampled(g, p, weights), average_precision_resampled(y, scores, weights),
                          roc_auc_resampled(y, scores, weights))
        for r, rows in enumerate(idx):
            assert f1s[r] == pytest.approx(macro_f1(g[rows], p[rows]), abs=1e-12)
            for batched, single in ((aps[r], average_precision(y[rows], scores[rows])),
                                    (aucs[r], roc_auc(y[rows], scores[rows]))):
                assert np.isnan(batched) if single is None else batched == pytest.approx(single, abs=1e-12)


def test_risk_false_alarms_and_over_triage_by_hand() -> None:
    order = ["critical", "high", "medium", "low"]
    gold = ["critical", "critical", "high", "high", "medium", "medium", "low", "low", "low", "high"]
    pred = ["critical", "high", "critical", "medium", "critical", "high", "low", "medium", "critical", "high"]
    expected = {
        "recall_critical": 1 / 2,  # rows 0, 1: only row 0
        "recall_high": 1 / 3,  # rows 2, 3, 9: only row 9
        "under_triage_rate": 2 / 5,  # critical->high (1), high->medium (3) of the 5 gold critical/high
        "false_alarm_rate_critical": 3 / 8,  # of the 8 non-critical golds, rows 2, 4, 8 predicted critical
        "over_triage_rate": 3 / 5,  # of the 5 gold medium/low, rows 4, 5, 8 predicted high/critical; low->medium
    }                               # (row 7) is not over-triage
    assert risk_recall(gold, pred, order) == pytest.approx(expected)
    sample = LabelSample.build(gold, pred, probabilities=[None] * len(gold), confidence=[None] * len(gold),
                               risk_order=order)
    for name, value in expected.items():  # what thresholds and compare read: the registry's metric
        metric = find_metric(f"risk.{name}")
        assert metric is not None and metric.compute(sample) == pytest.approx(value)
    assert find_metric("risk.false_alarm_rate_critical").lower_is_better  # type: ignore[union-attr]
    assert find_metric("risk.over_triage_rate").lower_is_better  # type: ignore[union-attr]
    # an unknown predicted level ranks below every level: under-triage for a gold critical
    assert risk_recall(["critical"], ["unknown"], order)["under_triage_rate"] == 1.0


def test_unreviewed_under_triage_counts_only_the_misses_no_person_sees() -> None:
    """The fail-open rate: of the gold critical/high rows, those predicted lower *and* not sent to a person. A miss
    that goes to a person, a hit that does not, and a gold medium row never count."""
    order = ["critical", "high", "medium", "low"]
    gold = ["critical", "critical", "critical", "high", "high", "medium", "low"]
    pred = ["low", "high", "critical", "medium", "high", "low", "low"]
    person = [False, True, False, False, False, False, False]
    # misses: rows 0 (no person), 1 (a person), 3 (no person) -> 2 of the 5 gold critical/high rows
    sample = LabelSample.build(gold, pred, probabilities=[None] * 7, confidence=[None] * 7, risk_order=order,
                               needs_human=person)
    metric = find_metric("risk.unreviewed_under_triage_rate")
    assert metric is not None and metric.lower_is_better and metric.guarded
    assert metric.compute(sample) == pytest.approx(2 / 5)
    assert find_metric("risk.under_triage_rate").compute(sample) == pytest.approx(3 / 5)  # type: ignore[union-attr]
    everyone = LabelSample.build(gold, pred, probabilities=[None] * 7, confidence=[None] * 7, risk_order=order,
                                 needs_human=[True] * 7)
    assert metric.compute(everyone) == 0.0
    # a bootstrap resample keeps each row's needs_human with it: rows 0 and 0 again and 4 -> 2 of 3
    assert metric.compute(sample.take(np.array([0, 0, 4]))) == pytest.approx(2 / 3)
    # a sample without needs_human (a category label, or rows from an older run) has no such rate
    assert metric.compute(LabelSample.build(gold, pred, probabilities=[None] * 7, confidence=[None] * 7,
                                            risk_order=order)) is None


def test_suite_ticket_fields_default_parse_and_refuse_bad_values(tmp_path: Path) -> None:
    suite = load_suite(_suite(tmp_path, "name: t\ndataset: d.jsonl\nfields: {text: t}\nlabels: {queue: {field: q}}\n"))
    plain = suite.normalise({"t": "x", "q": "integrity"}, 0)
    assert (plain.channel, plain.reporter_type, plain.region) == ("api", "user", None)  # api, not "eval"
    mapped = load_suite(_suite(tmp_path, "name: t\ndataset: d.jsonl\nlabels: {queue: {field: q}}\nfields:\n"
                                         "  text: t\n  channel: src\n  reporter_type: '{who}'\n  region: cc\n"))
    ex = mapped.normalise({"t": "x", "src": "partner_portal", "who": "trusted_flagger", "cc": "DE"}, 0)
    assert (ex.channel, ex.reporter_type, ex.region) == ("partner_portal", "trusted_flagger", "DE")
    empty = mapped.normalise({"t": "x", "src": "", "who": "", "cc": ""}, 1)
    assert (empty.channel, empty.reporter_type, empty.region) == ("api", "user", None)
    with pytest.raises(SuiteError, match=r"row 3: channel: 'eval' is not a valid Channel; use one of in_app_report"):
        mapped.normalise({"t": "x", "src": "eval"}, 2)
    with pytest.raises(SuiteError, match=r"row 5: reporter_type: 'police'"):
        mapped.normalise({"t": "x", "who": "police"}, 4)
    with pytest.raises(SuiteError, match="unknown fields"):
        load_suite(_suite(tmp_path, "name: t\ndataset: d.jsonl\nfields: {text: t, country: c}\n"
                                    "labels: {queue: {field: q}}\n"))
