"""What a decision says about its LLM calls, read from `Decision.usage` (never from the LLM client).

The LLM client is free to change shape: metrics and traces only read the decision's `usage` dict,
which the decider fills (tokens, calls, retries, re-asks, latency, cost, model, structured-output rung)
and the pipeline sets to `{"error": <kind>}` when the LLM could not decide. Values outside the known
sets are folded into "other" so metric labels stay bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ERROR_KINDS", "RUNGS", "LlmUsageView", "read_usage"]

#: structured-output rungs (triage.llm.client MODES) and the label of anything else
RUNGS = ("json_schema", "json_object", "text")
#: error kinds: the exception type of a failed classify call, a failed draft call (classification kept)
ERROR_KINDS = {"LlmUnavailable": "unavailable", "LlmInvalidOutput": "invalid_output", "LlmError": "other"}


def _int(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def _float(value: Any) -> float:
    try:
        return max(0.0, float(value or 0.0))
    except (TypeError, ValueError):
        return 0.0


@dataclass(frozen=True)
class LlmUsageView:
    """One decision's LLM usage; `asked` is False on the local path (nothing else is then meaningful)."""

    asked: bool
    model: str | None = None
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    retries: int = 0
    reasks: int = 0
    latency_ms: float = 0.0
    rung: str | None = None
    error: str | None = None  # a kind of ERROR_KINDS' values, or "draft" when only the draft call failed
    cached: bool = False


def read_usage(usage: dict[str, Any], *, known_models: frozenset[str]) -> LlmUsageView:
    """Read a decision's usage dict; a model not configured here is reported as "other" (bounded labels)."""
    if not usage:
        return LlmUsageView(asked=False)
    if "error" in usage:
        return LlmUsageView(asked=True, error=ERROR_KINDS.get(str(usage["error"]), "other"))
    model = str(usage.get("model") or "")
    rung = str(usage.get("structured_output") or "")
    return LlmUsageView(
        asked=True,
        model=model if model in known_models else "other",
        calls=_int(usage.get("calls")),
        prompt_tokens=_int(usage.get("prompt_tokens")),
        completion_tokens=_int(usage.get("completion_tokens")),
        cost_usd=_float(usage.get("cost_usd")),
        retries=_int(usage.get("retries")),
        reasks=_int(usage.get("reasks")),
        latency_ms=_float(usage.get("latency_ms")),
        rung=rung if rung in RUNGS else ("other" if rung else None),
        error="draft" if usage.get("draft_error") else None,
        cached=bool(usage.get("cached")),
    )
