"""The `CaseStore` contract, run against every implementation: edge, qdrant-client local mode, a server.

Synthetic unit vectors (seeded numpy) stand in for embeddings, so the whole module runs in seconds. The
server variant runs only when a Qdrant server answers on 127.0.0.1:6333.
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from triage.adapters import edge_store, qdrant_store
from triage.adapters.edge_store import EdgeCaseStore, EdgeTuning
from triage.adapters.qdrant_store import QdrantCaseStore
from triage.adapters.store_migration import migrate_local_store
from triage.components import edge_store_path, open_store
from triage.config import Settings
from triage.domain.cases import Case, case_id_for
from triage.errors import NotFound, StoreUnavailable
from triage.ports import CaseStore

DIM = 24
LANGUAGES = ("en", "fr", "de")
CATEGORIES = ("spam", "fraud", "harassment", "account_access")
SERVER = ("127.0.0.1", 6333)


def _server_up() -> bool:
    try:
        with socket.create_connection(SERVER, timeout=0.5):
            return True
    except OSError:
        return False


def unit(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.standard_normal((n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def make_cases(n: int, *, start: int = 0, seed: int = 0) -> tuple[list[Case], np.ndarray]:
    cases = [
        Case(id=case_id_for(f"case-{i}"), key=f"case-{i}", text=f"ticket number {i}",
             language=LANGUAGES[i % len(LANGUAGES)], category=CATEGORIES[i % len(CATEGORIES)],
             risk=("low", "high")[i % 2], queue="general", extra={"n": str(i)})
        for i in range(start, start + n)
    ]
    return cases, unit(np.random.default_rng(seed + start), n)


class Backend:
    """Opens (and reopens) one implementation on one place: a directory or a server collection."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        self.where = tmp_path / kind
        self.collection = f"contract_{uuid.uuid4().hex[:10]}"
        self.opened: list[CaseStore] = []

    def open(self) -> CaseStore:
        store: CaseStore
        if self.kind == "edge":
            store = EdgeCaseStore(self.where, dimension=DIM, collection=self.collection)
        elif self.kind == "local":
            store = QdrantCaseStore(dimension=DIM, collection=self.collection, path=self.where)
        else:
            store = QdrantCaseStore(dimension=DIM, collection=self.collection, url=f"http://{SERVER[0]}:{SERVER[1]}")
        self.opened.append(store)
        return store

    def cleanup(self) -> None:
        for store in self.opened:
            try:
                if self.kind == "server":
                    store._client.delete_collection(self.collection)  # type: ignore[attr-defined]
                store.close()
            except Exception:  # closed by the test already
                pass


@pytest.fixture(params=["edge", "local", "server"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "server" and not _server_up():
        pytest.skip("no Qdrant server on 127.0.0.1:6333")
    b = Backend(request.param, tmp_path)
    yield b
    b.cleanup()


@pytest.fixture
def store(backend: Backend) -> CaseStore:
    return backend.open()


@pytest.fixture
def filled(store: CaseStore) -> tuple[CaseStore, list[Case], np.ndarray]:
    cases, vectors = make_cases(120)
    store.upsert(cases, vectors)
    return store, cases, vectors


def test_upsert_then_count(store: CaseStore) -> None:
    cases, vectors = make_cases(50)
    store.upsert(cases[:20], vectors[:20])
    store.upsert(cases[20:], vectors[20:])
    store.upsert([], np.zeros((0, DIM), dtype=np.float32))
    assert store.count() == 50


def test_a_payload_lite_read_keeps_every_label_and_cases_of_reads_whole_cases(
    filled: tuple[CaseStore, list[Case], np.ndarray],
) -> None:
    store, cases, _ = filled
    lite, none = store.all_cases(with_vectors=False, with_text=False)
    assert none.shape[0] == 0
    by_id = {c.id: c for c in cases}
    assert sorted(c.id for c in lite) == sorted(by_id)
    for c in lite:
        assert c.text == "" and c == by_id[c.id].model_copy(update={"text": "", "final_reply": None})
    wanted = [cases[5].id, cases[0].id, cases[5].id]
    assert store.cases_of(wanted) == [cases[5], cases[0], cases[5]]
    assert store.cases_of([]) == []
    with pytest.raises(NotFound, match="1 of 2 asked"):
        store.cases_of([cases[1].id, case_id_for("never-written")])


def test_a_case_without_a_category_is_kept_and_read_but_never_a_search_hit(backend: Backend, store: CaseStore
                                                                           ) -> None:
    """It only rules categories out (`Case.category is None`): the memory holds it for the one-vs-rest heads, and
    search, filtered or not, one vector or many, gives the labelled cases only, also after a reopen (local mode
    applies the condition only to a collection that has such cases: it finds out on its first search)."""
    cases, vectors = make_cases(6)
    unnamed = [Case(id=case_id_for(f"unnamed-{i}"), key=f"unnamed-{i}", text=f"post {i}", language="en",
                    unknown=["spam", "fraud"]) for i in range(6)]
    store.upsert(cases + unnamed, np.vstack([vectors, vectors]))  # each at the very place of a labelled one
    assert store.count() == 12
    # counted apart (`{"category": None}`): the memory's size as evidence is the labelled cases only
    assert store.count({"category": None}) == 6
    assert store.count({"category": None, "language": "en"}) == 6
    assert store.count({"category": None, "language": "de"}) == 0
    assert store.cases_of([unnamed[2].id]) == [unnamed[2]]
    paged = {c.id: c for page in store.label_pages() for c in page}
    assert paged[unnamed[0].id].category is None and paged[unnamed[0].id].unknown == ["spam", "fraud"]
    hits = store.search(vectors[0], limit=12)
    assert len(hits) == 6 and all(h.case.category is not None for h in hits)
    assert len(store.search(vectors[0], limit=12, filters={"language": "en"})) == 2
    for row in store.search_many(vectors, limit=12):
        assert len(row) == 6 and all(h.case.category is not None for h in row)
    store.close()
    again = backend.open()
    nearest = again.search(vectors[1], limit=6)  # the 6 labelled ones, not 3 of them and their unnamed twins
    assert len(nearest) == 6 and nearest[0].case.id == cases[1].id
    assert all(len(row) == 6 for row in again.search_many(vectors[:2], limit=6))


def test_label_pages_give_every_case_once_payload_lite_a_page_at_a_time(store: CaseStore) -> None:
    cases, vectors = make_cases(2_100)  # more than two pages of 1,024
    cases = [c.model_copy(update={"final_reply": f"reply {i}"}) for i, c in enumerate(cases)]
    store.upsert(cases, vectors)
    pages = list(store.label_pages())
    assert [len(p) for p in pages] == [1024, 1024, 52]
    got = sorted((c for p in pages for c in p), key=lambda c: c.id)
    # every label of every case, without its text and final reply
    assert got == sorted((c.model_copy(update={"text": "", "final_reply": None}) for c in cases), key=lambda c: c.id)


def test_count_with_filters(filled: tuple[CaseStore, list[Case], np.ndarray]) -> None:
    store, cases, _ = filled
    for language in LANGUAGES:
        assert store.count({"language": language}) == sum(c.language == language for c in cases)
    assert store.count({"language": list(LANGUAGES[:2])}) == sum(c.language in LANGUAGES[:2] for c in cases)
    assert store.count({"language": "xx"}) == 0
    assert store.count({"language": LANGUAGES[0], "risk": "high"}) == sum(
        c.language == LANGUAGES[0] and c.risk == "high" for c in cases)
    assert store.count(None) == store.count() == len(cases)


def test_search_returns_the_nearest_first(filled: tuple[CaseStore, list[Case], np.ndarray]) -> None:
    store, cases, vectors = filled
    hits = store.search(vectors[7], limit=10)
    assert len(hits) == 10
    assert hits[0].case == cases[7]
    assert hits[0].similarity == pytest.approx(1.0, abs=1e-4)
    sims = [h.similarity for h in hits]
    assert sims == sorted(sims, reverse=True)
    assert all(-1.0 - 1e-6 <= s <= 1.0 + 1e-6 for s in sims)
    exact = np.argsort(-(vectors @ vectors[7]))[:10]
    assert [h.case.id for h in hits] == [cases[i].id for i in exact]


def test_filters_single_value_and_list(filled: tuple[CaseStore, list[Case], np.ndarray]) -> None:
    store, cases, vectors = filled
    fr = store.search(vectors[0], limit=15, filters={"language": "fr"})
    assert len(fr) == 15 and all(h.case.language == "fr" for h in fr)
    either = store.search(vectors[0], limit=60, filters={"language": ["fr", "de"]})
    assert {h.case.language for h in either} == {"fr", "de"}
    both = store.search(vectors[0], limit=200, filters={"language": "en", "category": ["spam", "fraud"]})
    expected = {c.id for c in cases if c.language == "en" and c.category in ("spam", "fraud")}
    assert {h.case.id for h in both} == expected
    assert store.search(vectors[0], limit=5, filters={"language": "xx"}) == []


def test_search_many(filled: tuple[CaseStore, list[Case], np.ndarray]) -> None:
    store, cases, vectors = filled
    results = store.search_many(vectors[[3, 40, 99]], limit=4)
    assert [r[0].case.id for r in results] == [cases[3].id, cases[40].id, cases[99].id]
    assert all(len(r) == 4 for r in results)
    assert store.search_many(np.zeros((0, DIM), dtype=np.float32), limit=4) == []


def test_existing_ids(filled: tuple[CaseStore, list[Case], np.ndarray]) -> None:
    store, cases, _ = filled
    unknown = str(uuid.uuid4())
    assert store.existing_ids([cases[0].id, cases[5].id, unknown]) == {cases[0].id, cases[5].id}
    assert store.existing_ids([]) == set()


def test_all_cases_with_and_without_vectors(filled: tuple[CaseStore, list[Case], np.ndarray]) -> None:
    store, cases, vectors = filled
    got, array = store.all_cases(with_vectors=True)
    assert sorted(c.id for c in got) == sorted(c.id for c in cases)
    assert array.shape == (len(cases), DIM)
    by_id = {c.id: v for c, v in zip(cases, vectors, strict=True)}
    for c, v in zip(got, array, strict=True):
        np.testing.assert_allclose(v, by_id[c.id], atol=1e-5)
    assert {c.id: c for c in got} == {c.id: c for c in cases}
    bare, none = store.all_cases(with_vectors=False)
    assert sorted(c.id for c in bare) == sorted(c.id for c in cases)
    assert none.shape[0] == 0


def test_vectors_of_reads_the_stored_vectors_of_given_ids_in_their_order(
    filled: tuple[CaseStore, list[Case], np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, cases, vectors = filled
    monkeypatch.setattr(edge_store, "_CHUNK", 7)  # many chunks of ids per call
    monkeypatch.setattr(qdrant_store, "_CHUNK", 7)
    order = [99, 3, 40, 3, *range(100, 120), 0]  # any order, an id asked twice
    got = store.vectors_of([cases[i].id for i in order])
    assert got.dtype == np.float32 and got.shape == (len(order), DIM)
    np.testing.assert_allclose(got, vectors[order], atol=1e-5)
    # exactly what a read of the whole memory gives (a fit on the sample sees the same numbers)
    every, array = store.all_cases(with_vectors=True)
    np.testing.assert_array_equal(store.vectors_of([c.id for c in every]), array)
    assert store.vectors_of([cases[5].id.upper()]).tolist() == store.vectors_of([cases[5].id]).tolist()
    assert store.vectors_of([]).shape == (0, DIM)
    unknown = str(uuid.uuid4())
    with pytest.raises(NotFound, match=unknown):
        store.vectors_of([cases[1].id, unknown, cases[2].id])


def test_upsert_of_an_existing_id_replaces_it(filled: tuple[CaseStore, list[Case], np.ndarray]) -> None:
    store, cases, vectors = filled
    relabelled = cases[9].model_copy(update={"category": "relabelled", "status": "edited"})
    store.upsert([relabelled], vectors[9:10])
    assert store.count() == len(cases)
    hit = store.search(vectors[9], limit=1)[0]
    assert hit.case.category == "relabelled" and hit.case.status == "edited"
    assert [h.case.id for h in store.search(vectors[9], limit=3, filters={"category": "relabelled"})] == [
        cases[9].id]
    assert cases[9].id not in {h.case.id for h in store.search(vectors[9], limit=50,
                                                                  filters={"category": cases[9].category})}


def test_revision_changes_on_every_write(store: CaseStore) -> None:
    cases, vectors = make_cases(3)
    seen = {store.revision()}
    for i in range(3):
        store.upsert(cases[i:i + 1], vectors[i:i + 1])
        seen.add(store.revision())
    store.upsert(cases[:1], vectors[:1])  # the same case again: still a write
    seen.add(store.revision())
    assert len(seen) == 5


def test_changes_since_gives_each_case_written_since_a_revision_once_as_last_written(store: CaseStore) -> None:
    cases, vectors = make_cases(4)
    start = store.revision()
    store.upsert(cases[:2], vectors[:2])
    middle = store.revision()
    relabelled = cases[0].model_copy(update={"category": "fraud"})
    store.upsert([relabelled, cases[2]], vectors[[3, 2]])
    changes = store.changes_since(middle)
    if isinstance(store, QdrantCaseStore):  # other processes may write to a server: it cannot say
        assert changes is None
        return
    assert changes is not None and changes.revision == store.revision()
    assert [c.id for c in changes.cases] == [cases[0].id, cases[2].id]
    assert changes.cases[0].category == "fraud"
    np.testing.assert_array_equal(changes.vectors, vectors[[3, 2]])
    since_start = store.changes_since(start)
    assert since_start is not None
    assert sorted(c.id for c in since_start.cases) == sorted(c.id for c in cases[:3])
    assert [c.category for c in since_start.cases if c.id == cases[0].id] == ["fraud"]
    nothing = store.changes_since(store.revision())
    assert nothing is not None and nothing.cases == [] and nothing.vectors.shape == (0, DIM)


def test_the_edge_journal_is_bounded_and_then_says_it_cannot_tell(tmp_path: Path) -> None:
    store = EdgeCaseStore(tmp_path / "edge", dimension=DIM, tuning=EdgeTuning(journal_cases=5))
    try:
        cases, vectors = make_cases(8)
        for i in range(0, 8, 2):  # four writes of two cases
            store.upsert(cases[i:i + 2], vectors[i:i + 2])
        assert store.changes_since(0) is None  # the first writes were forgotten
        assert store.changes_since(1) is None
        kept = store.changes_since(2)  # the last two writes (four cases) are kept
        assert kept is not None and [c.id for c in kept.cases] == [c.id for c in cases[6:8] + cases[4:6]]
    finally:
        store.close()


def test_a_clean_restart_keeps_the_content_token_and_a_write_changes_it(backend: Backend) -> None:
    store = backend.open()
    cases, vectors = make_cases(3)
    store.upsert(cases[:2], vectors[:2])
    token = store.content_token()
    if isinstance(store, QdrantCaseStore):  # other processes may write to a server: it cannot vouch
        assert token is None and not store.same_content("anything")
        return
    assert token is not None and store.same_content(token)
    assert not (backend.where / "STATE").exists()  # while open there is none: a crash leaves no token behind
    store.close()
    again = backend.open()
    assert again.same_content(token)  # closed cleanly and opened: the same content
    again.close()
    third = backend.open()  # and once more, with nothing written in between
    assert third.same_content(token)
    third.upsert(cases[2:], vectors[2:])
    assert not third.same_content(token)
    assert third.same_content(third.content_token() or "")


def test_an_empty_store_answers_with_nothing(store: CaseStore) -> None:
    q = unit(np.random.default_rng(1), 2)
    assert store.count() == 0
    assert store.search(q[0], limit=5) == []
    assert store.search(q[0], limit=5, filters={"language": ["en"]}) == []
    assert store.search_many(q, limit=5) == [[], []]
    cases, array = store.all_cases()
    assert cases == [] and array.shape == (0, DIM)


def test_reopen_after_close_keeps_everything(backend: Backend, store: CaseStore) -> None:
    cases, vectors = make_cases(80)
    store.upsert(cases, vectors)
    before = [h.case.id for h in store.search(vectors[11], limit=5)]
    store.close()
    again = backend.open()
    assert again.count() == 80
    assert [h.case.id for h in again.search(vectors[11], limit=5)] == before
    got, array = again.all_cases()
    by_id = {c.id: v for c, v in zip(cases, vectors, strict=True)}
    for c, v in zip(got, array, strict=True):
        np.testing.assert_allclose(v, by_id[c.id], atol=1e-5)


# -- edge only ---------------------------------------------------------------------------------------

def _local_store(path: Path, collection: str, n: int) -> tuple[list[Case], np.ndarray]:
    cases, vectors = make_cases(n, seed=5)
    local = QdrantCaseStore(dimension=DIM, collection=collection, path=path)
    local.upsert(cases, vectors)
    local.close()
    return cases, vectors


def test_migration_from_a_local_mode_store(tmp_path: Path) -> None:
    cases, vectors = _local_store(tmp_path / "local", "triage_cases", 300)
    edge = EdgeCaseStore(tmp_path / "edge", dimension=DIM)
    try:
        progress: list[int] = []
        assert migrate_local_store(tmp_path / "local", "triage_cases", edge, batch=64,
                                   on_progress=progress.append) == 300
        assert edge.count() == 300 and progress[-1] == 300
        local = QdrantCaseStore(dimension=DIM, collection="triage_cases", path=tmp_path / "local")
        try:
            for i in (0, 17, 299):
                assert edge.search(vectors[i], limit=1)[0].case == local.search(vectors[i], limit=1)[0].case
        finally:
            local.close()
        # resumable: what is there already is skipped
        assert migrate_local_store(tmp_path / "local", "triage_cases", edge) == 0
        assert edge.count() == 300
    finally:
        edge.close()


def test_open_store_migrates_a_local_store_on_first_start_only(tmp_path: Path) -> None:
    settings = Settings(environment="test", qdrant={"path": tmp_path / "qdrant"})  # type: ignore[arg-type]
    cases, vectors = _local_store(tmp_path / "qdrant", settings.qdrant.collection, 40)
    store = open_store(settings, dimension=DIM)
    assert isinstance(store, EdgeCaseStore)
    assert store.path == edge_store_path(settings)
    assert store.count() == 40
    assert store.search(vectors[3], limit=1)[0].case == cases[3]
    store.close()
    # the old files stay untouched, and a second start does not copy them again
    more, more_vectors = make_cases(5, start=1000)
    local = QdrantCaseStore(dimension=DIM, collection=settings.qdrant.collection, path=tmp_path / "qdrant")
    local.upsert(more, more_vectors)
    local.close()
    again = open_store(settings, dimension=DIM)
    try:
        assert again.count() == 40
    finally:
        again.close()


def test_in_memory_stores_are_isolated_temporary_edge_stores(tmp_path: Path) -> None:
    settings = Settings(environment="test", qdrant={"path": tmp_path / "qdrant"})  # type: ignore[arg-type]
    a = open_store(settings, dimension=DIM, in_memory=True)
    b = open_store(settings, dimension=DIM, in_memory=True)
    assert isinstance(a, EdgeCaseStore) and isinstance(b, EdgeCaseStore)
    cases, vectors = make_cases(10)
    a.upsert(cases, vectors)
    assert (a.count(), b.count()) == (10, 0)
    where = a.path
    a.close()
    b.close()
    assert not where.exists()
    assert not (tmp_path / "qdrant").exists()


def test_engine_local_keeps_qdrant_client_local_mode(tmp_path: Path) -> None:
    settings = Settings(environment="test", qdrant={"path": tmp_path / "q", "engine": "local"})  # type: ignore[arg-type]
    store = open_store(settings, dimension=DIM)
    try:
        assert isinstance(store, QdrantCaseStore)
    finally:
        store.close()


def test_a_closed_edge_store_says_so(tmp_path: Path) -> None:
    store = EdgeCaseStore(tmp_path / "edge", dimension=DIM)
    store.close()
    store.close()  # twice is fine
    for call in (store.count, lambda: store.search(unit(np.random.default_rng(0), 1)[0], limit=3)):
        with pytest.raises(StoreUnavailable):
            call()


def test_a_second_open_of_the_same_edge_directory_is_refused(tmp_path: Path) -> None:
    store = EdgeCaseStore(tmp_path / "edge", dimension=DIM)
    try:
        with pytest.raises(StoreUnavailable):
            EdgeCaseStore(tmp_path / "edge", dimension=DIM)
    finally:
        store.close()


def _tuning() -> EdgeTuning:
    return EdgeTuning(index_threshold=500, idle_seconds=0.2, optimize_every=1_000)


def test_optimisation_swaps_in_a_new_generation_and_keeps_writes_made_meanwhile(tmp_path: Path) -> None:
    store = EdgeCaseStore(tmp_path / "edge", dimension=DIM, tuning=_tuning(), background=False)
    try:
        cases, vectors = make_cases(3_000)
        store.upsert(cases, vectors)
        assert store.info()["indexed"] == 0
        errors: list[BaseException] = []
        searched: list[int] = []
        late, late_vectors = make_cases(50, start=10_000)

        def optimise() -> None:
            try:
                store.optimize(wait=True)
            except BaseException as exc:  # reported below
                errors.append(exc)

        worker = threading.Thread(target=optimise)
        worker.start()
        while worker.is_alive():  # requests keep being answered, and writes land, while it runs
            hits = store.search(vectors[len(searched) % 3_000], limit=3)
            assert hits[0].case.id == cases[len(searched) % 3_000].id
            if len(searched) == 5:
                store.upsert(late, late_vectors)
            searched.append(1)
        worker.join()
        assert not errors, errors
        assert len(searched) > 5, "the optimisation finished before the concurrent write"
        info = store.info()
        assert info["generation"] == 2 and info["indexed"] >= 3_000
        assert store.count() == 3_050
        assert store.search(late_vectors[7], limit=1)[0].case.id == late[7].id
        assert sorted(p.name for p in store.path.iterdir() if p.name.startswith("gen-")) == ["gen-000002"]
    finally:
        store.close()
    reopened = EdgeCaseStore(tmp_path / "edge", dimension=DIM, background=False)
    try:
        assert reopened.info()["generation"] == 2
        assert reopened.search(vectors[42], limit=1)[0].case.id == cases[42].id
    finally:
        reopened.close()


def test_the_background_thread_optimises_once_writes_pause(tmp_path: Path) -> None:
    store = EdgeCaseStore(tmp_path / "edge", dimension=DIM, tuning=_tuning())
    try:
        cases, vectors = make_cases(1_500)
        store.upsert(cases, vectors)
        _wait_until(lambda: store.info()["generation"] >= 2, seconds=60)
        assert store.info()["indexed"] >= 1_000
        assert store.count() == 1_500
    finally:
        store.close()


def test_a_leftover_generation_from_a_crash_is_removed_at_open(tmp_path: Path) -> None:
    store = EdgeCaseStore(tmp_path / "edge", dimension=DIM, background=False)
    cases, vectors = make_cases(20)
    store.upsert(cases, vectors)
    store.close()
    (tmp_path / "edge" / "gen-000002").mkdir()  # a copy that was being optimised when the process died
    again = EdgeCaseStore(tmp_path / "edge", dimension=DIM, background=False)
    try:
        assert again.count() == 20
        assert not (tmp_path / "edge" / "gen-000002").exists()
    finally:
        again.close()


def _wait_until(condition: Callable[[], bool], *, seconds: float) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
