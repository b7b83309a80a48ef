"""Request bodies as strict JSON: what the standard parser lets through silently is refused with a 422.

`json.loads` accepts duplicate keys (the last one wins, so a client's first value is lost without a
word), `NaN` and `Infinity` (not JSON; they come back as `null`), integers of any length up to a
ValueError, and nesting until the interpreter's stack runs out. Each of those was a silent change of
the client's data or an undocumented 400. Here each is a 422 that names the problem. The standard
library parser still does the parsing (its C scanner); only hooks are added.
"""

from __future__ import annotations

import json
from typing import Any

from triage.errors import InvalidBody

__all__ = ["MAX_JSON_DEPTH", "parse_strict_json"]

#: Deeper bodies are refused; no request model of the API nests more than a few levels.
MAX_JSON_DEPTH = 32


class _Refused(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(f"the key {key!r} appears twice in one object; send each key once")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number; send a finite number or null")


def _depth(value: Any) -> int:
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item)
    return deepest


def parse_strict_json(raw: bytes) -> Any:
    """Parse a request body; raise `InvalidBody` (422) naming what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidBody(f"the request body is not UTF-8 (invalid byte at offset {exc.start}); send UTF-8 "
                          "encoded JSON", field="body") from None
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except RecursionError:
        raise InvalidBody(f"the request body is nested too deeply; the limit is {MAX_JSON_DEPTH} levels",
                          field="body") from None
    except json.JSONDecodeError as exc:
        raise InvalidBody(f"the request body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                          field="body") from None
    except _Refused as exc:
        raise InvalidBody(f"the request body is not strict JSON: {exc}", field="body") from None
    except ValueError as exc:  # e.g. an integer longer than the interpreter converts (4300 digits)
        raise InvalidBody(f"the request body has a number that cannot be read: {exc}", field="body") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise InvalidBody(f"the request body is nested too deeply; the limit is {MAX_JSON_DEPTH} levels",
                          field="body")
    return value
