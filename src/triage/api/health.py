"""Liveness and readiness."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from triage.api.deps import ComponentsDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database, case store and models can serve",
            responses={503: {"description": "A dependency is not ready; `checks` says which"}})
async def readyz(components: ComponentsDep) -> JSONResponse:
    checks: dict[str, Any] = {}
    ok = True

    def db() -> None:
        with components.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    for name, fn in (("database", db), ("case_store", components.store.count)):
        try:
            result = await asyncio.to_thread(fn)
            checks[name] = {"ok": True, **({"cases": result} if isinstance(result, int) else {})}
        except Exception as exc:  # report, don't raise: this endpoint exists to say what is wrong
            ok = False
            checks[name] = {"ok": False, "error": type(exc).__name__}
    checks["embedder"] = {"ok": True, "model": getattr(components.embedder, "name", "?")}
    checks["policy"] = {"ok": True, "version": components.policy.version}
    checks["mode"] = components.pipeline.mode
    return JSONResponse({"status": "ready" if ok else "not_ready", "checks": checks}, status_code=200 if ok else 503)
