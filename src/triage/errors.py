"""The exception tree. One handler in `api/problems.py` maps each to an HTTP problem+json.

    TriageError                      (500, never expected to reach a caller)
    ├── InvalidTicket                (422) the ticket is unusable: empty, binary, control characters
    │   └── InvalidBody              (422) the body is not strict JSON: duplicate keys, NaN, too deep
    ├── TicketTooLarge               (413) body or text over the configured limit
    ├── NotFound                     (404)
    ├── Conflict                     (409) e.g. a stale write
    ├── AuthError                    (401) missing or unknown API key
    │   └── Forbidden                (403) the key's role may not do this
    ├── TooManyRequests              (429) a throttle limit was reached; carries Retry-After
    ├── PolicyError                  (start-up) a policy file is invalid; names file and line
    ├── StoreUnavailable             (503) the case store or database cannot serve
    └── LlmError                     (never reaches a caller: the pipeline degrades)
        ├── LlmUnavailable           timeouts, 429, 5xx, connection errors, open breaker
        └── LlmInvalidOutput         output failed validation after the bounded re-asks
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "Conflict",
    "Forbidden",
    "InvalidBody",
    "InvalidTicket",
    "LlmError",
    "LlmInvalidOutput",
    "LlmUnavailable",
    "NotFound",
    "PolicyError",
    "StoreUnavailable",
    "TicketTooLarge",
    "TooManyRequests",
    "TriageError",
]


class TriageError(Exception):
    status_code = 500
    title = "Internal error"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class InvalidTicket(TriageError):
    status_code = 422
    title = "Invalid ticket"


class InvalidBody(InvalidTicket):
    title = "Invalid request body"


class TicketTooLarge(TriageError):
    status_code = 413
    title = "Ticket too large"


class NotFound(TriageError):
    status_code = 404
    title = "Not found"


class Conflict(TriageError):
    status_code = 409
    title = "Conflict"


class AuthError(TriageError):
    status_code = 401
    title = "Unauthorized"


class Forbidden(AuthError):
    status_code = 403
    title = "Forbidden"


class TooManyRequests(TriageError):
    status_code = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)


class PolicyError(TriageError):
    title = "Invalid policy"


class StoreUnavailable(TriageError):
    status_code = 503
    title = "Store unavailable"


class LlmError(TriageError):
    title = "LLM error"


class LlmUnavailable(LlmError):
    title = "LLM unavailable"


class LlmInvalidOutput(LlmError):
    title = "LLM output invalid"
