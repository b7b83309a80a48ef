"""The metric registry: each metric declared once with its direction; the report, the gates and compare all
use it. Runs are built by hand here (no pipeline): prediction rows carrying everything a metric reads."""

from __future__ import annotations

import html
import random
from pathlib import Path
from typing import Any

import pytest

from triage.config import PROJECT_ROOT
from triage.domain.policy import load_policy
from triage.evals.compare import compare_runs
from triage.evals.predictions import PredictionRow, read_prediction_rows
from triage.evals.registry import METRICS, Direction, Scope, direction_of, find_metric, keys_in, metric_value
from triage.evals.report import summarise, summary_rows, write_reports
from triage.evals.suites import load_suite

POLICY = load_policy(PROJECT_ROOT / "policy")
LEVELS = POLICY.risk_order  # critical, high, medium, low
CATEGORIES = ["hate_speech", "spam", "no_violation"]

SUITE = """\
name: registry.v1
dataset: d.jsonl
fields: {text: t}
labels: {category: {field: c}, risk: {field: r}}
flags: {harm: {categories: [self_harm]}}
thresholds: {risk.false_alarm_rate_critical: 0.2, risk.recall_critical: 0.5, pipeline.critical_detector_rate: 0.5}
"""


def _rows(seed: int, *, alarmist: bool = False) -> list[PredictionRow]:
    """60 rows with labels, distributions, a flag, drafts, robustness, reason codes, critical hits, latency
    and LLM usage; `alarmist` predicts critical for most non-critical tickets (a false-alarm regression)."""
    rng = random.Random(seed)
    gold_rng = random.Random(1)  # the same gold in every run
    rows = []
    for i in range(60):
        cat, risk = gold_rng.choice(CATEGORIES), gold_rng.choice(LEVELS)
        harm = gold_rng.choice([0, 1, None])
        p_cat = cat if rng.random() < 0.7 else rng.choice(CATEGORIES)
        p_risk = risk if rng.random() < 0.6 else rng.choice(LEVELS)
        if alarmist and risk != "critical" and rng.random() < 0.8:
            p_risk = "critical"
        dist = {c: 0.1 for c in CATEGORIES} | {p_cat: 0.8}
        hits = [] if rng.random() < 0.7 else [{"group": "g", "category": "self_harm", "risk": rng.choice(LEVELS[:2]),
                                                "score": 0.9, "threshold": 0.5, "exemplar": "x", "signal": None}]
        llm = i % 5 == 0
        rows.append(PredictionRow.model_validate({
            "id": f"ex-{i}", "fold": 0, "language": rng.choice(["en", "de"]), "channel": "api",
            "reporter_type": "user", "region": None,
            "gold": {"category": cat, "risk": risk}, "predicted": {"category": p_cat, "risk": p_risk},
            "confidence": {"category": 0.8, "risk": rng.random()},
            "probabilities": {"category": dist, "risk": {lv: 0.25 for lv in LEVELS}},
            "flags": {"harm": {"gold": harm, "score": rng.random(), "predicted": rng.random() < 0.3,
                               "baseline": rng.random()}},
            "needs_human": rng.random() < 0.3, "path": "llm" if llm else "local",
            "latency_ms": {"embed_ms": rng.random() * 10, "classify_ms": rng.random()},
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "cost_usd": 0.001, "cached": i % 10 == 0}
            if llm else {},
            "draft": {"language": "en", "language_match": rng.random() < 0.9,
                      "issues": ["promised_outcome"] if rng.random() < 0.1 else [],
                      "similarity": rng.random(), "rouge_l": rng.random()},
            "decision_flags": [],
            "reason_codes": (rng.sample(["low_confidence", "no_evidence", "critical_signal"], rng.randint(0, 2))
                             + (["critical_detector"] if hits else [])),
            "also": [], "critical": hits,
            **({"robustness": {"flipped": rng.random() < 0.1, "changed": [], "injection_flagged": True}}
               if i % 3 == 0 else {}),
        }))
    return rows


def _run(directory: Path, rows: list[PredictionRow]) -> dict[str, Any]:
    directory.mkdir(parents=True, exist_ok=True)
    (directory.parent / "d.jsonl").write_text('{"t": "x"}\n', encoding="utf-8")
    (directory.parent / "s.yaml").write_text(SUITE, encoding="utf-8")
    suite = load_suite(directory.parent / "s.yaml")
    (directory / "predictions.jsonl").write_text("".join(r.to_json() + "\n" for r in rows), encoding="utf-8")
    run = {"suite": suite.name, "created_at": "2026-01-05T12:00:00+00:00", "mode": "local", "memory_kind": "none",
           "versions": {"code": "test"}, "hashes": {"dataset": "0" * 64}, "wall_time_s": 1.0}
    results = summarise(suite, read_prediction_rows(directory), policy=POLICY, run=run)
    write_reports(directory, results, rows)
    return results


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("registry")
    results = _run(tmp / "a", _rows(3))
    _run(tmp / "b", _rows(3, alarmist=True))
    return tmp / "a", tmp / "b", results


def test_every_metric_is_declared_once_with_a_direction() -> None:
    keys = [m.key for m in METRICS]
    assert len(keys) == len(set(keys))
    for m in METRICS:
        assert isinstance(m.direction, Direction) and m.description
        assert m.key.count("{") <= 1
        item = {Scope.run: None, Scope.label: "risk" if m.only else "category"}.get(m.scope, "x")
        assert find_metric(m.key_for(item)) is m  # a threshold key finds its metric
    assert direction_of("risk.false_alarm_rate_critical") is Direction.lower_is_better
    assert direction_of("risk.over_triage_rate") is Direction.lower_is_better
    assert direction_of("flags.SH.auprc") is Direction.higher_is_better
    assert direction_of("team.macro_f1") is Direction.higher_is_better
    assert find_metric("category.recall_critical") is None  # risk only
    assert find_metric("drafts.macro_f1") is None  # a section is not a label
    # a number outside the registry keeps the old suffix rule (suites written before it)
    assert direction_of("wall_time_s") is Direction.higher_is_better
    assert direction_of("risk.automation.decided_without_human") is Direction.higher_is_better


def test_results_hold_every_registry_metric_and_the_gates_use_its_direction(
        runs: tuple[Path, Path, dict[str, Any]]) -> None:
    _, _, results = runs
    rows = read_prediction_rows(runs[0])
    found = {m.key for m, _ in keys_in(results)}
    assert found == {m.key for m in METRICS}
    for _, key in keys_in(results):
        assert metric_value(results, key) is not None, key
    risk = results["labels"]["risk"]
    non_critical = [r for r in rows if r.gold["risk"] != "critical"]
    assert risk["false_alarm_rate_critical"] == pytest.approx(
        sum(r.predicted["risk"] == "critical" for r in non_critical) / len(non_critical))
    low_medium = [r for r in rows if r.gold["risk"] in ("low", "medium")]
    assert risk["over_triage_rate"] == pytest.approx(
        sum(r.predicted["risk"] in ("high", "critical") for r in low_medium) / len(low_medium))
    pipeline = results["pipeline"]
    assert pipeline["needs_human_rate"] == results["automation"]["needs_human_rate"]  # the old key stays
    assert pipeline["critical_detector_rate"] == pytest.approx(sum(bool(r.critical) for r in rows) / len(rows))
    assert pipeline["critical_detector_raised_to_critical"] == pytest.approx(
        sum(any(h.risk == "critical" for h in r.critical) for r in rows) / len(rows))
    assert 0 < pipeline["critical_detector_raised_to_critical"] < pipeline["critical_detector_rate"]
    assert pipeline["reason_rates"]["critical_detector"] == pipeline["critical_detector_rate"]
    assert pipeline["reason_rates"]["draft_guard"] == 0.0  # every known code is listed
    assert results["cost"]["llm_calls_live"] == 6 and results["cost"]["llm_calls_cached"] == 6
    assert results["cost"]["prompt_tokens_live"] == 600 and isinstance(results["cost"]["prompt_tokens_live"], int)
    gates = results["gates"]
    assert gates["risk.false_alarm_rate_critical"]["direction"] == "lower"
    assert gates["risk.false_alarm_rate_critical"]["passed"] is (risk["false_alarm_rate_critical"] <= 0.2)
    assert gates["risk.recall_critical"]["passed"] is (risk["recall_critical"] >= 0.5)


def test_summary_tables_show_the_new_metrics(runs: tuple[Path, Path, dict[str, Any]]) -> None:
    out, _, results = runs
    keys = [k for k, _ in summary_rows(results)]
    for key in ("risk.false_alarm_rate_critical", "risk.over_triage_rate", "pipeline.needs_human_rate",
                "pipeline.critical_detector_rate", "pipeline.critical_detector_raised_to_critical",
                "pipeline.reason_rates.critical_detector", "gate risk.false_alarm_rate_critical (<= 0.2)"):
        assert key in keys
        assert key in (out / "report.md").read_text(encoding="utf-8")
        assert html.escape(key) in (out / "report.html").read_text(encoding="utf-8")
    assert "pipeline.reason_rates.draft_guard" not in keys  # a code no row carries stays out of the summary


def test_compare_reports_every_registry_metric_with_the_registry_direction(
        runs: tuple[Path, Path, dict[str, Any]]) -> None:
    a, b, results = runs
    out = compare_runs(a, b, resamples=200)
    for metric, key in keys_in(results):
        entry = out["metrics"][key]
        assert entry["lower_is_better"] is metric.lower_is_better and entry["guarded"] is metric.guarded
        assert entry["ci95"][0] is not None, key
    # the alarmist run raises many non-critical tickets to critical: a significant false-alarm regression
    assert "risk.false_alarm_rate_critical" in out["regressions"]
    assert out["metrics"]["risk.false_alarm_rate_critical"]["delta"] > 0
    assert out["metrics"]["risk.over_triage_rate"]["worse"]
    # unguarded metrics are compared but never regress
    assert not any(key.startswith(("pipeline.", "latency_ms.", "cost.")) for key in out["regressions"])
