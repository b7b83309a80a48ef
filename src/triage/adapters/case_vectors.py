"""Reading the stored vectors of given cases, in the caller's order, a chunk of ids per vendor call.

Both case stores implement `CaseStore.vectors_of` with `gather_vectors`: the vendor call differs, the rest (the
order of the rows, repeated ids, ids spelled differently from the engine's canonical UUID, a clear error for an
id the store does not hold) is the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from triage.errors import NotFound

__all__ = ["gather_vectors"]

#: (point id as the engine returns it, its vector) for each id of a chunk the engine holds
ChunkReader = Callable[[list[str]], Iterable[tuple[object, Sequence[float]]]]


def _canonical(point_id: object) -> str:
    """The engine's spelling of a point id: Qdrant returns UUIDs lower-case and hyphenated whatever was written."""
    try:
        return str(uuid.UUID(str(point_id)))
    except ValueError:
        return str(point_id)


def gather_vectors(ids: Sequence[str], *, dimension: int, chunk: int, read: ChunkReader) -> np.ndarray:
    """A float32 array with the vector of `ids[i]` in row i, read `chunk` distinct ids per `read` call; raises
    `NotFound` naming the ids the store does not hold. Each chunk is copied into the array as it arrives, so the
    vendor's Python floats never pile up."""
    out = np.empty((len(ids), dimension), dtype=np.float32)
    rows: dict[str, list[int]] = {}
    spelled: dict[str, str] = {}
    for row, case_id in enumerate(ids):
        key = _canonical(case_id)
        rows.setdefault(key, []).append(row)
        spelled.setdefault(key, case_id)
    wanted = list(spelled.values())
    for start in range(0, len(wanted), chunk):
        for point_id, vector in read(wanted[start:start + chunk]):
            at = rows.pop(_canonical(point_id), None)
            if at is not None:
                out[at] = np.asarray(vector, dtype=np.float32)
    if rows:
        missing = [spelled[key] for key in rows]
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise NotFound(f"the case store has no case with id {shown} ({len(missing)} of {len(wanted)} asked)")
    return out
