"""Input hygiene shared by every request model: one text check, bounded free-form JSON, one base class.

Every string a client sends is checked once, by the same rule, wherever it sits (a field, a list item,
a key or value of `metadata`, a query or path parameter): NUL bytes, other control characters and
unpaired surrogates are refused, because they either break a database (PostgreSQL refuses NUL in text)
or can never be encoded back out (a lone surrogate made `GET /v1/tickets/{id}` fail for good).
`RequestModel` applies that check to every field of every request body and refuses unknown fields, so
a new request model cannot forget either.
"""

from __future__ import annotations

import json
import math
import unicodedata
from typing import Annotated, Any

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo, field_validator

__all__ = [
    "MetadataLimits",
    "PlainText",
    "RequestModel",
    "check_free_json",
    "check_text",
    "check_value_text",
    "has_visible_text",
    "iso_country",
    "iso_language",
]

# Control characters other than tab, newline and carriage return mark binary or corrupted input.
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}
# Letters, marks, numbers, punctuation and symbols: what a person can read (not spaces, not format
# characters such as U+200B ZERO WIDTH SPACE, not controls).
_VISIBLE = ("L", "M", "N", "P", "S")
INT64 = 2**63


def check_text(value: str, field: str) -> str:
    """Refuse NUL bytes, control characters and unpaired surrogates; return the text unchanged."""
    bad = [c for c in value if unicodedata.category(c) in ("Cc", "Cs") and c not in _ALLOWED_CONTROLS]
    if bad:
        raise ValueError(
            f"{field} contains {len(bad)} control or binary character(s) (first: U+{ord(bad[0]):04X}); "
            "send plain UTF-8 text"
        )
    return value


def has_visible_text(value: str) -> bool:
    """True when the text has at least one character a person can read."""
    return any(unicodedata.category(c)[0] in _VISIBLE for c in value)


def check_value_text(value: Any, field: str) -> Any:
    """`check_text` on a string, and on every string inside lists, tuples and dicts (keys too).

    Iterative, so a deeply nested value cannot exhaust the interpreter's stack."""
    stack: list[tuple[Any, str]] = [(value, field)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            check_text(item, path)
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend((v, path) for v in item)
        elif isinstance(item, dict):
            for k, v in item.items():
                if isinstance(k, str):
                    check_text(k, path)
                stack.append((v, f"{path}.{k}" if isinstance(k, str) else path))
    return value


class MetadataLimits:
    """Bounds on free-form JSON (`metadata`): it is stored as-is and must always be readable back."""

    max_depth = 8
    max_bytes = 16_384
    max_items = 500
    max_key_chars = 200
    max_string_chars = 4_000


def check_free_json(value: Any, field: str, limits: type[MetadataLimits] = MetadataLimits) -> Any:
    """Refuse free-form JSON that could not be stored or read back: too deep, too big, non-finite
    numbers, integers outside 64 bits, non-text strings. Names the path of the first problem."""
    count = 0

    def walk(v: Any, path: str, depth: int) -> None:
        nonlocal count
        count += 1
        if count > limits.max_items:
            raise ValueError(f"{field} has more than {limits.max_items} keys and values")
        if isinstance(v, dict | list | tuple) and depth >= limits.max_depth:  # `field` itself is level 1
            raise ValueError(f"{path} is nested more than {limits.max_depth} levels deep")
        if isinstance(v, bool) or v is None:
            return
        if isinstance(v, int):
            if not -INT64 <= v < INT64:
                raise ValueError(f"{path} is an integer outside the 64-bit range")
        elif isinstance(v, float):
            if not math.isfinite(v):
                raise ValueError(f"{path} is not a finite number (NaN and Infinity are not JSON)")
        elif isinstance(v, str):
            check_text(v, path)
            if len(v) > limits.max_string_chars:
                raise ValueError(f"{path} is longer than {limits.max_string_chars} characters")
        elif isinstance(v, dict):
            for k, item in v.items():
                if not isinstance(k, str):
                    raise ValueError(f"{path} has a key that is not a string")
                check_text(k, f"{path} key")
                if len(k) > limits.max_key_chars:
                    raise ValueError(f"{path} has a key longer than {limits.max_key_chars} characters")
                walk(item, f"{path}.{k}", depth + 1)
        elif isinstance(v, list | tuple):
            for i, item in enumerate(v):
                walk(item, f"{path}[{i}]", depth + 1)
        else:
            raise ValueError(f"{path} holds a {type(v).__name__}, which is not JSON")

    walk(value, field, 0)
    size = len(json.dumps(value, ensure_ascii=False).encode())
    if size > limits.max_bytes:
        raise ValueError(f"{field} is {size} bytes as JSON; the limit is {limits.max_bytes}")
    return value


def iso_language(value: str) -> str:
    """An ISO 639-1 (or 639-3) language code known to pycountry, lower case; anything else is refused."""
    code = value.strip().lower()
    known = len(code) == 2 and pycountry.languages.get(alpha_2=code) is not None or (
        len(code) == 3 and pycountry.languages.get(alpha_3=code) is not None)
    if not known:
        raise ValueError(f"{value!r} is not an ISO 639-1 language code (e.g. 'en', 'de')")
    return code


def iso_country(value: str) -> str:
    """An ISO 3166-1 alpha-2 country code known to pycountry, upper case; anything else is refused."""
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. 'GB', 'DE')")
    return code


def _plain(value: str) -> str:
    return check_text(value, "the value")


#: A query or path parameter that must be plain text (the same check as every body string).
PlainText = Annotated[str, AfterValidator(_plain)]


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused (422 naming the field), and every string
    in every field, nested ones too, passes `check_text`."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text_everywhere(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, BaseModel):  # a nested request model checks its own fields
            return value
        return check_value_text(value, info.field_name or "value")
