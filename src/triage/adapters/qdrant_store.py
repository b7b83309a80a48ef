"""Case memory in Qdrant: embedded local mode by default, a server or cluster by URL."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from qdrant_client import QdrantClient, models

from triage.domain.cases import Case, CaseHit
from triage.errors import StoreUnavailable
from triage.ports import StoreChanges

__all__ = ["QdrantCaseStore"]

log = logging.getLogger(__name__)

_FILTERABLE = ("language", "category", "status", "risk", "queue", "source")


class QdrantCaseStore:
    """Implements `triage.ports.CaseStore`.

    Local mode keeps everything in one process (Qdrant's own limit); it is good to about 20k cases.
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
    ) -> None:
        try:
            if in_memory:
                self._client = QdrantClient(location=":memory:")
            elif url:
                self._client = QdrantClient(url=url, api_key=api_key, timeout=10)
            else:
                assert path is not None, "an embedded store needs a path"
                path.mkdir(parents=True, exist_ok=True)
                self._client = QdrantClient(path=str(path))
        except Exception as exc:  # vendor errors vary: portalocker, grpc, http
            raise StoreUnavailable(f"cannot open the Qdrant case store: {exc}") from exc
        self._remote = bool(url)
        self.collection = collection
        self.dimension = dimension
        self._revision = 0
        self._lock = threading.Lock()
        self._ensure_collection()

    def _ensure_collection(self) -> None:
        if not self._client.collection_exists(self.collection):
            self._client.create_collection(
                self.collection,
                vectors_config=models.VectorParams(size=self.dimension, distance=models.Distance.COSINE),
            )
            if self._remote:  # payload indexes have no effect in local mode (and it warns)
                for field in _FILTERABLE:
                    self._client.create_payload_index(
                        self.collection, field, field_schema=models.PayloadSchemaType.KEYWORD
                    )

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

    @staticmethod
    def _filter(filters: dict[str, Any] | None) -> models.Filter | None:
        if not filters:
            return None
        must: list[models.Condition] = []
        for key, value in filters.items():
            if isinstance(value, list | tuple | set):
                must.append(models.FieldCondition(key=key, match=models.MatchAny(any=list(value))))
            else:
                must.append(models.FieldCondition(key=key, match=models.MatchValue(value=value)))
        return models.Filter(must=must)

    @staticmethod
    def _hit(point: models.ScoredPoint) -> CaseHit:
        return CaseHit(case=Case.model_validate(point.payload), similarity=float(point.score))

    def search(self, vector: np.ndarray, *, limit: int, filters: dict[str, Any] | None = None) -> list[CaseHit]:
        result = self._client.query_points(
            self.collection,
            query=vector.tolist(),
            limit=limit,
            query_filter=self._filter(filters),
            with_payload=True,
        )
        return [self._hit(p) for p in result.points]

    def search_many(self, vectors: np.ndarray, *, limit: int) -> list[list[CaseHit]]:
        if len(vectors) == 0:
            return []
        requests = [models.QueryRequest(query=v.tolist(), limit=limit, with_payload=True) for v in vectors]
        responses = self._client.query_batch_points(self.collection, requests=requests)
        return [[self._hit(p) for p in r.points] for r in responses]

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(ids)
        if not wanted:
            return set()
        found = self._client.retrieve(self.collection, ids=wanted, with_payload=False, with_vectors=False)
        return {str(p.id) for p in found}

    def count(self) -> int:
        return int(self._client.count(self.collection, exact=True).count)

    def all_cases(self, *, with_vectors: bool = True) -> tuple[list[Case], np.ndarray]:
        cases: list[Case] = []
        vectors: list[list[float]] = []
        offset = None
        while True:
            points, offset = self._client.scroll(
                self.collection, limit=1024, offset=offset, with_payload=True, with_vectors=with_vectors
            )
            for p in points:
                cases.append(Case.model_validate(p.payload))
                if with_vectors:
                    vectors.append(p.vector)  # type: ignore[arg-type]
            if offset is None:
                break
        array = np.asarray(vectors, dtype=np.float32) if with_vectors else np.zeros((0, self.dimension))
        return cases, array.reshape(-1, self.dimension) if with_vectors else array

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
        self._client.close()
