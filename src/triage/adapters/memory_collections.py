"""Which embedded collection holds the case memory, embedded by which model; the switch to a new model.

A vector is only comparable with vectors of the same model: when `TRIAGE_EMBEDDING__MODEL` names another model
(a fine-tuned one, or the packaged one again after a roll-back), the memory is re-embedded into a NEW collection
directory, while the old one keeps serving nobody but stays whole on disk; only when every case is in the new
one does a pointer file name it (written under a temporary name and renamed: atomic). A crash or a failure
before that leaves the old collection and its model in use.

Layout under `<qdrant path>/edge/`::

    triage_cases/                         the collection as created before this file existed
    triage_cases--embedder-20261130T...   the memory as embedded by a fine-tuned model (named by its version)
    triage_cases--m-3f2a9c1d0b7e/         ... or by another model (named by a digest of its name)
    triage_cases.ACTIVE                   JSON `ActiveCollection`: the directory in use, the model of its vectors

After a switch, the newest `TRIAGE_QDRANT__KEEP_COLLECTIONS` (1) inactive directories are kept as a safety copy
and older ones removed (`prune`). A roll-back re-embeds anyway, because cases reviewed meanwhile are only in
the newer collection.

A Qdrant server (or qdrant-client's local mode) switches the same way with a collection alias in place of the
pointer file: `QdrantCollections` in `qdrant_store.py`, with the same names (`collection_name_for`), the same
record (`ActiveCollection`, kept in the collection's metadata) and `copy_reembedded`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from triage.ports import CaseStore, Embedder

__all__ = ["ActiveCollection", "CollectionRegistry", "collection_name_for", "copy_reembedded", "is_finetuned"]

log = logging.getLogger(__name__)

_POINTER_SUFFIX = ".ACTIVE"
_FT = "+ft:"


@dataclass(frozen=True)
class ActiveCollection:
    directory: str  # under the registry's root (edge); the physical collection's name (Qdrant server, local mode)
    embedder: str | None  # the model that made its vectors (decisions' `versions.embedder`); None: not recorded
    source: str | None = None  # the TRIAGE_EMBEDDING__MODEL value that loads that model
    dimension: int | None = None
    cases: int | None = None
    switched_at: str | None = None


def is_finetuned(embedder_name: str) -> bool:
    return _FT in embedder_name


def collection_name_for(collection: str, embedder_name: str) -> str:
    """The name of the collection of memory `collection` as embedded by `embedder_name` (a directory here, a physical
    collection behind the alias on a Qdrant server): named by the fine-tune's version, or by a digest of any other
    model's name."""
    if is_finetuned(embedder_name):
        slug = re.sub(r"[^A-Za-z0-9._-]", "_", embedder_name.split(_FT, 1)[1])[:80]
    else:
        slug = "m-" + hashlib.sha256(embedder_name.encode()).hexdigest()[:12]
    return f"{collection}--{slug}"


class CollectionRegistry:
    """The collections of one logical case memory (`TRIAGE_QDRANT__COLLECTION`) under one root directory."""

    def __init__(self, root: Path, collection: str) -> None:
        self.root = Path(root)
        self.collection = collection

    @property
    def pointer(self) -> Path:
        return self.root / f"{self.collection}{_POINTER_SUFFIX}"

    def active(self) -> ActiveCollection:
        """The collection in use; a store from before the pointer existed is the collection's own directory."""
        try:
            data = json.loads(self.pointer.read_text(encoding="utf-8"))
            return ActiveCollection(**{k: v for k, v in data.items() if k in ActiveCollection.__dataclass_fields__})
        except FileNotFoundError:
            return ActiveCollection(directory=self.collection, embedder=None)

    def path_of(self, directory: str) -> Path:
        return self.root / directory

    def matches(self, active: ActiveCollection, embedder_name: str) -> bool:
        """True when the active collection's vectors were made by `embedder_name`. A collection whose model was
        never recorded was made by the configured model, unless that is a fine-tuned one (those came with the
        pointer, so a collection without one cannot have been embedded by it)."""
        if active.embedder is None:
            return not is_finetuned(embedder_name)
        return active.embedder == embedder_name

    def directory_for(self, embedder_name: str) -> str:
        """The directory a re-embedding by `embedder_name` is written to (`collection_name_for`)."""
        return collection_name_for(self.collection, embedder_name)

    def record(self, active: ActiveCollection) -> None:
        """Make `active` the collection in use (atomically: the pointer is renamed into place)."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.pointer.with_name(self.pointer.name + f".{os.getpid()}.tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(active), indent=2))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.pointer)

    def prepare_directory(self, directory: str) -> Path:
        """An empty directory for a new collection; a leftover of an earlier (stale or interrupted) build with
        that name is removed. Never the active one."""
        if directory == self.active().directory:
            raise ValueError(f"{directory} is the active collection; it is never rebuilt in place")
        path = self.path_of(directory)
        if path.exists():
            log.info("removing an earlier build of the collection %s before re-embedding", directory)
            shutil.rmtree(path)
        return path

    def inactive(self) -> list[Path]:
        """The collection directories of this memory that are not in use, newest first."""
        active = self.active().directory
        found = [p for p in self.root.glob(f"{self.collection}*") if p.is_dir() and p.name != active
                 and (p.name == self.collection or p.name.startswith(f"{self.collection}--"))]
        return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)

    def prune(self, keep: int) -> list[str]:
        """Remove all but the newest `keep` inactive collection directories; returns the names removed."""
        removed = []
        for path in self.inactive()[keep:]:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
        if removed:
            log.info("old collections of the case memory removed", extra={"removed": removed, "kept": keep})
        return removed

    @staticmethod
    def now() -> str:
        return datetime.now(UTC).isoformat(timespec="seconds")


def copy_reembedded(source: CaseStore, target: CaseStore, embedder: Embedder, *, batch_size: int = 256,
                    on_progress: Callable[[int, int], None] | None = None) -> int:
    """Copy every case of `source` into `target`, embedded by `embedder` (through the `CaseStore` port, so any
    store can be the target). Returns how many cases were copied."""
    cases, _ = source.all_cases(with_vectors=False)
    total = len(cases)
    for start in range(0, total, batch_size):
        chunk = cases[start:start + batch_size]
        target.upsert(chunk, embedder.embed([c.text for c in chunk]))
        if on_progress is not None:
            on_progress(min(start + batch_size, total), total)
    if target.count() != total:
        raise RuntimeError(f"re-embedding copied {target.count()} of {total} cases")
    return total
