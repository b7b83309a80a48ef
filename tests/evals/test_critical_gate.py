"""The critical-recall gate in CI: the independent critical_paraphrases suite on a fixed sample.

Every third ticket of the set (it is grouped by language, so the sample spans all 20 languages and both
kinds), scored against the bundled seed memory with the service's own pipeline. The full run and its
figures are in docs/evals.md; this keeps a regression from landing unseen.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from triage.config import PROJECT_ROOT, Settings
from triage.evals.runner import run_suite
from triage.evals.suites import load_suite

DATASET = PROJECT_ROOT / "evals" / "datasets" / "critical_paraphrases" / "tickets.jsonl"
SUITE = PROJECT_ROOT / "evals" / "suites" / "critical_paraphrases.yaml"
# measured on the full set: recall of critical 0.77, under-triage 0.18 (docs/evals.md); the sample's
# gates sit a little below what the code reaches so that noise in a 120-ticket sample does not flap
MIN_RECALL_CRITICAL = 0.65
MAX_UNDER_TRIAGE = 0.3
# the misses no person sees (never fail open): 2 of the full set's 266 gold critical/high tickets (0.008); in the
# sample's ~90 one such ticket is 0.011, so this lets at most two through
MAX_UNREVIEWED_MISSES = 0.03


@pytest.mark.slow
def test_critical_recall_gate_on_a_sample_of_the_independent_set(tmp_path: Path, embedder: Any) -> None:
    lines = DATASET.read_text(encoding="utf-8").splitlines()
    sample = lines[::3]
    (tmp_path / "tickets.jsonl").write_text("\n".join(sample) + "\n", encoding="utf-8")
    suite_text = SUITE.read_text(encoding="utf-8")
    suite_text = suite_text.replace("../datasets/critical_paraphrases/tickets.jsonl", str(tmp_path / "tickets.jsonl"))
    suite_text = suite_text.replace("../../seed/cases.jsonl", str(PROJECT_ROOT / "seed" / "cases.jsonl"))
    (tmp_path / "suite.yaml").write_text(suite_text, encoding="utf-8")
    suite = load_suite(tmp_path / "suite.yaml")
    settings = Settings(environment="test", data_dir=tmp_path, log_json=False)

    results = asyncio.run(run_suite(suite, out_dir=tmp_path / "run", settings=settings, embedder=embedder))

    risk = results["labels"]["risk"]
    kinds = [json.loads(line)["kind"] for line in sample]
    assert kinds.count("critical") >= 80 and kinds.count("benign") >= 25  # both sides are in the sample
    assert risk["recall_critical"] >= MIN_RECALL_CRITICAL, risk
    assert risk["under_triage_rate"] <= MAX_UNDER_TRIAGE, risk
    assert risk["unreviewed_under_triage_rate"] <= MAX_UNREVIEWED_MISSES, risk
    # every ticket of the sample was decided and scored
    assert risk["n"] == len(sample)
