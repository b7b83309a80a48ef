"""The OpenAPI document names every status the service answers, with the problem+json schema.

Routes declare their own success and domain statuses (404, 409, ...); the statuses every route of a
kind shares are added here once, so a new route cannot forget them: 422 (FastAPI's default 422 schema
is replaced: errors are problem+json), 401/403/429/503 on routes that need a key, 413 on routes with a
body.
"""

from __future__ import annotations

from typing import Any

__all__ = ["document_problems"]

_REF = {"$ref": "#/components/schemas/Problem"}
_SHARED: dict[str, str] = {
    "401": "Missing or unknown API key",
    "403": "The key's role may not do this",
    "413": "Body or text over the configured limit",
    "422": "Invalid input: malformed or non-strict JSON, wrong types, unknown fields, binary or control "
           "characters, out-of-range parameters (the detail names the field)",
    "429": "Too many requests or failed sign-ins; see the Retry-After header",
    "503": "A store the request needs (database, throttle counters) cannot be reached",
}


def _problem(status: str, description: str) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description,
                                "content": {"application/problem+json": {"schema": _REF}}}
    if status == "429":
        response["headers"] = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
    return response


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    for path_item in schema.get("paths", {}).values():
        for method, op in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses: dict[str, Any] = op.setdefault("responses", {})
            wanted = ["422"]
            if op.get("security"):
                wanted += ["401", "403", "429", "503"]
            if "requestBody" in op:
                wanted.append("413")
            for status in wanted:
                existing = responses.get(status)
                if existing is None or "application/json" in existing.get("content", {}) or status == "422":
                    description = existing["description"] if existing and status != "422" else _SHARED[status]
                    responses[status] = _problem(status, description)
            for status, response in responses.items():  # a route's own 404/409 are problem+json too
                if status.startswith(("4", "5")) and "content" not in response:
                    response["content"] = {"application/problem+json": {"schema": _REF}}
    return schema
