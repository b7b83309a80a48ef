"""predictions.jsonl rows are typed: validated when read (a resumed run, compare), written back unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.evals.predictions import InvalidPredictions, PredictionRow, read_predictions


def _row(i: int) -> str:
    return json.dumps({
        "id": f"ex-{i}", "fold": 0, "language": "en", "channel": "api", "reporter_type": "user", "region": None,
        "gold": {"category": "spam"}, "predicted": {"category": "spam"}, "confidence": {"category": 0.9},
        "probabilities": {}, "flags": {"harm": {"gold": None, "score": 0.1, "predicted": False}},
        "needs_human": False, "path": "local", "latency_ms": {"embed_ms": 1.0}, "usage": {},
        "draft": {"language": "en", "language_match": True, "issues": []}, "decision_flags": [],
        "reason_codes": ["critical_detector"], "also": [],
        "critical": [{"group": "g", "category": "self_harm", "risk": "critical", "score": 0.9, "threshold": 0.5,
                      "exemplar": "x", "exemplar_language": "en", "signal": None}],
    })


def test_a_bad_row_is_refused_with_its_line_and_a_torn_last_line_dropped(tmp_path: Path) -> None:
    good = [_row(i) for i in range(3)]
    path = tmp_path / "predictions.jsonl"
    path.write_text("\n".join(good) + "\n" + '{"id": "torn', encoding="utf-8")
    assert len(read_predictions(tmp_path, repair=True)) == 3
    assert path.read_text(encoding="utf-8").count("\n") == 3  # the torn line is gone
    bad = json.loads(good[1]) | {"needs_human": "maybe"}
    path.write_text("\n".join([good[0], json.dumps(bad), good[2]]) + "\n", encoding="utf-8")
    with pytest.raises(InvalidPredictions, match=r"predictions.jsonl: line 2: not a prediction row: needs_human"):
        read_predictions(tmp_path)
    wrong_channel = json.loads(good[2]) | {"channel": "eval"}
    path.write_text("\n".join([good[0], good[1], json.dumps(wrong_channel)]) + "\n", encoding="utf-8")
    with pytest.raises(InvalidPredictions, match="line 3: not a prediction row: channel"):  # valid JSON: not torn
        read_predictions(tmp_path)
    path.write_text("\n".join([good[0], "{not json", good[2]]) + "\n", encoding="utf-8")
    with pytest.raises(InvalidPredictions, match="line 2: not JSON"):  # not the last line: not a torn write
        read_predictions(tmp_path)


def test_rows_round_trip_and_rows_of_older_runs_still_load() -> None:
    new = json.loads(_row(0))
    row = PredictionRow.model_validate(new)
    assert row.critical[0].risk == "critical" and row.critical[0].model_extra == {
        "exemplar": "x", "exemplar_language": "en", "signal": None}
    assert json.loads(row.to_json()) == new
    old = {"id": "x", "fold": 0, "language": "en", "gold": {"category": "spam"}, "predicted": {"category": "spam"},
           "confidence": {"category": 0.9}, "probabilities": {}, "flags": {}, "needs_human": False, "path": "local",
           "latency_ms": {}, "usage": {}, "draft": None, "extra_key": [1]}  # before reason codes and channels
    row = PredictionRow.model_validate(old)
    assert row.channel is None and row.reason_codes == [] and row.critical == []
    assert json.loads(row.to_json()) == old  # written back with exactly its keys
