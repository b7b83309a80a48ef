"""`--mode llm`: the same runner with the LLM decider, against the fake OpenAI-compatible server on
loopback (the only stand-in allowed), and the response cache keyed by model, prompt version and input."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.evals.test_runner import _write_suite
from tests.llm.fake_openai import FakeOpenAI
from triage.config import Settings
from triage.evals.runner import read_predictions, run_suite
from triage.evals.suites import load_suite


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


def _settings(tmp: Path, fake: FakeOpenAI, *, prompt_version: str = "v1") -> Settings:
    return Settings(
        environment="test", data_dir=tmp, log_json=False,
        llm={"base_url": fake.url, "model": "fake-model", "api_key": "test-key", "timeout_s": 2.0,
             "deadline_s": 6.0, "backoff_initial_s": 0.01, "backoff_max_s": 0.05, "prompt_version": prompt_version,
             "prices": {"fake-model": {"input_per_mtok": 1.0, "output_per_mtok": 2.0}}},
    )


def test_llm_mode_scores_through_the_llm_and_replays_from_the_cache(
    embedder: Any, tmp_path: Path, fake_llm: FakeOpenAI
) -> None:
    suite = load_suite(_write_suite(tmp_path, **{"robustness: {sample: 6}": ""}))
    cache = tmp_path / "llm-cache.jsonl"

    def run(out: str) -> dict[str, Any]:
        return asyncio.run(run_suite(suite, out_dir=tmp_path / out, settings=_settings(tmp_path, fake_llm),
                                     embedder=embedder, mode="llm", limit=4, llm_cache=cache))

    first = run("llm-1")
    assert first["cost"]["paths"] == {"llm": 4}
    assert first["cost"]["llm_calls_live"] == 4 and first["cost"]["llm_calls_cached"] == 0
    assert first["cost"]["prompt_tokens_live"] > 0 and first["cost"]["cost_usd_live"] > 0
    assert first["versions"]["llm_model"] == "fake-model" and first["versions"]["llm_prompt"] == "v1-compact-5-llm"
    # the fake LLM always answers harassment_bullying; only a local critical signal may override it
    categories = [r["predicted"]["category"] for r in read_predictions(tmp_path / "llm-1")]
    assert categories.count("harassment_bullying") >= 3
    asked = len(fake_llm.requests)

    second = run("llm-2")
    assert len(fake_llm.requests) == asked  # every answer came from the cache
    assert second["cost"]["llm_calls_cached"] == 4 and second["cost"]["llm_calls_live"] == 0
    assert [r["predicted"] for r in read_predictions(tmp_path / "llm-2")] == [
        r["predicted"] for r in read_predictions(tmp_path / "llm-1")]
