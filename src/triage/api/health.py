"""Liveness and readiness."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from triage.api.deps import ComponentsDep

router = APIRouter(tags=["health"])

READY_EXAMPLE = {
    "status": "ready",
    "degraded": False,
    "checks": {
        "database": {"ok": True},
        "case_store": {"ok": True, "cases": 467},
        "memory": {"cases": 467, "fitted": True, "degraded": False, "min_cases": 50, "min_cases_per_category": 5,
                   "thin_categories": [], "per_category": {"child_safety": 20, "...": 0},
                   "min_cases_per_language": 5, "per_language": {"en": 164, "es": 32, "...": 6},
                   "critical_detector": {"fitted_on": 467, "thresholds": {"child_safety": 0.41}}},
        "embedder": {"ok": True, "model": "sentence-transformers/all-MiniLM-L6-v2"},
        "policy": {"ok": True, "version": "ts-taxonomy-2026.11.1+ts-routing-2026.11.1#1a2b3c4d"},
        "mode": "local",
    },
}


@router.get("/healthz", summary="Liveness: the process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: the database can take tickets; what the case memory can teach",
    description="503 only when tickets cannot be persisted (the database is down). A case store that is down "
    "or a memory that is empty, tiny or has categories with too few cases is reported as `degraded: true` "
    "with a 200: the service still decides every ticket, at raised risk and with a person "
    "(`no_evidence`), so an orchestrator must not take it out of rotation for that. `memory.per_language` lists "
    "the languages the memory holds (null when the language check is off or the cases record no language): a "
    "ticket in a language with fewer than `min_cases_per_language` cases gets the same raised risk.",
    responses={200: {"description": "Ready (possibly degraded)", "content": {"application/json": {
        "example": READY_EXAMPLE}}},
               503: {"description": "The database is not reachable; `checks` says why"}},
)
async def readyz(components: ComponentsDep) -> JSONResponse:
    checks: dict[str, Any] = {}

    def db() -> None:
        with components.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    try:
        await asyncio.to_thread(db)
        checks["database"] = {"ok": True}
    except Exception as exc:  # report, don't raise: this endpoint exists to say what is wrong
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    store_ok = True
    labelled: int | None = None
    pipeline = components.pipeline
    try:
        count = await asyncio.to_thread(components.store.count)
        # the memory's size as evidence: its cases with a category (README, "no category")
        labelled = await asyncio.to_thread(pipeline.labelled_count)
        checks["case_store"] = {"ok": True, "cases": count}
    except Exception as exc:
        store_ok = False
        checks["case_store"] = {"ok": False, "error": type(exc).__name__}
    memory = pipeline.memory_state(store_ok=store_ok, count=labelled)
    languages = await asyncio.to_thread(pipeline.memory_languages) if store_ok else None
    checks["memory"] = {
        "cases": memory.cases, "fitted": memory.fitted, "degraded": memory.degraded, "min_cases": memory.min_cases,
        "min_cases_per_category": pipeline.min_cases_per_category, "thin_categories": list(memory.thin_categories),
        "per_category": memory.per_category,
        # languages the memory holds; a ticket in any other, or in one below the minimum, gets the no-evidence floor
        "min_cases_per_language": pipeline.min_language_cases, "per_language": languages,
        **({"critical_detector": pipeline.critical.summary()} if pipeline.critical is not None else {}),
    }
    checks["embedder"] = {"ok": True, "model": getattr(components.embedder, "name", "?")}
    checks["policy"] = {"ok": True, "version": components.policy.version}
    checks["mode"] = pipeline.mode
    ok = bool(checks["database"]["ok"])
    return JSONResponse({"status": "ready" if ok else "not_ready", "degraded": memory.degraded, "checks": checks},
                        status_code=200 if ok else 503)
