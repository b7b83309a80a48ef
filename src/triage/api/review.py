"""Review API: queue, claim, review, history, stats."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["review"])
