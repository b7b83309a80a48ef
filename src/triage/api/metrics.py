"""`GET /metrics`: Prometheus text exposition of the app's own registry (see triage.telemetry.metrics)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from triage.api.deps import MetricsAccess

router = APIRouter(tags=["health"])

EXAMPLE = """# HELP triage_decisions_total Decisions made, by the path that decided, category, risk and whether ...
# TYPE triage_decisions_total counter
triage_decisions_total{category="child_safety",needs_human="true",path="local",risk="critical"} 3.0
# HELP triage_review_queue_depth Open review tickets (decided or in review) by their latest decision's risk
# TYPE triage_review_queue_depth gauge
triage_review_queue_depth{risk="critical"} 3.0
"""


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    description="Requests per route and status with latency histograms; decisions by path, category, risk and "
    "needs_human; per-stage latency; LLM calls, tokens, cost, errors, breaker state and structured-output rung; "
    "case-memory size and classifier revision; the review queue by risk and the tickets past their SLA. Labels "
    "never carry ticket ids or text. Open by default; with `TRIAGE_METRICS__REQUIRE_KEY=true` any API key "
    "(`Authorization: Bearer ...`) is required. The metric list is in the README ('Operating triage').",
    response_class=Response,
    responses={200: {"description": "Prometheus text format 0.0.4",
                     "content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}, "example": EXAMPLE}}},
               401: {"description": "A key is required (TRIAGE_METRICS__REQUIRE_KEY) and none or an unknown one "
                                    "was sent"}},
)
def metrics(request: Request, _access: MetricsAccess) -> Response:
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
