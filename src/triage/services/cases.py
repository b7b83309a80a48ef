"""Case memory: import labelled rows (JSONL/CSV) in batches, export, and add reviewed tickets.

Imports are resumable and idempotent: each case's id is derived from its source key (the row's id
field when mapped, else a hash of its text), so a re-run skips what is already in the store and a
duplicate row is counted, not stored twice.
"""

from __future__ import annotations

import csv
import json
import logging
import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from triage.db.models import CaseRow
from triage.domain.cases import Case, case_id_for, category_list
from triage.errors import InvalidTicket
from triage.pipeline.language import LanguageDetector
from triage.pipeline.redact import redact
from triage.ports import CaseStore, Embedder

__all__ = [
    "ImportReport", "FieldMap", "detect_case_languages", "export_cases", "import_cases", "read_numbered_rows",
    "read_rows", "upsert_cases", "write_cases",
]

log = logging.getLogger(__name__)

CASE_FIELDS = ("text", "language", "category", "also", "unknown", "risk", "queue", "channel", "reporter_type",
               "final_reply", "outcome", "status", "id")


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a JSONL or CSV file (by extension), as dicts."""
    for _, row in read_numbered_rows(path):
        yield row


def read_numbered_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows of a JSONL or CSV file (by extension), each with the 1-based line it starts on."""
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            _ = reader.fieldnames  # reads the header
            end = reader.line_num
            for row in reader:
                start, end = end + 1, reader.line_num
                yield start, row
        return
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InvalidTicket(f"{path}:{n}: not valid JSON: {exc.msg}") from exc


class FieldMap:
    """`--map target=source`: a field name, or a template over fields like "{subject}\\n\\n{body}"."""

    def __init__(self, mapping: dict[str, str] | None = None) -> None:
        self.mapping = dict(mapping or {})

    @staticmethod
    def parse(items: Iterable[str]) -> FieldMap:
        mapping: dict[str, str] = {}
        for item in items:
            if "=" not in item:
                raise ValueError(f"--map expects target=source, got {item!r}")
            target, source = item.split("=", 1)
            mapping[target.strip()] = source.strip().encode().decode("unicode_escape")
        return FieldMap(mapping)

    def value(self, row: dict[str, Any], target: str) -> Any:
        source = self.mapping.get(target)
        if source is None:
            if target == "text" and "text" not in row and ("body" in row or "subject" in row):
                source = "{subject}\n\n{body}"
            else:
                source = target
        if "{" in source:
            fields = [f for _, f, _, _ in string.Formatter().parse(source) if f]
            return source.format(**{f: row.get(f) or "" for f in fields}).strip()
        value = row.get(source)
        return None if value in (None, "") else value


@dataclass
class ImportReport:
    read: int = 0
    imported: int = 0
    skipped_duplicates: int = 0
    invalid: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _categories(value: Any, *, field: str, besides: Iterable[str]) -> list[str]:
    """A row's list of categories (`category_list`: a list, a JSON list or comma-separated): `also`, the secondary
    ones, or `unknown`, those its labels say nothing about; the categories in `besides` (the row's own), blanks and
    repeats dropped."""
    items = category_list(value) if value is not None else []
    if not isinstance(items, list):
        raise ValueError(f"{field}: {value!r} is not a list of categories")
    drop = set(besides)
    return [c for c in dict.fromkeys(str(i).strip() for i in items) if c and c not in drop]


#: the language of a row that names none is detected once, on import, so the memory knows which languages it
#: holds (`TRIAGE_CLASSIFIER__MIN_CASES_PER_LANGUAGE`); the service passes the configured detector
#: (`components.language_detector`, TRIAGE_LANGUAGE__*), this one has its defaults
DEFAULT_DETECTOR = LanguageDetector()


def _language_of(text: str, detector: LanguageDetector) -> str | None:
    """The detected language, or None when the detector is unsure (an unknown language, not the default one)."""
    detected = detector.detect(text)
    return detected.language if detected.confident else None


def row_to_case(row: dict[str, Any], fields: FieldMap, *, source: str, extra_labels: Iterable[str] = (),
                detector: LanguageDetector = DEFAULT_DETECTOR, floors: Mapping[str, str] | None = None) -> Case:
    """One import row as a case. A labelled row without a risk takes its category's floor from `floors` (the policy's;
    "low" without them or for a category they lack): an import of category labels alone must not teach the risk
    model that child-safety reports are low risk."""
    text = fields.value(row, "text")
    category = str(fields.value(row, "category") or "").strip() or None
    values = {f: fields.value(row, f) for f in CASE_FIELDS if f not in ("text", "id", "category")}
    if not text:
        raise ValueError("row has no text")
    if category is None and not values.get("unknown"):
        # a row without a category is a partially labelled one only when it says which categories it leaves open
        raise ValueError("row has no category (and no `unknown` categories: it rules nothing out)")
    redacted = redact(str(text)).text
    source_id = fields.value(row, "id")
    key = f"{source}:{source_id}" if source_id else Case.content_key(redacted)
    besides = [category] if category else []
    also = _categories(values.get("also"), field="also", besides=besides)
    risk = values.get("risk")
    return Case(
        id=case_id_for(key),
        key=key,
        text=redacted,
        category=category,
        also=also,
        unknown=_categories(values.get("unknown"), field="unknown", besides=[*besides, *also]),
        # a labelled row without a risk: its category's floor; a row without a category: no risk either, it teaches
        # only the one-vs-rest heads
        risk=str(risk) if risk else ((floors or {}).get(category, "low") if category else None),
        language=values.get("language") or _language_of(redacted, detector),
        queue=values.get("queue"),
        channel=values.get("channel"),
        reporter_type=values.get("reporter_type"),
        final_reply=values.get("final_reply"),
        outcome=values.get("outcome"),
        status=str(values.get("status") or "accepted"),
        source=source,
        extra={k: str(fields.value(row, k)) for k in extra_labels if fields.value(row, k) is not None},
    )


def upsert_cases(
    cases: list[Case], *, store: CaseStore, embedder: Embedder, sessions: sessionmaker[Session] | None,
    ticket_id: str | None = None,
) -> None:
    """Embed and write cases to the vector store and (when given) the database, idempotently."""
    if not cases:
        return
    write_cases(cases, embedder.embed([c.text for c in cases]), store=store, sessions=sessions, ticket_id=ticket_id)


def write_cases(
    cases: list[Case], vectors: np.ndarray, *, store: CaseStore, sessions: sessionmaker[Session] | None,
    ticket_id: str | None = None,
) -> None:
    """Write already-embedded cases to the database (when given), then to the vector store, idempotently."""
    if not cases:
        return
    if sessions is not None:
        with sessions.begin() as session:
            for c in cases:
                row = session.get(CaseRow, c.id) or CaseRow(id=c.id, key=c.key)
                for name in ("source", "text", "language", "category", "also", "unknown", "risk", "queue", "channel",
                             "reporter_type", "final_reply", "outcome", "status", "extra"):
                    setattr(row, name, getattr(c, name))
                row.ticket_id = ticket_id or row.ticket_id
                session.add(row)
    store.upsert(cases, vectors)


def detect_case_languages(
    *, store: CaseStore, sessions: sessionmaker[Session] | None, detector: LanguageDetector = DEFAULT_DETECTOR,
    batch_size: int = 1024, on_progress: Callable[[int], None] | None = None,
) -> int:
    """Give each case that records no language the detected one (store payload and database row; an unsure
    detection stays unknown); returns how many cases got one. For a memory imported before imports detected the
    language, so the language check (`TRIAGE_CLASSIFIER__MIN_CASES_PER_LANGUAGE`) can read it. Vectors are kept
    as stored; idempotent."""
    cases, _ = store.all_cases(with_vectors=False)
    missing = [c for c in cases if not c.language]
    del cases
    changed = 0
    for start in range(0, len(missing), batch_size):
        chunk = missing[start:start + batch_size]
        updated = [c.model_copy(update={"language": language}) for c in chunk
                   if (language := _language_of(c.text, detector)) is not None]
        if updated:
            write_cases(updated, store.vectors_of([c.id for c in updated]), store=store, sessions=sessions)
            changed += len(updated)
        if on_progress is not None:
            on_progress(len(chunk))
    return changed


@dataclass
class _Embedding:
    """A batch on its way: the cases to write, the rows they stand for, their vectors being computed."""

    cases: list[Case]
    rows: int
    vectors: Future[np.ndarray] | None


def import_cases(
    rows: Iterable[dict[str, Any]],
    *,
    fields: FieldMap,
    store: CaseStore,
    embedder: Embedder,
    sessions: sessionmaker[Session] | None,
    source: str = "import",
    batch_size: int = 256,
    extra_labels: Iterable[str] = (),
    on_progress: Callable[[int], None] | None = None,
    detector: LanguageDetector = DEFAULT_DETECTOR,
    floors: Mapping[str, str] | None = None,
) -> ImportReport:
    """Import labelled rows as cases: at most two batches in flight, one embedding while the other is written.

    The model runs in a worker thread (torch releases the GIL while it computes) and the database and
    vector-store writes of the previous batch run here meanwhile, so an import goes at the speed of the
    model. Resumable: ids already in the store are skipped before they are embedded.
    """
    report = ImportReport()
    seen: set[str] = set()
    batch: list[Case] = []
    extra = tuple(extra_labels)
    inflight: _Embedding | None = None

    def write(done: _Embedding) -> None:
        if done.vectors is not None:
            write_cases(done.cases, done.vectors.result(), store=store, sessions=sessions)
            report.imported += len(done.cases)
        if on_progress:
            on_progress(done.rows)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-embed") as pool:

        def flush() -> None:
            nonlocal inflight
            existing = store.existing_ids(c.id for c in batch)
            fresh = [c for c in batch if c.id not in existing]
            report.skipped_duplicates += len(batch) - len(fresh)
            texts = [c.text for c in fresh]
            started = _Embedding(fresh, len(batch), pool.submit(embedder.embed, texts) if fresh else None)
            batch.clear()
            if inflight is not None:
                write(inflight)  # while `started` is being embedded
            inflight = started

        for row in rows:
            report.read += 1
            try:
                case = row_to_case(row, fields, source=source, extra_labels=extra, detector=detector, floors=floors)
            except (ValueError, TypeError) as exc:
                report.invalid += 1
                log.warning("skipping invalid row", extra={"row": report.read, "error": str(exc)})
                if on_progress:
                    on_progress(1)
                continue
            if case.id in seen:
                report.skipped_duplicates += 1
                if on_progress:
                    on_progress(1)
                continue
            seen.add(case.id)
            batch.append(case)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        if inflight is not None:
            write(inflight)
    return report


def export_cases(session: Session, *, reviewed_only: bool = False) -> Iterator[dict[str, Any]]:
    query = select(CaseRow).order_by(CaseRow.created_at, CaseRow.id)
    if reviewed_only:
        query = query.where(CaseRow.source == "review")
    for row in session.scalars(query):
        yield {
            "id": row.id, "key": row.key, "source": row.source, "text": row.text, "language": row.language,
            "category": row.category, "risk": row.risk, "queue": row.queue, "channel": row.channel,
            "reporter_type": row.reporter_type, "final_reply": row.final_reply, "outcome": row.outcome,
            "status": row.status, "ticket_id": row.ticket_id, **({"extra": row.extra} if row.extra else {}),
            **({"also": list(row.also)} if row.also else {}),
            **({"unknown": list(row.unknown)} if row.unknown else {}),
        }
