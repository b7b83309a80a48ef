"""Personal data → typed placeholders, and back.

Before any text leaves the process (an LLM request, a log line) it is redacted: e-mail addresses,
phone numbers, payment card numbers (Luhn-checked), street addresses, government ids, IP addresses and
account handles become `[EMAIL_1]`, `[PHONE_1]`, ... The mapping stays in memory so that a draft
can get the values back where the reply needs them (`restore`).

Hand-written regular expressions rather than a library: the NER-based redactors (presidio, scrubadub)
need spaCy models downloaded at run time, which these machines cannot do, and the patterns below are
the ones operations teams see in tickets. They err on the side of redacting.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

__all__ = ["Redaction", "redact", "restore"]


def _luhn_ok(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_STREET_WORDS = (
    r"street|st\.|avenue|ave\.?|road|rd\.|boulevard|blvd\.?|lane|ln\.|drive|dr\.|court|ct\.|way|place|"
    r"calle|avenida|av\.|rua|travessa|rue|boulevard|allee|straße|strasse|str\.|weg|platz|gasse|jalan|jl\.|via|piazza|"
    r"sokak|cadde(?:si)?"
)

# Order matters: the more specific kinds first, so a card number is not taken for a phone number.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("EMAIL", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")),
    ("CARD", re.compile(r"\b(?:\d[ -]?){12,18}\d\b")),
    ("IBAN", re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b")),
    ("GOV_ID", re.compile(
        r"\b(?:\d{3}-\d{2}-\d{4}"                       # US SSN
        r"|[A-Z]{2}\d{6}[A-D]"                          # UK NINO
        r"|\d{3}\.\d{3}\.\d{3}-\d{2}"                   # BR CPF
        r"|\d{8}[A-HJ-NP-TV-Z]"                         # ES DNI
        r"|\d{16}"                                      # ID NIK (16 digits, not Luhn)
        r"|(?:passport|pasaporte|passaporte|reisepass|passeport|paspor)\s*(?:no\.?|number|n[º°o])?\s*:?\s*[A-Z0-9]{6,9}"
        r")\b", re.IGNORECASE)),
    ("IP", re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")),
    ("PHONE", re.compile(r"(?<![\w/])(?:\+|00)?\d[\d ().-]{7,}\d(?![\w/])")),
    ("ADDRESS", re.compile(
        rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[\w.'-]+\s+){{0,4}}(?:{_STREET_WORDS})\b(?:\s+\d{{1,5}})?"
        rf"|\b(?:{_STREET_WORDS})\s+(?:[\w.'-]+\s+){{0,3}}\d{{1,5}}[A-Za-z]?\b"
        r"|\b\w+(?:straße|strasse|str\.|weg|platz|gasse|allee|laan|straat|gatan|vej)\s+\d{1,4}[a-z]?\b",
        re.IGNORECASE)),
    ("HANDLE", re.compile(r"(?<![\w@/])@[A-Za-z0-9_.]{2,30}\b")),
]

_PLACEHOLDER = re.compile(r"\[(EMAIL|CARD|IBAN|GOV_ID|IP|PHONE|ADDRESS|HANDLE)_(\d+)\]")


@dataclass
class Redaction:
    text: str
    mapping: dict[str, str] = field(default_factory=dict)  # placeholder -> original value

    @property
    def kinds(self) -> set[str]:
        return {p.strip("[]").rsplit("_", 1)[0] for p in self.mapping}


def redact(text: str, mapping: dict[str, str] | None = None) -> Redaction:
    """Replace personal data by typed placeholders. Pass `mapping` to continue numbering across fields."""
    mapping = dict(mapping or {})
    reverse = {v: k for k, v in mapping.items()}
    counters: dict[str, int] = {}
    for placeholder in mapping:
        kind, n = placeholder.strip("[]").rsplit("_", 1)
        counters[kind] = max(counters.get(kind, 0), int(n))

    def substitute(kind: str, match: re.Match[str]) -> str:
        value = match.group(0)
        if _PLACEHOLDER.fullmatch(value):
            return value
        if kind == "CARD":
            digits = re.sub(r"\D", "", value)
            if not _luhn_ok(digits):
                return value
        if kind == "PHONE" and sum(c.isdigit() for c in value) < 8:
            return value
        if value in reverse:
            return reverse[value]
        counters[kind] = counters.get(kind, 0) + 1
        placeholder = f"[{kind}_{counters[kind]}]"
        mapping[placeholder] = value
        reverse[value] = placeholder
        return placeholder

    for kind, pattern in _PATTERNS:
        text = pattern.sub(functools.partial(substitute, kind), text)
    return Redaction(text=text, mapping=mapping)


def restore(text: str, mapping: dict[str, str], *, allowed_kinds: set[str] | None = None) -> str:
    """Put original values back for placeholders of the allowed kinds; drop the others to a generic word."""
    def put_back(match: re.Match[str]) -> str:
        kind = match.group(1)
        if (allowed_kinds is None or kind in allowed_kinds) and match.group(0) in mapping:
            return mapping[match.group(0)]
        return _GENERIC.get(kind, "the details you provided")

    return _PLACEHOLDER.sub(put_back, text)


_GENERIC = {
    "EMAIL": "the e-mail address you provided",
    "PHONE": "the phone number you provided",
    "CARD": "your card",
    "IBAN": "your bank account",
    "GOV_ID": "the identity document you mentioned",
    "IP": "the IP address you mentioned",
    "ADDRESS": "the address you mentioned",
    "HANDLE": "the account you reported",
}


def has_placeholder(text: str) -> bool:
    return bool(_PLACEHOLDER.search(text))


def find_personal_data(text: str) -> list[str]:
    """The kinds of personal data still present in a text (used by the guard)."""
    return sorted(redact(text).kinds)
