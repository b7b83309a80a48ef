"""Metrics against values computed by hand on tiny fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.evals.metrics import (
    average_precision,
    binary_report,
    calibration,
    classification_report,
    coverage_curve,
    macro_f1,
    risk_recall,
    roc_auc,
    rouge_l,
)
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


def test_memory_category_from_flags_leaves_unknown_rows_out(tmp_path: Path) -> None:
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


def test_invalid_suite_names_the_field(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="learned"):
        load_suite(_suite(tmp_path, "name: t\ndataset: d.jsonl\nfields: {text: t}\nlabels: {team: {field: x}}\n"))
    with pytest.raises(SuiteError, match="exactly one"):
        load_suite(_suite(tmp_path, "name: t\ndataset: d.jsonl\nfields: {text: t}\nflags: {A: {}}\n"))
