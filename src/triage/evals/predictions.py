"""One row of predictions.jsonl, typed: what the runner writes per example and what reports and compare read.

`PredictionRow` names every key the runner writes. Keys added later have defaults, so rows written by
older versions still load (a comparison may pair an old run with a new one); unknown keys are kept as
they are (``extra="allow"``) and written back unchanged. A row is written with
``model_dump(exclude_unset=True)``, so a row read and written again keeps exactly its keys.

Reading validates each row. A line that is not JSON at the end of the file is a torn write (the run was
interrupted mid-batch) and is dropped, as a resumed run expects; any other bad line raises
`InvalidPredictions` naming the file and the line.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from triage.domain.tickets import Channel, ReporterType
from triage.evals.suites import SuiteError
from triage.pipeline.decision import DecisionPath

__all__ = [
    "PREDICTIONS", "CriticalHitRow", "DraftCheck", "FlagScore", "InvalidPredictions", "LlmUsage", "PredictionRow",
    "RobustnessCheck", "append_predictions", "read_prediction_rows", "read_predictions",
]

log = logging.getLogger(__name__)

PREDICTIONS = "predictions.jsonl"


class InvalidPredictions(SuiteError):
    """A predictions.jsonl line is not a prediction row (the error names the file and the line)."""

    title = "Invalid predictions file"


class _Row(BaseModel):
    model_config = ConfigDict(extra="allow")


class FlagScore(_Row):
    gold: int | None = Field(description="1/0 from the dataset; None when the row does not carry the key (unknown)")
    score: float = Field(description="the ranking score (AUPRC/AUROC)")
    predicted: bool = Field(description="the decision at the operating point")
    baseline: float | None = Field(
        default=None, description="the reference score: a per-flag logistic regression on the frozen embedding of "
                                  "the memory rows that carry the key (None when the memory cannot fit one)")


class DraftCheck(_Row):
    language: str = Field(description="detected language of the draft reply")
    language_match: bool
    issues: list[str] = Field(default_factory=list, description="the guard's rule checks that failed")
    similarity: float | None = Field(default=None, description="cosine to the reference reply, when there is one")
    rouge_l: float | None = Field(default=None, description="ROUGE-L F1 against the reference reply")


class RobustnessCheck(_Row):
    flipped: bool = Field(description="a scored label, category or risk changed with the injection appended")
    changed: list[str] = Field(default_factory=list)
    injection_flagged: bool


class CriticalHitRow(_Row):
    """One hit of the critical detector (`CriticalHit.as_dict`); its evidence fields are kept as extras."""

    group: str
    category: str
    risk: str
    score: float
    threshold: float


class LlmUsage(_Row):
    """The decision's LLM usage (empty on the local path); `cached` is set by the eval runner's cache."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    cached: bool = False
    calls: int = 0
    retries: int = 0
    reasks: int = 0
    latency_ms: float = 0.0
    structured_output: str | None = Field(default=None, description="the structured-output rung that answered")
    prompt_tokens_estimate: int | None = Field(default=None, description="the classify prompt's bounded size")
    examples_shown: int | None = Field(default=None, description="past cases in the classify prompt")


class PredictionRow(_Row):
    """One scored example."""

    id: str
    fold: int = 0
    language: str | None = Field(default=None, description="the dataset's language, else the detected one")
    channel: Channel | None = Field(default=None, description="the ticket's channel (None in rows before it was kept)")
    reporter_type: ReporterType | None = None
    region: str | None = None
    gold: dict[str, str] = Field(default_factory=dict, description="scored label -> gold value (mapped)")
    predicted: dict[str, str | None] = Field(default_factory=dict)
    confidence: dict[str, float | None] = Field(default_factory=dict)
    probabilities: dict[str, dict[str, float]] = Field(default_factory=dict)
    flags: dict[str, FlagScore] = Field(default_factory=dict)
    needs_human: bool
    path: DecisionPath
    latency_ms: dict[str, float] = Field(default_factory=dict, description="per pipeline stage")
    usage: LlmUsage = Field(default_factory=LlmUsage)
    draft: DraftCheck | None = None
    decision_flags: list[str] = Field(default_factory=list)
    reason_codes: list[str] = Field(default_factory=list, description="why the decision needs a person")
    also: list[str] = Field(default_factory=list, description="secondary categories with evidence")
    critical: list[CriticalHitRow] = Field(default_factory=list, description="the critical detector's hits")
    robustness: RobustnessCheck | None = None

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json", exclude_unset=True), ensure_ascii=False)


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors())


def _read(path: Path, *, repair: bool) -> list[tuple[dict[str, Any], PredictionRow]]:
    if not path.exists():
        return []
    lines = [(n, line) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.strip()]
    rows: list[tuple[dict[str, Any], PredictionRow]] = []
    for i, (number, line) in enumerate(lines):
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            if i == len(lines) - 1:  # a torn last line: the write was interrupted
                log.warning("dropping a torn last line (line %s) from %s", number, path)
                if repair:
                    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d, _ in rows),
                                    encoding="utf-8")
                break
            raise InvalidPredictions(f"{path}: line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(data, dict):
            raise InvalidPredictions(f"{path}: line {number}: not a prediction row (a JSON object)")
        try:
            rows.append((data, PredictionRow.model_validate(data)))
        except ValidationError as exc:
            raise InvalidPredictions(f"{path}: line {number}: not a prediction row: {_problems(exc)}") from exc
    return rows


def read_predictions(out_dir: Path, *, repair: bool = False) -> list[dict[str, Any]]:
    """The rows of `out_dir`/predictions.jsonl as JSON objects, each validated as a `PredictionRow`.

    A torn last line is dropped (and removed from the file with `repair`); any other bad line raises
    `InvalidPredictions` naming the line.
    """
    return [data for data, _ in _read(out_dir / PREDICTIONS, repair=repair)]


def read_prediction_rows(out_dir: Path) -> list[PredictionRow]:
    """The rows of `out_dir`/predictions.jsonl, typed (validated as `read_predictions` does)."""
    return [row for _, row in _read(out_dir / PREDICTIONS, repair=False)]


def append_predictions(path: Path, rows: list[PredictionRow]) -> None:
    """Append one batch at once, so an interrupted run loses at most the batch being written."""
    with path.open("a", encoding="utf-8") as fh:
        fh.write("".join(row.to_json() + "\n" for row in rows))
        fh.flush()
