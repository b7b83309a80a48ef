"""The small interfaces the pipeline talks to; adapters implement them (see `triage.adapters`, `triage.llm`).

    Embedder   sentence-transformers (triage.adapters.embedder)
    CaseStore  qdrant-edge / qdrant-client (triage.adapters.edge_store, triage.adapters.qdrant_store)
    Llm        one chat model behind an OpenAI-compatible endpoint (triage.llm.client.ChatClient), and the
               wrappers around that same protocol (triage.llm.wrappers: concurrency cap, daily budget)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel

from triage.domain.cases import Case, CaseHit

__all__ = ["CaseStore", "Embedder", "Llm", "LlmAnswer", "LlmUsage", "StoreChanges"]


class Embedder(Protocol):
    """Also, optionally, `unread(texts) -> list[int]`: per text, the word pieces beyond the model's window, which
    `embed` never reads (the pipeline sends a ticket it did not read in full to a person or the LLM)."""

    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return L2-normalised float32 vectors, one row per text."""
        ...


@dataclass(frozen=True)
class StoreChanges:
    """The cases written to a store since a revision (the latest version of each), and the revision they reach."""

    cases: list[Case]
    vectors: np.ndarray
    revision: int


class CaseStore(Protocol):
    def upsert(self, cases: Sequence[Case], vectors: np.ndarray) -> None: ...

    def search(
        self, vector: np.ndarray, *, limit: int, filters: dict[str, Any] | None = None
    ) -> list[CaseHit]:
        """The nearest cases with a category (one without only rules categories out: no similar case)."""
        ...

    def search_many(self, vectors: np.ndarray, *, limit: int) -> list[list[CaseHit]]:
        """`search` for each vector, in one request."""
        ...

    def existing_ids(self, ids: Iterable[str]) -> set[str]: ...

    def count(self, filters: dict[str, Any] | None = None) -> int:
        """Cases in the store, or those matching `filters` (the same payload filters as `search`; a value of None
        matches the cases where that field is null: `{"category": None}` counts the cases without a category)."""
        ...

    def all_cases(self, *, with_vectors: bool = True, with_text: bool = True) -> tuple[list[Case], np.ndarray]:
        """Every case (and, with_vectors, its vector in the same row). with_text=False: a payload-lite read that
        leaves the long fields out (`text` empty, `final_reply` None; ids and every label kept), for the reads of
        the whole memory that only need labels: a fit reads the text of its bounded sample with `cases_of`."""
        ...

    def label_pages(self) -> Iterator[list[Case]]:
        """Every case, payload-lite as `all_cases(with_text=False)` reads them, a page at a time: the reads of the
        whole memory that keep columns of its labels (`MemoryColumns`) hold one page of `Case` objects at once."""
        ...

    def cases_of(self, ids: Sequence[str]) -> list[Case]:
        """The full cases with these ids, in the order of `ids`; raises `triage.errors.NotFound` naming the ids the
        store does not hold."""
        ...

    def vectors_of(self, ids: Sequence[str]) -> np.ndarray:
        """The stored vectors of these cases: float32, one row per id in the order of `ids` (shape (0, dimension)
        for none); raises `triage.errors.NotFound` naming the ids the store does not hold. Reads only those
        points, so a fit on a bounded sample never holds the whole memory's vectors."""
        ...

    def revision(self) -> int:
        """Changes whenever cases are added or changed (used to refit the local model)."""
        ...

    def content_token(self) -> str | None:
        """A name for the store's content now, different after every write (and kept across a clean restart,
        see `same_content`); None when the store cannot name it."""
        ...

    def same_content(self, token: str) -> bool:
        """Whether the content is still what `token` named: nothing written since (across clean restarts too)."""
        ...

    def changes_since(self, revision: int) -> StoreChanges | None:
        """The cases written since `revision`, when this store knows them without reading everything (its own
        recent writes); None when it cannot say (a server other processes write to, a revision too old)."""
        ...

    def close(self) -> None: ...


@dataclass
class LlmUsage:
    """Tokens, calls and time spent on one ticket; every layer of an `Llm` stack adds to the same one."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    retries: int = 0
    reasks: int = 0
    latency_ms: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, usage: Any) -> None:
        """Add a vendor usage object (anything with prompt_tokens / completion_tokens)."""
        if usage is not None:
            self.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
            self.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)

    def cost(self, input_per_mtok: float, output_per_mtok: float) -> float:
        return (self.prompt_tokens * input_per_mtok + self.completion_tokens * output_per_mtok) / 1e6


@dataclass
class LlmAnswer:
    """A validated structured answer, the raw text it came from and the structured-output mode used."""

    value: BaseModel
    content: str
    mode: str
    logprobs: list[Any] | None = field(default=None, repr=False)  # openai ChatCompletionTokenLogprob items


class Llm(Protocol):
    """One chat model: structured answers validated against a pydantic model, within a deadline.

    Implemented by `triage.llm.client.ChatClient`; `triage.llm.wrappers` wraps it (the same protocol)
    with a concurrency cap and a daily budget.
    """

    model: str
    base_url: str

    @property
    def structured_mode(self) -> str:
        """The structured-output mode this server is known to accept (remembered across calls)."""
        ...

    def cost_of(self, usage: LlmUsage) -> float | None:
        """USD for this usage from the configured price table (None when the model has no price)."""
        ...

    async def complete(
        self, *, messages: list[dict[str, str]], output: type[BaseModel], name: str, max_tokens: int,
        deadline: float, usage: LlmUsage,
    ) -> LlmAnswer:
        """Ask until the answer validates against `output`; raise LlmUnavailable / LlmInvalidOutput."""
        ...

    async def aclose(self) -> None:
        """Close the HTTP connections of the running event loop (called on shutdown)."""
        ...
