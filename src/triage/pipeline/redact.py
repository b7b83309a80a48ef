"""Personal data → typed placeholders, and back.

Before any text leaves the process (an LLM request, a log line) it is redacted: e-mail addresses,
phone numbers, payment card numbers (Luhn-checked), street addresses, government ids, IP addresses and
account handles become `[EMAIL_1]`, `[PHONE_1]`, ... The mapping stays in memory so that a draft
can get the values back where the reply needs them (`restore`).

Phone numbers are found by `phonenumbers` (Google's libphonenumber metadata), everything else by
regular expressions: the NER-based redactors (presidio, scrubadub) need spaCy models downloaded at run
time, which these machines cannot do, and the patterns below are the ones operations teams see in
tickets. They err on the side of redacting.

A phone number is
* any `+CC ...` number of a possible length for its country (an explicit country code is a phone
  number whatever the ticket's region; fictional ranges such as +44 7700 900xxx included);
* a national number that is valid *and grouped the way that country writes it* in one of
  `PHONE_REGIONS` (the ticket's region is not known here), e.g. "(415) 555-0199", "030 901820",
  "0812-3456-7890";
* a national number that is merely valid (odd grouping, or one unbroken run of digits) only when a
  phone word ("call", "tel", "WhatsApp", "Handy", ...) comes shortly before it: a bare
  "2125550123" is as likely an order or user id as a number.
Dates, times, prices, version strings and 9-19-digit ids are therefore left alone (measured in
tests/unit/test_redact.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from phonenumbers import Leniency, PhoneNumberMatcher

__all__ = ["PHONE_REGIONS", "Redaction", "redact", "restore"]

#: Regions whose national formats are recognised without a country code. International (+CC) numbers
#: are recognised whatever their country.
PHONE_REGIONS = ("US", "GB", "DE", "FR", "ES", "BR", "IN", "ID", "JP", "TR")


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

# Words that make a weakly shaped number a phone number when they come shortly before it.
_PHONE_WORDS = re.compile(
    r"phone|call|\btel\b|\btel\.|mobile|\bcell|whats\s?app|\bsms\b|text\s+me|\bring\b|"
    r"tel[eé]fono|telefone|telefon|t[eé]l[eé]phone|portable|\bhandy\b|m[oó]vil|celular|cellulare|"
    r"chiam|ligue|ligar|llam|appel|anruf|\bruf\b|\bhp\b|\bwa\b|telepon|numara|\bcep\b|"
    r"電話|携帯|फ़ोन|फोन|मोबाइल|هاتف|جوال|واتساب",
    re.IGNORECASE)
_PHONE_WORD_WINDOW = 40  # characters before the number
_DOTTED_VERSION = re.compile(r"\d\.\d+(?:\.\d+)+")  # "0.5060.114" is a build, not a number
_MIN_PHONE_DIGITS = 8

Span = tuple[int, int]


def _regex_spans(pattern: re.Pattern[str]) -> Callable[[str], list[Span]]:
    return lambda text: [m.span() for m in pattern.finditer(text)]


def _grouped_as_written_in(candidate: str, region: str) -> bool:
    """Valid in `region` and grouped the way its numbers are written (libphonenumber's STRICT_GROUPING)."""
    return any(m.raw_string == candidate
               for m in PhoneNumberMatcher(candidate, region, leniency=Leniency.STRICT_GROUPING))


def _phone_spans(text: str) -> list[Span]:
    """Where the phone numbers are (see the module docstring for what counts)."""
    if sum(ch.isdigit() for ch in text) < _MIN_PHONE_DIGITS:
        return []
    shaped: set[Span] = {(m.start, m.end) for m in PhoneNumberMatcher(text, None, leniency=Leniency.POSSIBLE)}
    valid: set[Span] = set()
    for region in PHONE_REGIONS:
        for m in PhoneNumberMatcher(text, region, leniency=Leniency.VALID):
            valid.add((m.start, m.end))
            if _grouped_as_written_in(m.raw_string, region):
                shaped.add((m.start, m.end))
    found: list[Span] = []
    for start, end in sorted(shaped | valid, key=lambda span: (span[0], span[0] - span[1])):  # longest first
        raw = text[start:end]
        if found and start < found[-1][1]:
            continue
        if sum(ch.isdigit() for ch in raw) < _MIN_PHONE_DIGITS or _DOTTED_VERSION.fullmatch(raw):
            continue
        if ((start, end) not in shaped or raw.isdigit()) and not _PHONE_WORDS.search(
                text[max(0, start - _PHONE_WORD_WINDOW):start]):
            continue
        found.append((start, end))
    return found


# Order matters: the more specific kinds first, so a card number is not taken for a phone number.
_FINDERS: list[tuple[str, Callable[[str], list[Span]]]] = [
    ("EMAIL", _regex_spans(re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"))),
    ("CARD", _regex_spans(re.compile(r"\b(?:\d[ -]?){12,18}\d\b"))),
    ("IBAN", _regex_spans(re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b"))),
    ("GOV_ID", _regex_spans(re.compile(
        r"\b(?:\d{3}-\d{2}-\d{4}"                       # US SSN
        r"|[A-Z]{2}\d{6}[A-D]"                          # UK NINO
        r"|\d{3}\.\d{3}\.\d{3}-\d{2}"                   # BR CPF
        r"|\d{8}[A-HJ-NP-TV-Z]"                         # ES DNI
        r"|\d{16}"                                      # ID NIK (16 digits, not Luhn)
        r"|(?:passport|pasaporte|passaporte|reisepass|passeport|paspor)\s*(?:no\.?|number|n[º°o])?\s*:?\s*[A-Z0-9]{6,9}"
        r")\b", re.IGNORECASE))),
    ("IP", _regex_spans(re.compile(
        r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b"))),
    ("PHONE", _phone_spans),
    ("ADDRESS", _regex_spans(re.compile(
        rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[\w.'-]+\s+){{0,4}}(?:{_STREET_WORDS})\b(?:\s+\d{{1,5}})?"
        rf"|\b(?:{_STREET_WORDS})\s+(?:[\w.'-]+\s+){{0,3}}\d{{1,5}}[A-Za-z]?\b"
        r"|\b\w+(?:straße|strasse|str\.|weg|platz|gasse|allee|laan|straat|gatan|vej)\s+\d{1,4}[a-z]?\b",
        re.IGNORECASE))),
    ("HANDLE", _regex_spans(re.compile(r"(?<![\w@/])@[A-Za-z0-9_.]{2,30}\b"))),
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

    def substitute(kind: str, value: str) -> str:
        if _PLACEHOLDER.fullmatch(value):
            return value
        if kind == "CARD":
            digits = re.sub(r"\D", "", value)
            if not _luhn_ok(digits):
                return value
        if value in reverse:
            return reverse[value]
        counters[kind] = counters.get(kind, 0) + 1
        placeholder = f"[{kind}_{counters[kind]}]"
        mapping[placeholder] = value
        reverse[value] = placeholder
        return placeholder

    for kind, find in _FINDERS:
        text = _replace_spans(text, find(text), functools.partial(substitute, kind))
    return Redaction(text=text, mapping=mapping)


def _replace_spans(text: str, spans: Iterable[Span], replace: Callable[[str], str]) -> str:
    """`text` with each (non-overlapping, ordered) span replaced by `replace(the span's text)`."""
    parts: list[str] = []
    last = 0
    for start, end in spans:
        parts.append(text[last:start])
        parts.append(replace(text[start:end]))
        last = end
    parts.append(text[last:])
    return "".join(parts)


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
