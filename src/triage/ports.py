"""The small interfaces the pipeline talks to; adapters implement them (see `triage.adapters`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from triage.domain.cases import Case, CaseHit

__all__ = ["CaseStore", "Clock", "Embedder", "Llm"]


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return L2-normalised float32 vectors, one row per text."""
        ...


class CaseStore(Protocol):
    def upsert(self, cases: Sequence[Case], vectors: np.ndarray) -> None: ...

    def search(
        self, vector: np.ndarray, *, limit: int, filters: dict[str, Any] | None = None
    ) -> list[CaseHit]: ...

    def search_many(self, vectors: np.ndarray, *, limit: int) -> list[list[CaseHit]]: ...

    def existing_ids(self, ids: Iterable[str]) -> set[str]: ...

    def count(self) -> int: ...

    def all_cases(self, *, with_vectors: bool = True) -> tuple[list[Case], np.ndarray]: ...

    def revision(self) -> int:
        """Changes whenever cases are added or changed (used to refit the local model)."""
        ...

    def close(self) -> None: ...


class Llm(Protocol):
    model: str

    async def complete_json(
        self, *, messages: list[dict[str, str]], schema: dict[str, Any], name: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return (parsed JSON object, usage) or raise LlmUnavailable / LlmInvalidOutput."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...
