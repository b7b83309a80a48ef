"""The runner on a tiny suite with the real pipeline, embedder and in-memory Qdrant; reports; compare."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from typer.testing import CliRunner

from triage.config import CriticalSettings, Settings
from triage.evals.cli import eval_app
from triage.evals.runner import RunError, read_predictions, run_suite
from triage.evals.suites import load_suite

DATA = Path(__file__).parent / "data" / "tickets.jsonl"

SUITE = """\
name: tiny.v1
dataset: {data}
memory_split: {{folds: 2, seed: 7}}
fields:
  text: "{{subject}}\\n\\n{{body}}"
  language: language
  external_id: id
labels:
  category: {{field: category}}
  risk: {{field: risk}}
  team: {{field: team, learned: true}}
flags:
  harm: {{categories: [self_harm]}}
reference_reply: final_reply
robustness: {{sample: 6}}
thresholds: {{category.accuracy: 0.0, team.macro_f1: 1.01}}
"""


def _write_suite(directory: Path, name: str = "tiny.yaml", **changes: str) -> Path:
    text = SUITE.format(data=DATA)
    for old, new in changes.items():
        text = text.replace(old, new)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def _settings(tmp: Path) -> Settings:
    return Settings(environment="test", data_dir=tmp, log_json=False)


def _run(suite_path: Path, out: Path, embedder: Any, tmp: Path) -> dict[str, Any]:
    return asyncio.run(run_suite(load_suite(suite_path), out_dir=out, settings=_settings(tmp), embedder=embedder,
                                 batch_size=8))


def tiny_run_once(embedder: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], Path]:
    """A run of the tiny suite: (its own copy of the run directory, results, the suite file).

    Under pytest-xdist the run is made once per test session, by whichever worker asks first (the others wait
    on the lock), in the session's shared temporary directory; each caller gets a copy to change freely."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        tmp = tmp_path_factory.mktemp("evals")
        suite = _write_suite(tmp)
        return tmp / "run-a", _run(suite, tmp / "run-a", embedder, tmp), suite
    shared = tmp_path_factory.getbasetemp().parent / "tiny-run"  # one per session, shared by its workers
    with FileLock(str(shared) + ".lock"):
        if not (shared / "run-a" / "results.json").is_file():
            shared.mkdir(exist_ok=True)
            _run(_write_suite(shared), shared / "run-a", embedder, shared)
    out = tmp_path_factory.mktemp("evals") / "run-a"
    shutil.copytree(shared / "run-a", out)
    return out, json.loads((out / "results.json").read_text(encoding="utf-8")), shared / "tiny.yaml"


@pytest.fixture(scope="module")
def tiny_run(embedder: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], Path]:
    return tiny_run_once(embedder, tmp_path_factory)


def test_run_writes_every_output_with_embedded_plots(tiny_run: tuple[Path, dict[str, Any], Path]) -> None:
    out, results, _ = tiny_run
    for name in ("results.json", "predictions.jsonl", "report.md", "report.html"):
        assert (out / name).stat().st_size > 0, name
    html = (out / "report.html").read_text(encoding="utf-8")
    # confusion + per-class for 3 labels, reliability + coverage for the labelled distributions, PR for flags
    assert html.count('<img src="data:image/png;base64,') >= 8
    assert "flags: precision-recall" in html and "reliability" in html and "coverage" in html
    assert "| category.macro_f1 |" in (out / "report.md").read_text(encoding="utf-8")
    saved = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert saved["n_examples"] == 28 == len(read_predictions(out))
    assert set(saved["hashes"]) == {"suite", "dataset"} and all(len(h) == 64 for h in saved["hashes"].values())
    for key in ("code", "embedder", "policy", "classifier", "reply_templates"):
        assert saved["versions"][key], key
    assert saved["memory_kind"] == "split" and len(saved["memory"]) == 2
    assert all(m["imported"] == 14 for m in saved["memory"])  # each fold: the other fold only


def test_metrics_cover_labels_flags_drafts_robustness_latency(tiny_run: tuple[Path, dict[str, Any], Path]) -> None:
    out, results, _ = tiny_run
    rows = read_predictions(out)
    keyed = sum(1 for line in DATA.read_text(encoding="utf-8").splitlines() if '"harm"' in line)
    assert results["flags"]["harm"]["n"] == keyed < 28  # rows without the key are unknown, not negatives
    assert all(r["flags"]["harm"]["gold"] is None for r in rows if '"harm"' not in _raw(r["id"]))
    team = results["labels"]["team"]
    assert team["n"] == 28 and set(team["per_class"]) <= {"wellbeing", "trust", "support"}
    for r in rows:  # a learned label's prediction is the argmax of its distribution
        dist = r["probabilities"]["team"]
        assert r["predicted"]["team"] == max(dist, key=dist.__getitem__)
    risk = results["labels"]["risk"]
    assert "recall_critical" in risk and "under_triage_rate" in risk and 0 <= risk["ece"] <= 1
    order = ["critical", "high", "medium", "low"]  # the policy's; the fail-open rate counted from the rows by hand
    rank = {level: i for i, level in enumerate(order)}
    severe = [r for r in rows if rank[r["gold"]["risk"]] <= 1]
    unseen = [r for r in severe if rank[r["predicted"]["risk"]] > rank[r["gold"]["risk"]] and not r["needs_human"]]
    assert severe and risk["unreviewed_under_triage_rate"] == pytest.approx(len(unseen) / len(severe))
    assert 0 <= results["labels"]["category"]["decision_ece"] <= 1
    assert {"en", "es"} <= set(results["labels"]["category"]["by_language"])
    drafts = results["drafts"]
    assert drafts["n_with_reference"] == 28 and 0 < drafts["semantic_similarity"] <= 1 and 0 < drafts["rouge_l"] < 1
    assert results["robustness"]["n"] == 6
    assert {"embed_ms", "classify_ms", "total_ms"} <= set(results["latency_ms"])
    assert results["cost"]["llm_calls_live"] == 0 and results["cost"]["paths"] == {"local": 28}
    assert results["gates"]["category.accuracy"]["passed"] is True
    assert results["gates"]["team.macro_f1"]["passed"] is False


def _raw(example_id: str) -> str:
    return next(line for line in DATA.read_text(encoding="utf-8").splitlines() if f'"{example_id}"' in line)


def test_resume_skips_done_ids_and_reproduces_the_rest(
    tiny_run: tuple[Path, dict[str, Any], Path], embedder: Any, tmp_path: Path
) -> None:
    out, _, suite = tiny_run
    original = {r["id"]: r for r in read_predictions(out)}
    resumed = tmp_path / "resumed"
    shutil.copytree(out, resumed)
    kept = read_predictions(resumed)[:10]
    for r in kept:
        r["marker"] = "already done"
    text = "".join(json.dumps(r) + "\n" for r in kept) + '{"id": "torn'  # an interrupted write
    (resumed / "predictions.jsonl").write_text(text, encoding="utf-8")
    _run(suite, resumed, embedder, tmp_path)
    rows = read_predictions(resumed)
    assert len(rows) == 28 and len({r["id"] for r in rows}) == 28
    assert sum(r.get("marker") == "already done" for r in rows) == 10  # not scored again
    for r in rows:  # the re-scored rows are the first run's (deterministic) ...
        assert r["predicted"] == original[r["id"]]["predicted"]
        # ... to float precision: a resumed fold batches its queries differently, and batched similarity
        # search sums in another order (differences ~1e-8, seen as 0.597612 vs 0.597611 after rounding)
        for label, dist in original[r["id"]]["probabilities"].items():
            assert r["probabilities"][label] == pytest.approx(dist, abs=1e-5), (r["id"], label)


def test_out_dir_of_another_suite_is_refused(tiny_run: tuple[Path, dict[str, Any], Path], embedder: Any,
                                             tmp_path: Path) -> None:
    out, _, _ = tiny_run
    other = _write_suite(tmp_path, "other.yaml", **{"name: tiny.v1": "name: other.v1"})
    with pytest.raises(RunError, match="different hashes"):
        _run(other, out, embedder, tmp_path)


def test_compare_passes_an_unchanged_run(tiny_run: tuple[Path, dict[str, Any], Path], tmp_path: Path) -> None:
    out, _, _ = tiny_run
    report = tmp_path / "cmp.json"
    result = CliRunner().invoke(eval_app, ["compare", str(out), str(out), "--fail-on-regression",
                                           "--json", str(report)])
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["regressions"] == [] and data["n_common"] == 28
    assert all(m["delta"] == 0 for m in data["metrics"].values())
    assert all(not changed for changed in data["changed"].values())


def test_compare_detects_an_injected_regression(tiny_run: tuple[Path, dict[str, Any], Path], tmp_path: Path) -> None:
    out, _, _ = tiny_run
    worse = tmp_path / "worse"
    shutil.copytree(out, worse)
    rows = read_predictions(worse)
    for r in rows:  # break every correct category and team prediction
        for label, wrong in (("category", "spam"), ("team", "trust")):
            if r["predicted"][label] == r["gold"][label]:
                r["predicted"][label] = wrong if r["gold"][label] != wrong else "no_violation"
    (worse / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = tmp_path / "cmp.json"
    result = CliRunner().invoke(eval_app, ["compare", str(out), str(worse), "--fail-on-regression",
                                           "--json", str(report)])
    assert result.exit_code == 1, result.output
    assert "REGRESSION" in result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert "category.accuracy" in data["regressions"] and "team.accuracy" in data["regressions"]
    assert data["mcnemar"]["category"]["a_wrong_b_right"] == 0 and data["mcnemar"]["category"]["p_value"] < 0.05
    assert {c["change"] for c in data["changed"]["category"]} == {"broken"}
    # without the flag the comparison reports but does not fail
    assert CliRunner().invoke(eval_app, ["compare", str(out), str(worse)]).exit_code == 0


@pytest.mark.slow
def test_cli_run_shows_a_summary(tmp_path: Path, embedder: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import triage.components

    monkeypatch.setattr(triage.components, "load_embedder", lambda settings: embedder)  # the session's model
    suite = _write_suite(tmp_path)
    out = tmp_path / "cli-run"
    result = CliRunner().invoke(eval_app, ["run", str(suite), "--out", str(out), "--limit", "6", "--fail-on-gates"])
    assert result.exit_code == 1, result.output  # team.macro_f1 >= 1.01 cannot be met
    assert "category.accuracy" in result.output and "gates not met" in result.output
    assert len(read_predictions(out)) == 6


@pytest.mark.slow
def test_memory_file_and_csv_dataset(embedder: Any, tmp_path: Path) -> None:
    import csv

    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    (tmp_path / "memory.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:20]), encoding="utf-8")
    with (tmp_path / "test.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "subject", "body", "language", "category", "team", "harm"])
        writer.writeheader()
        for r in rows[20:]:
            writer.writerow({k: r.get(k, "") for k in writer.fieldnames})
    suite = tmp_path / "csv.yaml"
    suite.write_text(
        "name: csv.v1\ndataset: test.csv\nmemory: memory.jsonl\n"
        "fields: {text: \"{subject}\\n\\n{body}\", language: language, external_id: id}\n"
        "labels: {category: {field: category}, team: {field: team, learned: true}}\n"
        "flags: {harm: {categories: [self_harm]}}\n", encoding="utf-8")
    results = _run(suite, tmp_path / "out", embedder, tmp_path)
    assert results["memory_kind"] == "file" and results["memory"][0]["imported"] == 20
    assert results["n_examples"] == 8 and results["labels"]["team"]["n"] == 8
    # an empty CSV cell is a missing key: unknown, not negative
    assert results["flags"]["harm"]["n"] == sum(1 for r in rows[20:] if "harm" in r) < 8
    assert results["hashes"].keys() == {"suite", "dataset", "memory"}


def test_resume_refuses_a_bad_row_naming_its_line(tiny_run: tuple[Path, dict[str, Any], Path], embedder: Any,
                                                  tmp_path: Path) -> None:
    from triage.evals.predictions import InvalidPredictions

    out, _, suite = tiny_run
    resumed = tmp_path / "bad-row"
    shutil.copytree(out, resumed)
    rows = read_predictions(resumed)[:5]
    del rows[2]["needs_human"]
    (resumed / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(InvalidPredictions, match=r"line 3: not a prediction row: needs_human: Field required"):
        _run(suite, resumed, embedder, tmp_path)


def test_suite_fields_channel_reporter_type_and_region_reach_the_router(embedder: Any, tmp_path: Path) -> None:
    """Partners' and law enforcement's routing is scored: the same spam report is routed to partner_escalations
    from a trusted flagger (policy/routing.yaml) and to integrity from a user."""
    from triage.config import PROJECT_ROOT

    seed = [json.loads(line) for line in (PROJECT_ROOT / "seed" / "cases.jsonl").read_text(encoding="utf-8")
            .splitlines()]
    spam = next(r for r in seed if r["id"] == "seed-0277")  # spam reported by a trusted flagger (US)
    police = next(r for r in seed if r["id"] == "seed-0011")  # a law-enforcement request for account data (GB)
    tests = [spam, police, {**spam, "id": "as-user", "channel": "", "reporter_type": "", "region": ""}]
    per_category: dict[str, int] = {}
    memory = []
    for row in seed:  # a small balanced memory, still above the no-evidence minimum
        if row["id"] not in (spam["id"], police["id"]) and per_category.get(row["category"], 0) < 6:
            per_category[row["category"]] = per_category.get(row["category"], 0) + 1
            memory.append(row)
    (tmp_path / "memory.jsonl").write_text("".join(json.dumps(r) + "\n" for r in memory), encoding="utf-8")
    (tmp_path / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in tests), encoding="utf-8")
    suite = tmp_path / "fields.yaml"
    suite.write_text(
        "name: fields.v1\ndataset: test.jsonl\nmemory: memory.jsonl\n"
        "fields: {text: \"{subject}\\n\\n{body}\", external_id: id, channel: channel, reporter_type: reporter_type, "
        "region: region}\nlabels: {category: {field: category}, risk: {field: risk}, queue: {field: queue}}\n",
        encoding="utf-8")
    # the critical detector is not what this tests (its false alarms are measured in docs/evals.md); on a
    # memory this small it flags the spam report as possible extremism, which rightly blocks the low-risk rule
    no_detector = _settings(tmp_path).model_copy(update={"critical": CriticalSettings(enabled=False)})
    asyncio.run(run_suite(load_suite(suite), out_dir=tmp_path / "out", embedder=embedder, batch_size=8,
                          settings=no_detector))
    rows = {r["id"]: r for r in read_predictions(tmp_path / "out")}
    partner, user, police = rows["seed-0277"], rows["as-user"], rows["seed-0011"]
    assert (partner["channel"], partner["reporter_type"], partner["region"]) == ("api", "trusted_flagger", "US")
    assert (user["channel"], user["reporter_type"], user["region"]) == ("api", "user", None)  # the defaults
    assert (police["channel"], police["reporter_type"]) == ("law_enforcement_portal", "law_enforcement")
    assert partner["predicted"]["category"] == user["predicted"]["category"] == "spam"
    assert partner["predicted"]["queue"] == "partner_escalations" == partner["gold"]["queue"]
    assert user["predicted"]["queue"] == "integrity"
    assert police["predicted"]["category"] == "legal_request" and police["predicted"]["queue"] == "legal_requests"
