"""Move a case memory from qdrant-client's local mode (the old embedded default) into the edge store.

Local mode keeps a collection as pickled points in `<path>/collection/<name>/storage.sqlite` and loads
all of it into memory when opened; the migration reads it through qdrant-client's own API (never the
pickles), page by page, and upserts into an `EdgeCaseStore`. It is resumable: ids already in the edge
store are skipped, so an interrupted migration is finished by running it again.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np
from qdrant_client import QdrantClient

from triage.adapters.edge_store import EdgeCaseStore
from triage.domain.cases import Case
from triage.errors import StoreUnavailable

__all__ = ["already_migrated", "local_store_dimension", "local_store_points", "migrate_local_store",
           "migrate_on_first_start"]

log = logging.getLogger(__name__)

# local mode sorts every id on each scroll page, so pages are read large and written in `batch` chunks
_SCROLL_PAGE = 8192
# written into the edge store's directory once a migration has finished; its absence means "(re)try"
_MIGRATED = "MIGRATED_FROM_LOCAL"


def _storage_file(src_path: Path, collection: str) -> Path:
    return Path(src_path) / "collection" / collection / "storage.sqlite"


def local_store_points(src_path: Path, collection: str) -> int:
    """How many points a local-mode store holds, read cheaply (no loading); 0 when there is none."""
    storage = _storage_file(src_path, collection)
    if not (Path(src_path) / "meta.json").is_file() or not storage.is_file():
        return 0
    try:
        with sqlite3.connect(f"file:{storage}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT count(*) FROM points").fetchone()[0])
    except sqlite3.Error as exc:
        log.warning("cannot read the local-mode store", extra={"path": str(storage), "error": str(exc)})
        return 0


def migrate_local_store(
    src_path: Path,
    collection: str,
    dst: EdgeCaseStore,
    *,
    batch: int = 1024,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Copy every point (payload and vector) of a local-mode collection into `dst`; return how many.

    Points whose id is already in `dst` are skipped (resuming). `on_progress` gets the running count of
    points read from the source. The source is opened read-only in spirit: nothing is written to it.
    """
    try:
        client = QdrantClient(path=str(src_path))
    except Exception as exc:  # portalocker when another process holds it, pickle or sqlite errors
        raise StoreUnavailable(f"cannot open the local-mode store at {src_path}: {exc}") from exc
    copied = read = 0
    try:
        if not client.collection_exists(collection):
            return 0
        offset = None
        while True:
            points, offset = client.scroll(collection, limit=max(batch, _SCROLL_PAGE), offset=offset,
                                           with_payload=True, with_vectors=True)
            for start in range(0, len(points), batch):
                chunk = points[start:start + batch]
                have = dst.existing_ids(str(p.id) for p in chunk)
                fresh = [p for p in chunk if str(p.id) not in have]
                if fresh:
                    cases = [Case.model_validate(p.payload) for p in fresh]
                    vectors = np.asarray([p.vector for p in fresh], dtype=np.float32)
                    dst.upsert(cases, vectors)
                copied += len(fresh)
                read += len(chunk)
                if on_progress is not None:
                    on_progress(read)
            if offset is None:
                break
    finally:
        client.close()
    log.info("local-mode store migrated", extra={"source": str(src_path), "collection": collection,
                                                  "copied": copied, "read": read})
    return copied


def local_store_dimension(src_path: Path, collection: str) -> int | None:
    """The vector size of a local-mode collection, from its `meta.json` (no loading); None when unknown."""
    meta = Path(src_path) / "meta.json"
    try:
        vectors = json.loads(meta.read_text(encoding="utf-8"))["collections"][collection]["vectors"]
        return int(vectors["size"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def already_migrated(dst: EdgeCaseStore) -> bool:
    """True when a migration into `dst` finished (by `migrate_on_first_start` or `triage cases migrate-store`)."""
    return (dst.path / _MIGRATED).exists()


def migrate_on_first_start(
    src_path: Path, collection: str, dst: EdgeCaseStore, *, force: bool = False, optimise: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """At start-up: migrate a local-mode store at `src_path` into `dst` unless that was done already.

    A marker in the edge store's directory records a finished migration, so an interrupted one is
    resumed at the next start, and a finished one never runs again (the old files stay, untouched).
    `force` runs it again anyway (ids already copied are skipped); `optimise` waits for the index to be
    built (the CLI) instead of leaving it to the background thread (start-up).
    """
    marker = dst.path / _MIGRATED
    if marker.exists() and not force:
        return 0
    waiting = local_store_points(src_path, collection)
    if waiting:
        log.info("migrating the local-mode case store to the edge engine",
                 extra={"source": str(src_path), "target": str(dst.path), "cases": waiting})
        copied = migrate_local_store(src_path, collection, dst, on_progress=on_progress)
        dst.optimize(wait=optimise)
        log.info("case store migrated to the edge engine", extra={"copied": copied, "cases": dst.count()})
    else:
        copied = 0
    marker.write_text(f"{src_path}\n{copied}\n", encoding="utf-8")
    return copied
