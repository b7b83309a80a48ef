"""Case memory in Qdrant: a server or cluster by URL, or qdrant-client's local mode (one process, ~20k cases).

`QdrantCaseStore` reads and writes one collection name. `QdrantCollections` keeps the case memory of a logical
name (`TRIAGE_QDRANT__COLLECTION`, default `triage_cases`) the way `memory_collections.CollectionRegistry` does
for the embedded edge store, with a Qdrant collection alias in place of the pointer file::

    triage_cases                          alias -> the physical collection in use (every store reads and writes it)
    triage_cases--m-3f2a9c1d0b7e          the memory as embedded by a model (named by a digest of its name) ...
    triage_cases--embedder-20261130T...   ... or by a fine-tuned model (named by its version)

Each physical collection's metadata (`triage_memory`) records the model of its vectors (`ActiveCollection`), and
when it was made and retired; where a server keeps no metadata, the name, derived from the model, is the record.
A new model is re-embedded into a new physical collection; once every case is in it, ONE
`update_collection_aliases` call (delete the alias, create it on the new collection) switches every process that
reads the alias, atomically on the server.

A store from before the alias has a real collection named `triage_cases`. It serves as it is until the model
changes. Its first switch cannot be one step: an alias cannot take the name of an existing collection, so the
old collection is deleted before the alias is created. The complete new collection is first marked by a second
alias, `triage_cases.switching`; a crash after that mark is finished at the next start
(`finish_interrupted_switch`: delete the old collection if still there, then move the alias), a crash before it
re-embeds again. Either way the memory served is never empty or half-built. Readers in other processes see
"collection not found" for the moment between the delete and the alias.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import numpy as np
from qdrant_client import QdrantClient, models

from triage.adapters.case_vectors import TEXT_FIELDS, gather_cases, gather_vectors, lite_case
from triage.adapters.memory_collections import ActiveCollection, collection_name_for, is_finetuned
from triage.domain.cases import Case, CaseHit
from triage.errors import StoreUnavailable
from triage.ports import StoreChanges

__all__ = ["QdrantCaseStore", "QdrantCollections"]

log = logging.getLogger(__name__)

_FILTERABLE = ("language", "category", "status", "risk", "queue", "source")
_UNNAMED = models.IsNullCondition(is_null=models.PayloadField(key="category"))  # a case without a category
_CHUNK = 1024  # ids per retrieve (a REST request of ~40 kB; its answer ~3 MB of 384-d vectors)
_RECORD = "triage_memory"  # the key of a physical collection's metadata that holds its `ActiveCollection`
_SWITCHING = ".switching"  # the alias marking a complete collection that a pre-alias store is switching to


def _connect(*, url: str | None, api_key: str | None, path: Path | None, in_memory: bool) -> QdrantClient:
    try:
        if in_memory:
            return QdrantClient(location=":memory:")
        if url:
            return QdrantClient(url=url, api_key=api_key, timeout=10)
        assert path is not None, "an embedded store needs a path"
        path.mkdir(parents=True, exist_ok=True)
        return QdrantClient(path=str(path))
    except Exception as exc:  # vendor errors vary: portalocker, grpc, http
        raise StoreUnavailable(f"cannot open the Qdrant case store: {exc}") from exc


def _create_case_collection(client: QdrantClient, name: str, *, dimension: int, remote: bool,
                            metadata: dict[str, Any] | None = None) -> None:
    client.create_collection(
        name, vectors_config=models.VectorParams(size=dimension, distance=models.Distance.COSINE), metadata=metadata)
    if remote:  # payload indexes have no effect in local mode (and it warns)
        for field in _FILTERABLE:
            client.create_payload_index(name, field, field_schema=models.PayloadSchemaType.KEYWORD)


def _aliases(client: QdrantClient) -> dict[str, str]:
    return {a.alias_name: a.collection_name for a in client.get_aliases().aliases}


def _create_alias(alias: str, collection: str) -> models.CreateAliasOperation:
    return models.CreateAliasOperation(create_alias=models.CreateAlias(collection_name=collection, alias_name=alias))


def _delete_alias(alias: str) -> models.DeleteAliasOperation:
    return models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name=alias))


class QdrantCaseStore:
    """Implements `triage.ports.CaseStore` on one collection name (an alias or a collection).

    Local mode keeps everything in one process (Qdrant's own limit); it is good to about 20k cases. `client`
    shares an open client (`QdrantCollections`); such a store closes it only when `owns_client` says so.
    `create=False` never creates the collection (the alias is made by `QdrantCollections`).
    """

    def __init__(
        self,
        *,
        dimension: int,
        collection: str = "triage_cases",
        url: str | None = None,
        api_key: str | None = None,
        path: Path | None = None,
        in_memory: bool = False,
        client: QdrantClient | None = None,
        owns_client: bool | None = None,
        create: bool = True,
    ) -> None:
        self._client = client if client is not None else _connect(url=url, api_key=api_key, path=path,
                                                                   in_memory=in_memory)
        self._owns_client = client is None if owns_client is None else owns_client
        self._remote = bool(url)
        self.collection = collection
        self.dimension = dimension
        self._revision = 0
        self._lock = threading.Lock()
        # whether the collection holds cases without a category (None: not looked yet); see `_search_filter`
        self._unnamed: bool | None = None
        if create:
            self._ensure_collection()

    def _ensure_collection(self) -> None:
        # an alias of that name is the collection too (a server's `collection_exists` may not resolve aliases)
        if not self._client.collection_exists(self.collection) and self.collection not in _aliases(self._client):
            _create_case_collection(self._client, self.collection, dimension=self.dimension, remote=self._remote)

    def upsert(self, cases: Sequence[Case], vectors: np.ndarray) -> None:
        if not cases:
            return
        points = [
            models.PointStruct(id=c.id, vector=v.tolist(), payload=c.model_dump(mode="json"))
            for c, v in zip(cases, vectors, strict=True)
        ]
        with self._lock:
            self._client.upsert(self.collection, points=points, wait=True)
            self._revision += 1
            if not all(c.labelled for c in cases):
                self._unnamed = True

    @staticmethod
    def _filter(filters: dict[str, Any] | None) -> models.Filter | None:
        if not filters:
            return None
        must: list[models.Condition] = []
        for key, value in filters.items():
            if value is None:
                must.append(models.IsNullCondition(is_null=models.PayloadField(key=key)))
            elif isinstance(value, list | tuple | set):
                must.append(models.FieldCondition(key=key, match=models.MatchAny(any=list(value))))
            else:
                must.append(models.FieldCondition(key=key, match=models.MatchValue(value=value)))
        return models.Filter(must=must)

    def _search_filter(self, filters: dict[str, Any] | None) -> models.Filter | None:
        """`filters`, and never a case without a category: it only rules categories out, it is no similar case.

        A server applies that condition on its index at no measurable cost, and may hold cases other processes
        wrote: it always gets it. Local mode evaluates a filter in Python over every point (`benchmarks/
        store_scale.py` at 20k cases: p50 28 ms unfiltered, 180 ms with it), and holds only what this process
        wrote: it gets the condition only while the collection has such cases (counted once, then kept by
        `upsert`). `_hits` drops them in any case."""
        base = self._filter(filters)
        if not self._remote:
            if self._unnamed is None:
                self._unnamed = self._client.count(self.collection, count_filter=models.Filter(must=[_UNNAMED]),
                                                   exact=True).count > 0
            if not self._unnamed:
                return base
        return models.Filter(must=base.must if base is not None else None, must_not=[_UNNAMED])

    @classmethod
    def _hits(cls, points: Sequence[models.ScoredPoint]) -> list[CaseHit]:
        return [hit for hit in (cls._hit(p) for p in points) if hit.case.labelled]

    @staticmethod
    def _hit(point: models.ScoredPoint) -> CaseHit:
        return CaseHit(case=Case.model_validate(point.payload), similarity=float(point.score))

    def search(self, vector: np.ndarray, *, limit: int, filters: dict[str, Any] | None = None) -> list[CaseHit]:
        result = self._client.query_points(
            self.collection,
            query=vector.tolist(),
            limit=limit,
            query_filter=self._search_filter(filters),
            with_payload=True,
        )
        return self._hits(result.points)

    def search_many(self, vectors: np.ndarray, *, limit: int) -> list[list[CaseHit]]:
        if len(vectors) == 0:
            return []
        labelled = self._search_filter(None)
        requests = [models.QueryRequest(query=v.tolist(), limit=limit, filter=labelled, with_payload=True)
                    for v in vectors]
        responses = self._client.query_batch_points(self.collection, requests=requests)
        return [self._hits(r.points) for r in responses]

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(ids)
        if not wanted:
            return set()
        found = self._client.retrieve(self.collection, ids=wanted, with_payload=False, with_vectors=False)
        return {str(p.id) for p in found}

    def vectors_of(self, ids: Sequence[str]) -> np.ndarray:
        def read(chunk: list[str]) -> list[tuple[object, Sequence[float]]]:
            found = self._client.retrieve(self.collection, ids=list(chunk), with_payload=False, with_vectors=True)
            return [(p.id, cast(Sequence[float], p.vector)) for p in found]

        return gather_vectors(ids, dimension=self.dimension, chunk=_CHUNK, read=read)

    def count(self, filters: dict[str, Any] | None = None) -> int:
        return int(self._client.count(self.collection, count_filter=self._filter(filters), exact=True).count)

    def cases_of(self, ids: Sequence[str]) -> list[Case]:
        def read(chunk: list[str]) -> list[tuple[object, object]]:
            found = self._client.retrieve(self.collection, ids=list(chunk), with_payload=True, with_vectors=False)
            return [(p.id, p.payload) for p in found]

        return gather_cases(ids, chunk=_CHUNK, read=read)

    def _scroll(self, *, with_vectors: bool, with_text: bool) -> Iterator[list[Any]]:
        """The collection's points, a page of 1,024 at a time."""
        offset = None
        payload: Any = True if with_text else models.PayloadSelectorExclude(exclude=list(TEXT_FIELDS))
        while True:
            points, offset = self._client.scroll(
                self.collection, limit=1024, offset=offset, with_payload=payload, with_vectors=with_vectors
            )
            yield points
            if offset is None:
                return

    def all_cases(self, *, with_vectors: bool = True, with_text: bool = True) -> tuple[list[Case], np.ndarray]:
        cases: list[Case] = []
        vectors: list[list[float]] = []
        for points in self._scroll(with_vectors=with_vectors, with_text=with_text):
            for p in points:
                cases.append(Case.model_validate(p.payload) if with_text else lite_case(p.payload))
                if with_vectors:
                    vectors.append(p.vector)  # type: ignore[arg-type]
        array = np.asarray(vectors, dtype=np.float32) if with_vectors else np.zeros((0, self.dimension))
        return cases, array.reshape(-1, self.dimension) if with_vectors else array

    def label_pages(self) -> Iterator[list[Case]]:
        for points in self._scroll(with_vectors=False, with_text=False):
            yield [lite_case(p.payload) for p in points]

    def revision(self) -> int:
        # the count catches writes by other processes (server mode); the counter catches relabels here
        return hash((self.count(), self._revision))

    def content_token(self) -> str | None:
        return None  # other processes write to a server: only reading it tells what it holds

    def same_content(self, token: str) -> bool:
        return False

    def changes_since(self, revision: int) -> StoreChanges | None:
        # other processes write to a server: only a full read sees their changes
        return None

    def close(self) -> None:
        if self._owns_client:
            self._client.close()


def _now() -> str:
    # microseconds: two switches within a second still order their collections
    return datetime.now(UTC).isoformat(timespec="microseconds")


class QdrantCollections:
    """The physical collections of one case memory on a Qdrant server (or in local mode) and the alias that names
    the one in use (module docstring). Holds one client; `serving_store` hands it to the store that serves."""

    def __init__(self, *, collection: str, url: str | None = None, api_key: str | None = None,
                 path: Path | None = None) -> None:
        self._client = _connect(url=url, api_key=api_key, path=path, in_memory=False)
        self._remote = bool(url)
        self._handed_over = False
        self.collection = collection

    @property
    def switching_alias(self) -> str:
        return f"{self.collection}{_SWITCHING}"

    # -- what there is ---------------------------------------------------------------------------------------

    def physical(self) -> list[str]:
        """The real collections of this memory: `<collection>` (a store from before the alias) and
        `<collection>--*`."""
        return [c.name for c in self._client.get_collections().collections
                if c.name == self.collection or c.name.startswith(f"{self.collection}--")]

    def _record_data(self, name: str) -> tuple[dict[str, Any], int | None]:
        info = self._client.get_collection(name)
        vectors = info.config.params.vectors
        dimension = vectors.size if isinstance(vectors, models.VectorParams) else None
        data = (info.config.metadata or {}).get(_RECORD)
        return (data if isinstance(data, dict) else {}), dimension

    def record_of(self, name: str) -> ActiveCollection:
        """What physical collection `name` holds: its model (None when never recorded) and dimension."""
        data, dimension = self._record_data(name)
        known = {f.name for f in fields(ActiveCollection)}
        record = ActiveCollection(**{"embedder": None, **{k: v for k, v in data.items() if k in known},
                                     "directory": name})
        return replace(record, dimension=dimension or record.dimension)

    def active(self) -> ActiveCollection | None:
        """The collection the alias names; a store from before the alias is its real collection of that name;
        None when there is neither (a new store)."""
        target = _aliases(self._client).get(self.collection)
        if target is not None:
            return self.record_of(target)
        if self.collection in self.physical():
            return self.record_of(self.collection)
        return None

    def name_for(self, embedder_name: str) -> str:
        return collection_name_for(self.collection, embedder_name)

    def matches(self, active: ActiveCollection, embedder_name: str) -> bool:
        """True when `active`'s vectors were made by `embedder_name`: as recorded in its metadata; else, for the
        collection from before the alias, any model but a fine-tuned one (as `CollectionRegistry.matches`); else
        the model its name is derived from."""
        if active.embedder is not None:
            return active.embedder == embedder_name
        if active.directory == self.collection:
            return not is_finetuned(embedder_name)
        return active.directory == self.name_for(embedder_name)

    def record(self, active: ActiveCollection, **times: str) -> None:
        """Write `active` (and `created_at` / `retired_at`) into its collection's metadata."""
        data, _ = self._record_data(active.directory)
        self._client.update_collection(active.directory, metadata={_RECORD: {**data, **asdict(active), **times}})

    # -- building and switching ------------------------------------------------------------------------------

    def _in_use(self) -> set[str]:
        aliases = _aliases(self._client)
        used = {aliases.get(self.collection, self.collection)}  # a pre-alias store's collection is in use
        if self.switching_alias in aliases:
            used.add(aliases[self.switching_alias])
        return used

    def create(self, record: ActiveCollection) -> QdrantCaseStore:
        """A new, empty physical collection `record.directory` (an earlier build of that name, left by a crash or a
        failure, is removed first; never one in use), and a store on it."""
        name, dimension = record.directory, record.dimension
        assert dimension is not None, "a new collection needs its dimension"
        if name in self._in_use():
            raise ValueError(f"{name} is in use; a collection is never rebuilt in place")
        if name in self.physical():
            log.info("removing an earlier build of the collection %s before re-embedding", name)
            self._client.delete_collection(name)
        _create_case_collection(self._client, name, dimension=dimension, remote=self._remote,
                                metadata={_RECORD: {**asdict(record), "created_at": _now()}})
        return self.store(name, dimension=dimension)

    def create_first(self, record: ActiveCollection) -> None:
        """A new store: its first physical collection and the alias naming it."""
        try:
            self.create(record)
            self._client.update_collection_aliases(
                change_aliases_operations=[_create_alias(self.collection, record.directory)])
        except Exception:
            if self.active() is None:
                raise
            log.info("another process created the case memory %s first", self.collection)  # several starting at once

    def drop_unused(self, name: str) -> bool:
        """Remove physical collection `name` unless it is in use or being switched to; True when removed."""
        if name in self._in_use() or name not in self.physical():
            return False
        self._client.delete_collection(name)
        return True

    def switch_to(self, name: str, *, cases: int) -> str | None:
        """Make the complete physical collection `name` the one the alias names; returns the one it replaces.

        With an alias: one `update_collection_aliases` call, atomic on the server. A store from before the alias:
        mark `name` with the switching alias, delete the old collection, then move the alias (module docstring)."""
        record = replace(self.record_of(name), cases=cases, switched_at=_now())
        self.record(record)
        aliases = _aliases(self._client)
        previous = aliases.get(self.collection)
        if previous is None and self.collection in self.physical():
            self._client.update_collection_aliases(
                change_aliases_operations=[_create_alias(self.switching_alias, name)])
            self.finish_interrupted_switch(log_it=False)
            return self.collection
        operations: list[models.CreateAliasOperation | models.DeleteAliasOperation] = []
        if previous is not None:
            operations.append(_delete_alias(self.collection))
        operations.append(_create_alias(self.collection, name))
        self._client.update_collection_aliases(change_aliases_operations=operations)
        if previous is not None and previous != name:
            try:  # only orders the inactive collections for `prune`: the switch is done whatever happens here
                self.record(self.record_of(previous), retired_at=_now())
            except Exception as exc:
                log.warning("cannot record when the collection %s was retired: %s", previous, exc)
        return previous

    def pending_switch(self) -> str | None:
        """The collection a pre-alias store was being switched to, when that switch was interrupted."""
        return _aliases(self._client).get(self.switching_alias)

    def finish_interrupted_switch(self, *, log_it: bool = True) -> str | None:
        """Finish the switch of a pre-alias store marked by the switching alias (the marked collection is complete):
        delete the old collection if it is still there, then move the alias. Returns the collection switched to."""
        aliases = _aliases(self._client)
        target = aliases.get(self.switching_alias)
        if target is None:
            return None
        operations: list[models.CreateAliasOperation | models.DeleteAliasOperation] = [
            _delete_alias(self.switching_alias)]
        if self.collection not in aliases:
            if self.collection in self.physical():
                self._client.delete_collection(self.collection)
            operations.append(_create_alias(self.collection, target))
        self._client.update_collection_aliases(change_aliases_operations=operations)
        if log_it:
            log.warning("finished an interrupted switch of the case memory to its re-embedded collection",
                        extra={"collection": self.collection, "switched_to": target})
        return target

    def inactive(self) -> list[str]:
        """The physical collections of this memory not in use, newest first (retired, else created, most recently;
        those with no record last)."""
        in_use = self._in_use()

        def age(name: str) -> str:
            data, _ = self._record_data(name)
            return str(data.get("retired_at") or data.get("created_at") or "")

        return sorted((n for n in self.physical() if n not in in_use), key=age, reverse=True)

    def prune(self, keep: int) -> list[str]:
        """Remove all but the newest `keep` inactive collections; returns the names removed."""
        removed = [name for name in self.inactive()[keep:] if self.drop_unused(name)]
        if removed:
            log.info("old collections of the case memory removed", extra={"removed": removed, "kept": keep})
        return removed

    # -- stores ----------------------------------------------------------------------------------------------

    def store(self, collection: str, *, dimension: int) -> QdrantCaseStore:
        """A store on one physical collection, on this client (closing it leaves the client open)."""
        return QdrantCaseStore(dimension=dimension, collection=collection, client=self._client, owns_client=False,
                               create=False)

    def serving_store(self, *, dimension: int) -> QdrantCaseStore:
        """The store that serves: it reads and writes the alias (so it follows a switch made by any process) and
        owns the client from now on."""
        self._handed_over = True
        return QdrantCaseStore(dimension=dimension, collection=self.collection, client=self._client,
                               owns_client=True, create=False)

    def close(self) -> None:
        if not self._handed_over:
            self._client.close()
