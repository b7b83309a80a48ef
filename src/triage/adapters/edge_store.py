"""Case memory in qdrant-edge: Qdrant's embeddable engine (HNSW, payload indexes) inside this process.

Why it is built this way
------------------------
* **One process.** An edge shard is a directory that one process opens (its WAL is file-locked; a second
  open fails). There are no other writers, so `revision()` is a counter bumped on every write here.
* **Optimisation never runs in the serving process.** `EdgeShard.optimize()` (building HNSW, merging
  segments) holds the GIL for its whole run in qdrant-edge-py 0.9 (tens of seconds at 100k points), so
  a background *thread* would freeze every request. Instead a background thread copies the shard to a
  new *generation* directory, a child process (`nice`d) optimises the copy, and the thread swaps the new
  generation in: writes made meanwhile are replayed onto it by id. Until then, new points sit in the
  appendable segment and are searched exactly.
* **What readers still feel.** Every qdrant-edge call holds the GIL while it runs (a search, a flush,
  opening or closing a shard). The swap opens the optimised generation here and closes the old one, so
  requests pause once per optimisation: ~0.1 s at 100k cases, 0.4 s at 300k, up to 1.8 s at 1M right
  after a bulk import (measured with benchmarks/store_scale.py). The new generation's files are read
  from Python first (no GIL) so opening it finds them cached, and flushes are kept small.
* **Layout** under `path`::

      CURRENT            the name of the live generation, replaced atomically
      gen-000007/        an edge shard: edge_config.json, segments/, wal/
      gen-000008/        a copy being optimised; not named by CURRENT, so removed at open after a crash

Writers wait while the live generation is copied (0.5 s at 300k cases); readers do not.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import qdrant_edge as qe

from triage.adapters.case_vectors import TEXT_FIELDS, gather_cases, gather_vectors, lite_case
from triage.domain.cases import Case, CaseHit
from triage.errors import StoreUnavailable, TriageError
from triage.ports import StoreChanges

__all__ = ["EdgeCaseStore", "EdgeTuning"]

log = logging.getLogger(__name__)

FILTERABLE = ("language", "category", "status", "risk", "queue", "source")
_CURRENT = "CURRENT"
# written at a clean close, removed at open: {"token": the name of the content}, so a saved model fitted on it
# is trusted at start-up without reading every case (`same_content`); after a crash there is none
_STATE = "STATE"
_GEN_PREFIX = "gen-"
_CHUNK = 1024

# Runs in the child process: only qdrant_edge, nothing from this package, and a lower CPU priority.
_OPTIMISE_CHILD = """
import os, sys
os.nice(int(sys.argv[2]))
from qdrant_edge import EdgeShard
shard = EdgeShard.load(sys.argv[1])
changed = shard.optimize()
shard.flush()
shard.close()
sys.stdout.write("optimised" if changed else "unchanged")
"""


@dataclass(frozen=True)
class EdgeTuning:
    """Index and optimiser knobs (the defaults were measured with benchmarks/store_scale.py)."""

    m: int = 16
    ef_construct: int = 64
    hnsw_ef: int = 128
    #: int8 scalar quantization of indexed segments (4x less to scan, ~5x cheaper HNSW build); searches
    #: rescore `oversampling` x limit candidates with the original float32 vectors, which are also what
    #: all_cases() returns
    quantization: bool = True
    oversampling: float = 2.0
    #: keep the float32 vectors on disk (mmap, page cache) and only the int8 ones in RAM: a quarter of the
    #: memory, and opening a generation (which holds the GIL) reads half as much
    vectors_on_disk: bool = True
    #: flush after this many points written: one flush holds the GIL, so it is kept small
    flush_every: int = 10_000
    #: an appendable segment with fewer points than this is searched exactly and never indexed
    index_threshold: int = 10_000
    #: background optimisation starts once writes have paused this long ...
    idle_seconds: float = 5.0
    #: ... or once this many points wait to be indexed, whichever comes first
    optimize_every: int = 50_000
    #: a running optimisation is abandoned when more points than this were written meanwhile
    replay_limit: int = 100_000
    #: niceness of the optimiser process: requests get the CPU first
    optimiser_nice: int = 10
    #: recent writes kept in memory for `changes_since` (cases; ~1.5 kB each with a 384-d vector)
    journal_cases: int = 20_000


@contextlib.contextmanager
def _vendor_errors(action: str) -> Iterator[None]:
    """qdrant-edge raises a bare `Exception` for everything; the port speaks `StoreUnavailable`."""
    try:
        yield
    except TriageError:
        raise
    except Exception as exc:
        raise StoreUnavailable(f"edge case store: cannot {action}: {exc}") from exc


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _generation_number(name: str) -> int:
    return int(name[len(_GEN_PREFIX):])


class EdgeCaseStore:
    """Implements `triage.ports.CaseStore` on a qdrant-edge shard in a directory (see the module doc)."""

    def __init__(
        self,
        path: Path,
        *,
        dimension: int,
        collection: str = "triage_cases",
        tuning: EdgeTuning | None = None,
        background: bool = True,
    ) -> None:
        self.path = Path(path)
        self.dimension = dimension
        self.collection = collection
        self.tuning = tuning or EdgeTuning()
        self._temporary: tempfile.TemporaryDirectory[str] | None = None
        self._handle_lock = threading.Lock()  # every call on the shard, and the swap of the shard
        self._write_lock = threading.Lock()  # writers, the copy and the swap of a generation
        self._maintenance_lock = threading.Lock()  # one optimisation at a time
        self._wake = threading.Condition()
        self._closed = False
        self._stopping = threading.Event()
        self._writes = 0
        self._pending = 0  # points written since the last optimisation started
        self._unflushed = 0  # points written since the last flush
        self._last_write = time.monotonic()
        self._requested = False
        self._retry_after = 0.0
        self._touched: set[str] | None = None  # ids written while a copy is optimised
        # this process's recent writes (the shard is locked to it), so the classifier's update after a new case
        # reads those cases instead of the whole memory (`changes_since`); bounded in cases
        self._journal: deque[tuple[int, list[Case], np.ndarray]] = deque()
        self._journal_cases = 0
        self._journal_floor = 0  # changes since a revision below this are no longer all in the journal
        self._child: subprocess.Popen[str] | None = None
        started = time.perf_counter()
        self._generation, self._shard = self._open_live()
        self._token = self._take_state()
        with self._handle_lock:
            info = self._shard.info()
        self._pending = info.points_count - info.indexed_vectors_count
        log.info("edge case store opened", extra={"path": str(self.path), "cases": info.points_count,
                                                  "segments": info.segments_count,
                                                  "seconds": round(time.perf_counter() - started, 3)})
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._maintain, name="edge-store-optimiser", daemon=True)
            self._thread.start()

    @classmethod
    def temporary(cls, *, dimension: int, collection: str = "triage_cases", **kwargs: Any) -> EdgeCaseStore:
        """A fresh store in a temporary directory, removed by `close()` (evals: one per fold)."""
        tmp = tempfile.TemporaryDirectory(prefix=f"triage-edge-{collection}-")
        store = cls(Path(tmp.name), dimension=dimension, collection=collection, **kwargs)
        store._temporary = tmp
        return store

    @staticmethod
    def exists_at(path: Path) -> bool:
        """True when `path` holds an edge store (a live generation), even an empty one."""
        return (Path(path) / _CURRENT).is_file()

    # -- opening -------------------------------------------------------------------------------
    def _config(self) -> qe.EdgeConfig:
        t = self.tuning
        return qe.EdgeConfig(
            vectors=qe.EdgeVectorParams(size=self.dimension, distance=qe.Distance.Cosine,
                                        memory=qe.Memory.Cold if t.vectors_on_disk and t.quantization else None),
            hnsw_config=qe.HnswIndexConfig(m=t.m, ef_construct=t.ef_construct, full_scan_threshold=10_000),
            quantization_config=(
                qe.ScalarQuantizationConfig(qe.ScalarType.Int8, quantile=0.99, memory=qe.Memory.Pinned)
                if t.quantization else None
            ),
            optimizers=qe.EdgeOptimizersConfig(
                # the optimiser counts kilobytes of vectors; this store counts points
                indexing_threshold=max(1, t.index_threshold * self.dimension * 4 // 1024),
            ),
        )

    def _open_live(self) -> tuple[str, qe.EdgeShard]:
        with _vendor_errors("open its directory"):
            self.path.mkdir(parents=True, exist_ok=True)
            current = self.path / _CURRENT
            if current.is_file():
                name = current.read_text(encoding="utf-8").strip()
                # loading locks the WAL: a second process fails here, before it could remove anything
                shard = qe.EdgeShard.load(str(self.path / name), self._config())
                self._remove_stale(keep=name)
            else:
                name = f"{_GEN_PREFIX}{1:06d}"
                self._remove_stale(keep=None)
                shard = qe.EdgeShard.create(str(self.path / name), self._config())
                self._write_current(name)
            schema = shard.info().payload_schema
            for field in FILTERABLE:
                if field not in schema:
                    shard.update(qe.UpdateOperation.create_field_index(field, qe.PayloadSchemaType.Keyword))
        return name, shard

    def _take_state(self) -> str:
        """The content token a clean close left, removed at once: after a crash there is none (a fresh token names
        content nobody knows), and whoever needs to know what the store holds reads it."""
        path = self.path / _STATE
        token = uuid.uuid4().hex
        try:
            token = str(json.loads(path.read_text(encoding="utf-8"))["token"])
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("ignoring an unreadable store state file %s", path)
        path.unlink(missing_ok=True)
        _fsync_dir(self.path)
        return token

    def _leave_state(self) -> None:
        """At a clean close, after the flush: the token of this content, for the next open."""
        tmp = self.path / f"{_STATE}.tmp"
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump({"token": self._content_token()}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path / _STATE)

    def _content_token(self) -> str:
        # unchanged while nothing is written (across clean restarts); a write names new content
        if self._writes == 0:
            return self._token
        return hashlib.sha256(f"{self._token}+{self._writes}".encode()).hexdigest()[:32]

    def _remove_stale(self, *, keep: str | None) -> None:
        """Generations a crash left behind: copies that were being optimised, old live ones."""
        for child in self.path.iterdir():
            if child.name.startswith(_GEN_PREFIX) and child.name != keep and child.is_dir():
                log.info("removing a stale edge generation", extra={"dir": str(child)})
                shutil.rmtree(child, ignore_errors=True)

    def _write_current(self, name: str) -> None:
        tmp = self.path / f"{_CURRENT}.tmp"
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path / _CURRENT)

    # -- the port ------------------------------------------------------------------------------
    def _live(self) -> qe.EdgeShard:
        if self._closed:
            raise StoreUnavailable("edge case store is closed")
        return self._shard

    def upsert(self, cases: Sequence[Case], vectors: np.ndarray) -> None:
        if not cases:
            return
        rows = self._check_vectors(vectors, len(cases))
        points = [
            qe.Point(c.id, cast(list[float], row), c.model_dump(mode="json"))
            for c, row in zip(cases, rows, strict=True)
        ]
        with self._write_lock:
            for start in range(0, len(points), _CHUNK):
                with self._handle_lock, _vendor_errors("write cases"):
                    self._live().update(qe.UpdateOperation.upsert_points(points[start:start + _CHUNK]))
            if self._touched is not None:
                self._touched.update(c.id for c in cases)
            self._writes += 1
            self._remember(list(cases), rows)
            self._pending += len(cases)
            self._unflushed += len(cases)
            if self._unflushed >= self.tuning.flush_every:  # small flushes now, no long one before a copy
                with self._handle_lock, _vendor_errors("flush"):
                    self._live().flush()
                self._unflushed = 0
            self._last_write = time.monotonic()
        with self._wake:
            self._wake.notify()

    def _remember(self, cases: list[Case], rows: np.ndarray) -> None:
        """Journal one write (under the write lock), forgetting the oldest beyond `journal_cases`."""
        self._journal.append((self._writes, cases, rows.copy()))
        self._journal_cases += len(cases)
        while self._journal and self._journal_cases > self.tuning.journal_cases:
            revision, dropped, _ = self._journal.popleft()
            self._journal_cases -= len(dropped)
            self._journal_floor = revision

    def content_token(self) -> str | None:
        with self._write_lock:
            return self._content_token()

    def same_content(self, token: str) -> bool:
        return token == self.content_token()

    def changes_since(self, revision: int) -> StoreChanges | None:
        with self._write_lock:
            if revision < self._journal_floor or revision > self._writes:
                return None
            entries = [e for e in self._journal if e[0] > revision]
            latest = self._writes
        seen: set[str] = set()
        cases: list[Case] = []
        rows: list[np.ndarray] = []
        for _, written, vectors in reversed(entries):  # newest first: a case written twice counts once, as last
            for case, vector in zip(written, vectors, strict=True):
                if case.id not in seen:
                    seen.add(case.id)
                    cases.append(case)
                    rows.append(vector)
        vectors_out = np.asarray(rows, dtype=np.float32).reshape(-1, self.dimension)
        return StoreChanges(cases=cases, vectors=vectors_out, revision=latest)

    def _check_vectors(self, vectors: np.ndarray, rows: int) -> np.ndarray:
        array = np.asarray(vectors, dtype=np.float32)
        if array.ndim != 2 or array.shape != (rows, self.dimension):
            raise ValueError(f"expected {rows} vectors of dimension {self.dimension}, got shape {array.shape}")
        return array

    @staticmethod
    def _filter(filters: dict[str, Any] | None) -> qe.Filter | None:
        if not filters:
            return None
        must: list[qe.FieldCondition | qe.IsNullCondition | qe.Filter] = []
        for key, value in filters.items():
            if value is None:
                must.append(qe.IsNullCondition(key))
            elif isinstance(value, list | tuple | set):
                must.append(qe.FieldCondition(key=key, match=qe.MatchAny(list(value))))
            else:
                must.append(qe.FieldCondition(key=key, match=qe.MatchValue(value)))
        return qe.Filter(must=cast(list[Any], must))

    @classmethod
    def _search_filter(cls, filters: dict[str, Any] | None) -> qe.Filter:
        """`filters`, and never a case without a category: it only rules categories out, it is no similar case
        (measured: no cost per query at 20k and 100k cases)."""
        base = cls._filter(filters)
        return qe.Filter(must=base.must if base is not None else None, must_not=[qe.IsNullCondition("category")])

    def _request(self, vector: np.ndarray, limit: int, filters: dict[str, Any] | None) -> qe.QueryRequest:
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if query.shape != (self.dimension,):
            raise ValueError(f"expected a vector of dimension {self.dimension}, got shape {query.shape}")
        return qe.QueryRequest(
            limit=limit,
            query=qe.Query.Nearest(cast(list[float], query)),
            filter=self._search_filter(filters),
            with_payload=True,
            params=qe.SearchParams(
                hnsw_ef=max(self.tuning.hnsw_ef, limit),
                quantization=qe.QuantizationSearchParams(rescore=True, oversampling=self.tuning.oversampling),
            ),
        )

    @staticmethod
    def _hit(point: qe.ScoredPoint) -> CaseHit:
        return CaseHit(case=Case.model_validate(point.payload), similarity=float(point.score))

    def search(self, vector: np.ndarray, *, limit: int, filters: dict[str, Any] | None = None) -> list[CaseHit]:
        if limit <= 0:
            return []
        request = self._request(vector, limit, filters)
        with self._handle_lock, _vendor_errors("search"):
            points = self._live().query(request)
        return [self._hit(p) for p in points]

    def search_many(self, vectors: np.ndarray, *, limit: int) -> list[list[CaseHit]]:
        if len(vectors) == 0:
            return []
        if limit <= 0:
            return [[] for _ in range(len(vectors))]
        batch = qe.QueryBatchRequest([self._request(v, limit, None) for v in vectors])
        with self._handle_lock, _vendor_errors("search"):
            results = self._live().query_batch(batch)
        return [[self._hit(p) for p in points] for points in results]

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        for start in range(0, len(wanted), _CHUNK):
            chunk = cast(list[Any], wanted[start:start + _CHUNK])
            with self._handle_lock, _vendor_errors("look up ids"):
                records = self._live().retrieve(chunk, with_payload=False, with_vector=False)
            found.update(str(r.id) for r in records)
        return found

    def vectors_of(self, ids: Sequence[str]) -> np.ndarray:
        def read(chunk: list[str]) -> list[tuple[object, Sequence[float]]]:
            with self._handle_lock, _vendor_errors("read vectors"):
                records = self._live().retrieve(cast(list[Any], chunk), with_payload=False, with_vector=True)
            return [(r.id, cast(Sequence[float], r.vector)) for r in records]

        return gather_vectors(ids, dimension=self.dimension, chunk=_CHUNK, read=read)

    def count(self, filters: dict[str, Any] | None = None) -> int:
        with self._handle_lock, _vendor_errors("count"):
            return int(self._live().count(qe.CountRequest(exact=True, filter=self._filter(filters))))

    def cases_of(self, ids: Sequence[str]) -> list[Case]:
        def read(chunk: list[str]) -> list[tuple[object, object]]:
            with self._handle_lock, _vendor_errors("read cases"):
                records = self._live().retrieve(cast(list[Any], chunk), with_payload=True, with_vector=False)
            return [(r.id, r.payload) for r in records]

        return gather_cases(ids, chunk=_CHUNK, read=read)

    def _scroll(self, *, with_vectors: bool, with_text: bool) -> Iterator[list[Any]]:
        """The live generation's points, a page of `_CHUNK` at a time."""
        offset: Any = None
        payload: Any = True if with_text else qe.PayloadSelector.Exclude(list(TEXT_FIELDS))
        while True:
            request = qe.ScrollRequest(offset=offset, limit=_CHUNK, with_payload=payload, with_vector=with_vectors)
            with self._handle_lock, _vendor_errors("read cases"):
                records, offset = self._live().scroll(request)
            yield records
            if offset is None:
                return

    def all_cases(self, *, with_vectors: bool = True, with_text: bool = True) -> tuple[list[Case], np.ndarray]:
        cases: list[Case] = []
        pages: list[np.ndarray] = []
        parse = Case.model_validate if with_text else lite_case
        for records in self._scroll(with_vectors=with_vectors, with_text=with_text):
            cases.extend(parse(r.payload) for r in records)
            if with_vectors and records:
                # each page to float32 at once: the vendor's vectors are lists of Python floats (~30 bytes per
                # number), which for a whole memory would hold ~8x the array's size until the end
                pages.append(np.asarray([r.vector for r in records], dtype=np.float32).reshape(-1, self.dimension))
        if not with_vectors:
            return cases, np.zeros((0, self.dimension))
        return cases, (np.concatenate(pages) if pages else np.zeros((0, self.dimension), dtype=np.float32))

    def label_pages(self) -> Iterator[list[Case]]:
        for records in self._scroll(with_vectors=False, with_text=False):
            yield [lite_case(r.payload) for r in records]

    def revision(self) -> int:
        # no other process can write (the shard is locked), so a counter of writes here is exact
        return self._writes

    def close(self) -> None:
        if self._closed:
            return
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        child = self._child
        if child is not None and child.poll() is None:
            child.kill()
        if self._thread is not None:
            self._thread.join(timeout=30)
        with self._write_lock, self._handle_lock:
            self._closed = True
            with _vendor_errors("close"):
                self._shard.flush()
                self._shard.close()
            if self._temporary is None:
                try:
                    self._leave_state()
                except OSError:  # no token: the next start reads the memory to check a saved model
                    log.warning("could not write the store state file in %s", self.path, exc_info=True)
        if self._temporary is not None:
            self._temporary.cleanup()
        log.info("edge case store closed", extra={"path": str(self.path)})

    # -- optimisation --------------------------------------------------------------------------
    def info(self) -> dict[str, int]:
        """Points, indexed vectors and segments of the live generation (for logs and benchmarks)."""
        with self._handle_lock, _vendor_errors("describe itself"):
            info = self._live().info()
        return {"points": info.points_count, "indexed": info.indexed_vectors_count,
                "segments": info.segments_count, "generation": _generation_number(self._generation)}

    def optimize(self, *, wait: bool = True) -> bool:
        """Index and merge now (the bulk-import path).

        `wait=True` returns when the optimised generation serves (True if one was built); requests in
        other threads keep being served meanwhile. `wait=False` asks the background thread to start now.
        """
        if not wait:
            self._requested = True
            with self._wake:
                self._wake.notify()
            return False
        if self._pending == 0:  # nothing written since the last optimisation: no copy to make
            return False
        return self._optimise_generation()

    def _due(self) -> bool:
        if self._stopping.is_set() or time.monotonic() < self._retry_after:
            return False
        if self._requested:
            return True
        if self._pending < self.tuning.index_threshold:
            return False
        idle = time.monotonic() - self._last_write
        return idle >= self.tuning.idle_seconds or self._pending >= self.tuning.optimize_every

    def _maintain(self) -> None:
        while not self._stopping.is_set():
            with self._wake:
                self._wake.wait(timeout=max(0.5, self.tuning.idle_seconds / 2))
            if not self._due():
                continue
            try:
                self._optimise_generation()
            except Exception:  # the live generation still serves; try again later
                log.exception("edge store optimisation failed", extra={"path": str(self.path)})
                self._retry_after = time.monotonic() + 60

    def _optimise_generation(self) -> bool:
        """Copy the live generation, optimise the copy in a child process, swap it in."""
        with self._maintenance_lock:
            self._requested = False
            started = time.perf_counter()
            name = f"{_GEN_PREFIX}{_generation_number(self._generation) + 1:06d}"
            target = self.path / name  # not named by CURRENT until the swap: a crash leaves it stale
            shutil.rmtree(target, ignore_errors=True)
            with self._write_lock:
                with self._handle_lock, _vendor_errors("flush"):
                    self._live().flush()
                self._unflushed = 0
                shutil.copytree(self.path / self._generation, target)  # readers go on meanwhile
                self._touched = set()
                pending_at_copy, self._pending = self._pending, 0
            copied = time.perf_counter()
            swapped = False
            try:
                outcome = self._run_child(target)
                if outcome is None:  # closing
                    return False
                with self._write_lock:
                    touched = self._touched or set()
                    if len(touched) > self.tuning.replay_limit:
                        log.info("edge store optimisation abandoned: too many writes meanwhile",
                                 extra={"written": len(touched)})
                        self._retry_after = time.monotonic() + self.tuning.idle_seconds
                        return False
                    built = time.perf_counter()
                    fresh = self._load_and_replay(target, touched)
                    loaded = time.perf_counter()
                    with self._handle_lock:
                        old, old_name = self._shard, self._generation
                        self._shard, self._generation = fresh, name
                        self._write_current(name)
                        swapped = True
                        with _vendor_errors("close the previous generation"):
                            old.close()
                    swapped_at = time.perf_counter()
            finally:
                with self._write_lock:
                    self._touched = None
                    if not swapped:  # those points still wait to be indexed
                        self._pending += pending_at_copy
                if not swapped:
                    shutil.rmtree(target, ignore_errors=True)
            shutil.rmtree(self.path / old_name, ignore_errors=True)
            log.info("edge store optimised", extra={
                "generation": name, "outcome": outcome, "replayed": len(touched),
                "copy_seconds": round(copied - started, 2), "build_seconds": round(built - copied, 2),
                "load_replay_seconds": round(loaded - built, 2), "swap_seconds": round(swapped_at - loaded, 2),
                "seconds": round(time.perf_counter() - started, 2)})
            return outcome == "optimised"

    def _run_child(self, target: Path) -> str | None:
        """Optimise the shard in `target` in a child process; None when the store is closing."""
        child = subprocess.Popen(
            [sys.executable, "-c", _OPTIMISE_CHILD, str(target), str(self.tuning.optimiser_nice)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self._child = child
        try:
            while True:
                try:
                    out, err = child.communicate(timeout=0.5)
                    break
                except subprocess.TimeoutExpired:
                    if self._stopping.is_set():
                        child.kill()
                        child.communicate()
                        return None
        finally:
            self._child = None
        if self._stopping.is_set():
            return None
        if child.returncode != 0:
            raise StoreUnavailable(f"edge optimiser exited with {child.returncode}: {err.strip()[-2000:]}")
        return out.strip() or "unchanged"

    @staticmethod
    def _warm(target: Path) -> None:
        """Read the generation's files once from Python, which releases the GIL while it reads.

        `EdgeShard.load` holds the GIL; measured at 100k points, it took ~1 s on files the optimiser had
        just written and 0.13 s right after they were read like this, so readers pause far less.
        """
        for file in sorted(target.rglob("*")):
            if file.is_file():
                with file.open("rb") as fh:
                    while fh.read(1 << 22):
                        pass

    def _load_and_replay(self, target: Path, touched: set[str]) -> qe.EdgeShard:
        """Open the optimised copy and apply what was written to the live generation since the copy."""
        self._warm(target)
        with _vendor_errors("open the optimised generation"):
            fresh = qe.EdgeShard.load(str(target), self._config())
        try:
            ids = sorted(touched)
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start:start + _CHUNK]
                with self._handle_lock, _vendor_errors("read cases to replay"):
                    records = self._live().retrieve(cast(list[Any], chunk), with_payload=True, with_vector=True)
                points = [qe.Point(r.id, cast(list[float], r.vector), r.payload) for r in records]
                gone = set(chunk) - {str(r.id) for r in records}
                with _vendor_errors("replay cases"):
                    if points:
                        fresh.update(qe.UpdateOperation.upsert_points(points))
                    if gone:
                        fresh.update(qe.UpdateOperation.delete_points(cast(list[Any], sorted(gone))))
        except BaseException:
            with contextlib.suppress(Exception):
                fresh.close()
            raise
        return fresh
