"""The flags' reference column (a per-flag logistic regression on frozen vectors) and `any_of` gold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from triage.evals.predictions import FlagScore, PredictionRow
from triage.evals.registry import find_metric
from triage.evals.runner import flag_baselines
from triage.evals.samples import FlagSample
from triage.evals.suites import Example, load_suite

HARM = ["I want to end my life tonight", "nobody would miss me if I killed myself", "I am cutting myself again",
        "planning to take all my pills and not wake up"]
FINE = ["where do I change my username", "the video will not upload on wifi", "how do I get verified",
        "my payout is late this month", "the app crashes when I open comments", "can I schedule a livestream"]


def _suite(tmp_path: Path) -> Any:
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in [
        {"text": "a", "a": 1, "b": 0}, {"text": "b", "a": 0, "b": 0}, {"text": "c", "a": 0},
        {"text": "d", "a": 0, "b": 1}]), encoding="utf-8")
    path = tmp_path / "suite.yaml"
    path.write_text(f"""\
name: flags.v1
dataset: {data}
fields: {{text: text}}
flags:
  a: {{categories: [self_harm]}}
  b: {{categories: [hate_speech]}}
  any: {{any_of: [a, b], categories: [self_harm, hate_speech]}}
  few: {{categories: [spam]}}
""", encoding="utf-8")
    return load_suite(path)


def test_any_of_gold_is_positive_on_any_one_negative_only_when_all_are_known(tmp_path: Path) -> None:
    from triage.evals.runner import load_examples

    suite = _suite(tmp_path)
    gold = [ex.flags["any"] for ex in load_examples(suite, suite.dataset_path)]
    assert gold == [1, 0, None, 1]


def test_the_baseline_learns_each_flag_from_the_memory_rows_that_carry_it(tmp_path: Path, embedder: Any) -> None:
    suite = _suite(tmp_path)
    memory = ([Example(id=f"h{i}", text=t, language="en", flags={"a": 1, "b": 0}) for i, t in enumerate(HARM)]
              + [Example(id=f"f{i}", text=t, language="en", flags={"a": 0, "b": None}) for i, t in enumerate(FINE)]
              + [Example(id="one", text="a single spam row", language="en", flags={"few": 1})])
    pending = [Example(id="p-harm", text="I am going to kill myself after school", language="en"),
               Example(id="p-fine", text="how do I reset my password", language="en")]
    scores = flag_baselines(suite, memory, pending, embedder)
    assert set(scores) == {"p-harm", "p-fine"}
    assert scores["p-harm"]["a"] > scores["p-fine"]["a"]
    # b: one class in the memory; few: one row; any: no memory row carries it -- none gets a baseline
    assert set(scores["p-harm"]) == {"a"}


def test_the_baseline_metrics_need_a_score_on_every_row() -> None:
    auprc = find_metric("flags.x.baseline_auprc")
    assert auprc is not None and not auprc.guarded
    full = FlagSample.build([1, 0, 1, 0], [0.9, 0.1, 0.2, 0.8], [True, False, False, True], [0.7, 0.6, 0.9, 0.1])
    assert auprc.compute(full) == 1.0
    partial = FlagSample.build([1, 0], [0.9, 0.1], [True, False], [0.7, None])
    assert auprc.compute(partial) is None  # a partly baselined run shows nothing rather than half a figure
    # rows written before the baseline existed still load, without one
    row = PredictionRow.model_validate({"id": "x", "needs_human": True, "path": "local",
                                        "flags": {"x": {"gold": 1, "score": 0.4, "predicted": False}}})
    assert isinstance(row.flags["x"], FlagScore) and row.flags["x"].baseline is None
    assert np.isnan(FlagSample.from_rows([row], "x").baseline).all()


def test_the_gap_to_the_baseline_has_a_paired_interval_that_says_when_it_is_noise() -> None:
    from triage.evals.report import _versus_baseline

    rng = np.random.default_rng(1)
    gold = rng.integers(0, 2, 400)
    noise = rng.standard_normal(400)
    better = FlagSample.build(list(gold), list(gold + 0.5 * noise), [False] * 400, list(gold + 2.0 * noise))
    versus = _versus_baseline(better)
    assert versus is not None and versus["verdict"] == "above"
    assert 0 < versus["ci95"][0] <= versus["delta"] <= versus["ci95"][1]
    worse = FlagSample.build(list(gold), list(gold + 2.0 * noise), [False] * 400, list(gold + 0.5 * noise))
    assert _versus_baseline(worse)["verdict"] == "below"  # type: ignore[index]
    other = rng.standard_normal(400)  # two scores of the same quality: the gap is noise
    same = FlagSample.build(list(gold), list(gold + noise), [False] * 400, list(gold + other))
    assert _versus_baseline(same)["verdict"] == "within noise"  # type: ignore[index]
    partial = FlagSample.build([1, 0], [0.9, 0.1], [True, False], [0.7, None])
    assert _versus_baseline(partial) is None
