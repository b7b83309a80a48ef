"""Scale (issue 11): several workers only where they can share state, the store migration command, the
overlapped bulk import, and cross-request micro-batching in the real pipeline."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import SEED_FILE, settings_for
from tests.store.test_store_contract import DIM, make_cases
from triage.adapters.edge_store import EdgeCaseStore
from triage.adapters.qdrant_store import QdrantCaseStore
from triage.adapters.store_migration import already_migrated
from triage.cli import app
from triage.config import Settings
from triage.deployment import multi_process_problems
from triage.pipeline.pipeline import TicketFacts
from triage.services.cases import FieldMap, import_cases, read_rows

# -- serve --workers ------------------------------------------------------------------------------------


def test_several_workers_are_refused_on_the_embedded_store_and_sqlite(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_DATABASE__URL", f"sqlite:///{tmp_path / 'w.db'}")
    monkeypatch.setenv("TRIAGE_QDRANT__PATH", str(tmp_path / "qdrant"))
    r = CliRunner().invoke(app, ["serve", "--workers", "3"], env={"COLUMNS": "300"})
    assert r.exit_code == 2, r.output
    flat = " ".join(r.output.split())
    assert "--workers" in flat and "3 workers cannot share this configuration" in flat
    assert "TRIAGE_QDRANT__URL" in flat and "PostgreSQL" in flat
    assert not (tmp_path / "w.db").exists()  # refused before anything was opened


def test_the_reasons_name_only_what_is_missing() -> None:
    sqlite_server = Settings(environment="test", qdrant={"url": "http://qdrant:6333"})  # type: ignore[arg-type]
    problems = multi_process_problems(sqlite_server, 4)
    assert len(problems) == 1 and "sqlite" in problems[0] and "PostgreSQL" in problems[0]
    pg_embedded = Settings(environment="test", database={"url": "postgresql+psycopg://u@db:5432/t"})  # type: ignore[arg-type]
    problems = multi_process_problems(pg_embedded, 2)
    assert len(problems) == 1 and "only one process can open it" in problems[0]
    both = Settings(environment="test", database={"url": "postgresql+psycopg://u@db:5432/t"},  # type: ignore[arg-type]
                    qdrant={"url": "http://qdrant:6333"})
    assert multi_process_problems(both, 8) == []
    assert multi_process_problems(Settings(environment="test"), 1) == []


# -- triage cases migrate-store ------------------------------------------------------------------------


def test_migrate_store_command_copies_with_progress_and_resumes(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_QDRANT__PATH", str(tmp_path / "qdrant"))
    monkeypatch.setenv("TRIAGE_DATABASE__URL", f"sqlite:///{tmp_path / 'm.db'}")
    cases, vectors = make_cases(150, seed=3)
    local = QdrantCaseStore(dimension=DIM, collection="triage_cases", path=tmp_path / "qdrant")
    local.upsert(cases, vectors)
    local.close()
    runner = CliRunner()
    assert "Resumable" in runner.invoke(app, ["cases", "migrate-store", "--help"]).output
    r = runner.invoke(app, ["cases", "migrate-store"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    flat = " ".join(r.output.split())
    assert "copied 150 case(s)" in flat and "150/150" in flat
    edge_path = tmp_path / "qdrant" / "edge" / "triage_cases"
    store = EdgeCaseStore(edge_path, dimension=DIM, background=False)
    try:
        assert store.count() == 150 and already_migrated(store)
        assert store.info()["generation"] == 2  # the optimised copy was swapped in before the command returned
        assert store.search(vectors[17], limit=1)[0].case == cases[17]
    finally:
        store.close()
    again = runner.invoke(app, ["cases", "migrate-store", "--no-optimise"], env={"COLUMNS": "200"})
    assert again.exit_code == 0, again.output
    flat = " ".join(again.output.split())
    assert "copied 0 case(s)" in flat and "holds 150" in flat


def test_migrate_store_says_when_there_is_nothing_to_migrate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_QDRANT__PATH", str(tmp_path / "nothing"))
    r = CliRunner().invoke(app, ["cases", "migrate-store"], env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "nothing to migrate" in r.output
    refused = CliRunner().invoke(app, ["cases", "migrate-store"], env={"COLUMNS": "200",
                                                                       "TRIAGE_QDRANT__URL": "http://127.0.0.1:9"})
    assert refused.exit_code == 2 and "TRIAGE_QDRANT__URL" in refused.output


# -- bulk import -------------------------------------------------------------------------------------------


class WatchedEmbedder:
    """The real embedder, recording which thread embeds and failing on a chosen call (an interrupted import)."""

    def __init__(self, inner: Any, fail_on_call: int | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.threads: list[str] = []
        self.calls = 0
        self.fail_on_call = fail_on_call

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.threads.append(threading.current_thread().name)
        if self.calls == self.fail_on_call:
            raise RuntimeError("the model went away mid-import")
        return self.inner.embed(texts)  # type: ignore[no-any-return]


def test_import_embeds_in_a_worker_and_resumes_after_a_failure(tmp_path: Path, embedder: Any, make_components) -> None:
    comps = make_components(settings_for(tmp_path))
    rows = list(read_rows(SEED_FILE))[:45]
    failing = WatchedEmbedder(embedder, fail_on_call=3)
    with pytest.raises(RuntimeError, match="mid-import"):
        import_cases(rows, fields=FieldMap(), store=comps.store, embedder=failing, sessions=comps.sessions,
                     source="seed", batch_size=10)
    assert all(name.startswith("import-embed") for name in failing.threads)
    # batches 1 and 2 were embedded and written before batch 3 failed; nothing half-written
    assert comps.store.count() == 20
    watched = WatchedEmbedder(embedder)
    report = import_cases(rows, fields=FieldMap(), store=comps.store, embedder=watched, sessions=comps.sessions,
                          source="seed", batch_size=10)
    assert (report.imported, report.skipped_duplicates, report.read) == (25, 20, 45)
    assert comps.store.count() == 45
    from sqlalchemy import func, select

    from triage.db.models import CaseRow

    with comps.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CaseRow)) == 45
    assert watched.calls == 3  # only the three batches not stored yet were embedded


# -- micro-batching in the pipeline ------------------------------------------------------------------------


def _facts(i: int, body: str) -> TicketFacts:
    return TicketFacts(id=f"t{i}", subject="", body=body, channel="api", reporter_type="user", language="en",
                       region=None, received_at=datetime(2026, 11, 30, tzinfo=UTC))


def test_concurrent_decisions_share_a_pass_and_match_decisions_made_alone(seeded_dir: Path, tmp_path: Path,
                                                                          make_components) -> None:
    shutil.copytree(seeded_dir, tmp_path, dirs_exist_ok=True)
    comps = make_components(settings_for(tmp_path, embedding={"micro_batch": True, "micro_batch_max": 32}))
    pipeline = comps.pipeline
    assert pipeline.micro_batcher is not None
    bodies = [json.loads(line)["body"] for line in SEED_FILE.read_text(encoding="utf-8").splitlines()[:10]]
    facts = [_facts(i, b) for i, b in enumerate(bodies)]

    async def together() -> list[Any]:
        return list(await asyncio.gather(*(pipeline.decide(f) for f in facts)))

    shared = asyncio.run(together())
    assert len(pipeline.micro_batcher.group_sizes) < len(facts)  # some requests shared a pass
    assert max(pipeline.micro_batcher.group_sizes) > 1
    batcher, pipeline.micro_batcher = pipeline.micro_batcher, None
    try:
        alone = [asyncio.run(pipeline.decide(f)) for f in facts]
    finally:
        pipeline.micro_batcher = batcher
    for a, b in zip(shared, alone, strict=True):
        assert (a.category, a.risk, a.queue, a.needs_human) == (b.category, b.risk, b.queue, b.needs_human)
        assert a.category_confidence == pytest.approx(b.category_confidence, abs=1e-3)
        assert [c["id"] for c in a.similar_cases] == [c["id"] for c in b.similar_cases]


def test_micro_batching_can_be_switched_off(tmp_path: Path, make_components) -> None:
    comps = make_components(settings_for(tmp_path, embedding={"micro_batch": False}))
    assert comps.pipeline.micro_batcher is None
