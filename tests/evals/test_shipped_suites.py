"""Every suite shipped in evals/suites loads, reads every row of its files, and its gold labels are the policy's
names: a suite an analyst runs must not stop half-way on a bad row or score against a category that does not
exist (a misspelt `map` target would score every such post as an error)."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.config import PROJECT_ROOT
from triage.domain.policy import load_policy
from triage.evals.runner import load_examples
from triage.evals.suites import load_suite

SUITES = sorted((PROJECT_ROOT / "evals" / "suites").glob("*.yaml"))
POLICY = load_policy(PROJECT_ROOT / "policy")


def test_the_shipped_suites_are_found_and_named_once() -> None:
    names = [load_suite(path).name for path in SUITES]
    assert len(SUITES) >= 8
    assert "hatexplain_cv.v1" in names
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("path", SUITES, ids=lambda p: Path(p).stem)
def test_a_shipped_suite_reads_every_row_with_policy_labels(path: Path) -> None:
    suite = load_suite(path)
    files = [suite.dataset_path] + ([suite.memory_path] if suite.memory_path else [])
    for file in files:
        examples = load_examples(suite, file)
        assert examples, file
        assert all(ex.text.strip() for ex in examples), file
        for label, allowed in (("category", POLICY.categories), ("risk", POLICY.risk_order)):
            values = {ex.gold[label] for ex in examples if label in ex.gold}
            assert values <= set(allowed), (file, label, values - set(allowed))
