"""The whole memory as a fit needs it: columns of ids, id hashes and categories, and the memory's signature.

A full fit, a start's check of a saved model, the rebuild of the training rows after a start, and an update that
cannot read the store's journal each read every case of the memory, and need four things of it only: each case's
id, the id's 64-bit hash (which cases a fit trained on, which are new since), its first category (the stratified
sample) and the memory's signature (every label, `model_state.MemorySignature`). Held as `Case` objects, even
without their text, that was ~2.4 KB a case: ~2.5 GB at a million cases, most of `triage model train`'s peak there.
Held as columns it is ~110 bytes a case. The store hands the cases over a page at a time
(`CaseStore.label_pages`); a page's `Case` objects are dropped as soon as its columns are taken.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from triage.domain.cases import Case
from triage.pipeline.model_state import MemorySignature, memory_signature
from triage.ports import CaseStore

__all__ = ["MemoryColumns", "hash_ids", "id_hashes"]


def hash_ids(ids: Sequence[str]) -> np.ndarray:
    """A stable 64-bit hash of each id, in order (stable across processes, unlike `hash`)."""
    return np.fromiter((int.from_bytes(hashlib.blake2b(i.encode(), digest_size=8).digest(), "little", signed=True)
                        for i in ids), dtype=np.int64, count=len(ids))


def id_hashes(cases: Sequence[Case]) -> np.ndarray:
    """`hash_ids` of the cases' ids."""
    return hash_ids([c.id for c in cases])


@dataclass(frozen=True)
class MemoryColumns:
    """Row i of every column is one case of the memory (in the store's order, which is no particular order)."""

    ids: list[str]
    hashes: np.ndarray  # int64: hash_ids(ids)
    categories: list[str]  # the first category; one string object per distinct category
    signature: MemorySignature  # of every case's id and labels, as `memory_signature` of the cases

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of(cls, pages: Iterable[Sequence[Case]], progress: Callable[[int], None] | None = None) -> MemoryColumns:
        """The columns of cases given a page (a sequence of cases) at a time; `progress(cases read so far)` after
        each page."""
        ids: list[str] = []
        categories: list[str] = []
        hashes: list[np.ndarray] = []
        names: dict[str, str] = {}
        signature = memory_signature([])
        for page in pages:
            cases = list(page)
            ids.extend(c.id for c in cases)
            categories.extend(names.setdefault(c.category or "", c.category or "") for c in cases)  # "": none
            hashes.append(id_hashes(cases))
            signature = signature.plus(cases)
            if progress is not None:
                progress(len(ids))
        return cls(ids=ids, hashes=np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.int64),
                   categories=categories, signature=signature)

    @classmethod
    def read(cls, store: CaseStore, progress: Callable[[int], None] | None = None) -> MemoryColumns:
        """The whole memory of `store`, read page by page without the texts."""
        return cls.of(store.label_pages(), progress)
