"""Reading the stored vectors or payloads of given cases, in the caller's order, a chunk of ids per vendor call.

Both case stores implement `CaseStore.vectors_of` with `gather_vectors` and `CaseStore.cases_of` with `gather`:
the vendor call differs, the rest (the order of the rows, repeated ids, ids spelled differently from the engine's
canonical UUID, a clear error for an id the store does not hold) is the same. `TEXT_FIELDS` and `lite_case` are
the payload-lite read of `all_cases(with_text=False)`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import cast

import numpy as np

from triage.domain.cases import Case
from triage.errors import NotFound

__all__ = ["TEXT_FIELDS", "gather", "gather_cases", "gather_vectors", "lite_case"]

#: the payload fields a payload-lite read leaves out: the long ones (the labels, ids and small fields stay)
TEXT_FIELDS = ("text", "final_reply")

#: (point id as the engine returns it, its vector) for each id of a chunk the engine holds
ChunkReader = Callable[[list[str]], Iterable[tuple[object, Sequence[float]]]]


def _canonical(point_id: object) -> str:
    """The engine's spelling of a point id: Qdrant returns UUIDs lower-case and hyphenated whatever was written."""
    try:
        return str(uuid.UUID(str(point_id)))
    except ValueError:
        return str(point_id)


def lite_case(payload: Mapping[str, object] | None) -> Case:
    """A case read without its TEXT_FIELDS: `text` is empty and `final_reply` None; every label is there."""
    return Case.model_validate({**(payload or {}), "text": ""})


def gather_vectors(ids: Sequence[str], *, dimension: int, chunk: int, read: ChunkReader) -> np.ndarray:
    """A float32 array with the vector of `ids[i]` in row i, read `chunk` distinct ids per `read` call; raises
    `NotFound` naming the ids the store does not hold. Each chunk is copied into the array as it arrives, so the
    vendor's Python floats never pile up."""
    out = np.empty((len(ids), dimension), dtype=np.float32)

    def put(at: list[int], vector: object) -> None:
        out[at] = np.asarray(vector, dtype=np.float32)

    gather(ids, chunk=chunk, read=read, put=put)
    return out


def gather(ids: Sequence[str], *, chunk: int, read: Callable[[list[str]], Iterable[tuple[object, object]]],
           put: Callable[[list[int], object], None]) -> None:
    """Call `put(rows, value)` with the rows of `ids` that name each point `read` returns; raises `NotFound`
    naming the ids the store does not hold."""
    rows: dict[str, list[int]] = {}
    spelled: dict[str, str] = {}
    for row, case_id in enumerate(ids):
        key = _canonical(case_id)
        rows.setdefault(key, []).append(row)
        spelled.setdefault(key, case_id)
    wanted = list(spelled.values())
    for start in range(0, len(wanted), chunk):
        for point_id, value in read(wanted[start:start + chunk]):
            at = rows.pop(_canonical(point_id), None)
            if at is not None:
                put(at, value)
    if rows:
        missing = [spelled[key] for key in rows]
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise NotFound(f"the case store has no case with id {shown} ({len(missing)} of {len(wanted)} asked)")


def gather_cases(ids: Sequence[str], *, chunk: int, read: Callable[[list[str]], Iterable[tuple[object, object]]]
                 ) -> list[Case]:
    """The full case of `ids[i]` at position i (payloads read `chunk` distinct ids per `read` call)."""
    out: list[Case] = [cast(Case, None)] * len(ids)  # every row is filled, or `gather` raises NotFound

    def put(at: list[int], payload: object) -> None:
        case = Case.model_validate(payload)
        for row in at:
            out[row] = case

    gather(ids, chunk=chunk, read=read, put=put)
    return out
