"""Validate a file of labelled cases (`SeedCase` rows) against the loaded policy.

Each row must be a valid `SeedCase`; its category must be in the taxonomy, its risk a level not below the
category's floor, and its queue (when given) the queue `policy/routing.yaml` routes it to. Ids and texts
must not repeat. The bundled seed file (`seed/cases.jsonl`) has stricter rules of its own, see
`validate_cases(..., bundled_seed=True)`.

An import file (`triage cases import FILE --map ...`: any field names, only a text and a category or the
categories it leaves open) is checked by `validate_import_rows` as the import reads it: through the same field map
and `row_to_case`, then against the policy (labels the taxonomy lacks, a risk below the category's floor, a queue
the routing policy lacks) and for rows the import would skip as repeats.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from triage.config import PROJECT_ROOT
from triage.domain.cases import SeedCase
from triage.domain.policy import Policy
from triage.pipeline.route import Router
from triage.services.cases import FieldMap, row_to_case

__all__ = ["BUNDLED_SEED_FILE", "CaseProblem", "count_cases_by", "validate_cases", "validate_import_rows"]

BUNDLED_SEED_FILE = PROJECT_ROOT / "seed" / "cases.jsonl"
_SEED_ID = re.compile(r"seed-\d{4}")
_URL_HOST = re.compile(r"https?://([^/\s]+)")
_EXAMPLE_HOSTS = frozenset({"example-video.com", "www.example-video.com", "example.com", "www.example.com"})
_ROUTED_AT = datetime(2026, 1, 1, tzinfo=UTC)  # the queue does not depend on the time; only the SLA does


@dataclass(frozen=True)
class CaseProblem:
    line: int
    id: str
    field: str
    message: str


def validate_cases(
    rows: Iterable[tuple[int, Mapping[str, Any]]], policy: Policy, *, bundled_seed: bool = False
) -> list[CaseProblem]:
    """Every problem of numbered rows (as `read_numbered_rows` yields them), in line order.

    With `bundled_seed`, also the rules of `seed/cases.jsonl`: ids `seed-NNNN` increasing line by line
    (new cases are appended), every key present and in `SeedCase` order, links to example domains only.
    """
    router = Router(policy)
    first_line_of_id: dict[str, int] = {}
    first_line_of_text: dict[str, int] = {}
    last_seed_id = ""
    problems: list[CaseProblem] = []
    for line, row in rows:
        if not isinstance(row, Mapping):
            problems.append(CaseProblem(line, "", "(row)", "not an object of case fields"))
            continue
        case_id = str(row.get("id") or "")
        case, found = _parse({k: v for k, v in row.items() if k is not None})
        if None in row:  # csv.DictReader keeps the cells beyond the header under None
            found.append(("(row)", "more cells than the header has columns"))
        if case_id in first_line_of_id:
            found.append(("id", f"duplicate id, first used on line {first_line_of_id[case_id]}"))
        elif case_id:
            first_line_of_id[case_id] = line
        body = row.get("body")
        text = " ".join(body.split()).lower() if isinstance(body, str) else ""
        if text in first_line_of_text:
            found.append(("body", f"the same text as line {first_line_of_text[text]}"))
        elif text:
            first_line_of_text[text] = line
        found += _policy_problems(row, case, policy, router)
        if bundled_seed:
            found += _bundled_seed_problems(row, case_id, last_seed_id)
            if _SEED_ID.fullmatch(case_id) and case_id > last_seed_id:
                last_seed_id = case_id
        problems.extend(CaseProblem(line, case_id, field, message) for field, message in found)
    return problems


def validate_import_rows(
    rows: Iterable[tuple[int, Mapping[str, Any]]], fields: FieldMap, policy: Policy, *, source: str = "import"
) -> list[CaseProblem]:
    """Every problem of an import file's numbered rows, read as `triage cases import --map ... --source SOURCE` reads
    them: a row the import would refuse (no text; no category and no `unknown`), one it would store with labels the
    policy does not have (a category, `also` or `unknown` the taxonomy lacks, a risk that is not a level or is below
    the category's floor, a queue the routing policy lacks) and one it would skip as a repeat (the same id, or the
    same text once redacted, as an earlier row). A row without a risk is not a problem: it takes its category's
    floor, as on import."""
    router = Router(policy)
    first_line_of_key: dict[str, int] = {}
    problems: list[CaseProblem] = []
    for line, row in rows:
        if not isinstance(row, Mapping):
            problems.append(CaseProblem(line, "", "(row)", "not an object of case fields"))
            continue
        plain = {k: v for k, v in row.items() if k is not None}
        row_id = str(fields.value(plain, "id") or "")
        found: list[tuple[str, str]] = []
        if None in row:  # csv.DictReader keeps the cells beyond the header under None
            found.append(("(row)", "more cells than the header has columns"))
        try:
            case = row_to_case(plain, fields, source=source, floors=policy.floors)
        except ValueError as exc:
            problems.extend(CaseProblem(line, row_id, field, message)
                            for field, message in [*found, ("(row)", f"the import would refuse it: {exc}")])
            continue
        if case.key in first_line_of_key:
            what = "id" if row_id else "text"
            found.append((what, f"the same {what} as line {first_line_of_key[case.key]}: the import skips it"))
        else:
            first_line_of_key[case.key] = line
        labels = {"category": case.category, "risk": fields.value(plain, "risk")}
        found += _policy_problems(labels, None, policy, router) if case.category else []
        for field, values in (("also", case.also), ("unknown", case.unknown)):
            found += [(field, f"{other!r} is not a category of the taxonomy") for other in values
                      if other not in policy.categories]
        if case.queue is not None and case.queue not in policy.routing.queues:
            found.append(("queue", f"{case.queue!r} is not a queue of the routing policy"))
        problems.extend(CaseProblem(line, row_id, field, message) for field, message in found)
    return problems


def _parse(row: Mapping[str, Any]) -> tuple[SeedCase | None, list[tuple[str, str]]]:
    try:
        return SeedCase.model_validate(row), []
    except ValidationError as exc:
        return None, [(_field_of(err), _message_of(err)) for err in exc.errors()]


def _policy_problems(
    row: Mapping[str, Any], case: SeedCase | None, policy: Policy, router: Router
) -> list[tuple[str, str]]:
    """Category and risk are checked even when another field is bad; the queue needs a valid row."""
    found: list[tuple[str, str]] = []
    category, risk = row.get("category"), row.get("risk")
    if isinstance(category, str) and category not in policy.categories:
        found.append(("category", f"{category!r} is not a category of the taxonomy"))
        category = None
    for other in case.also if case is not None else ():
        if other not in policy.categories:
            found.append(("also", f"{other!r} is not a category of the taxonomy"))
    if isinstance(risk, str) and risk not in policy.risk_order:
        found.append(("risk", f"{risk!r} is not a risk level ({', '.join(policy.risk_order)})"))
        risk = None
    if not (isinstance(category, str) and isinstance(risk, str)):
        return found
    floor = policy.floor(category)
    if policy.severity(risk) < policy.severity(floor):
        found.append(("risk", f"{risk!r} is below the floor of {category}: {floor!r}"))
    if case is None or case.queue is None:
        return found
    if case.queue not in policy.routing.queues:
        found.append(("queue", f"{case.queue!r} is not a queue of the routing policy"))
        return found
    route = router.route(category=case.category, risk=case.risk, channel=case.channel,
                         reporter_type=case.reporter_type, language=case.language, region=case.region,
                         received_at=_ROUTED_AT)
    if route.queue != case.queue:
        why = f"rule {route.rule!r}" if route.rule else f"the default queue of {case.category}"
        found.append(("queue", f"{case.queue!r}, but the routing policy routes this case to {route.queue!r} "
                               f"({why})"))
    return found


def _bundled_seed_problems(row: Mapping[str, Any], case_id: str, last_seed_id: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if not _SEED_ID.fullmatch(case_id):
        found.append(("id", f"{case_id!r}: ids of the bundled seed are seed-NNNN"))
    elif case_id <= last_seed_id:
        found.append(("id", f"{case_id!r} after {last_seed_id!r}: append new cases with the next free id, "
                            "never renumber"))
    fields = list(SeedCase.model_fields)
    # required keys are reported by the model already
    found += [(f, "missing: the bundled seed writes every key") for f in fields
              if f not in row and not SeedCase.model_fields[f].is_required()]
    if set(row) == set(fields) and list(row) != fields:
        found.append(("(row)", f"keys out of order; the order is {', '.join(fields)}"))
    for field in ("subject", "body", "final_reply"):
        text = row.get(field)
        for host in _URL_HOST.findall(text) if isinstance(text, str) else []:
            if host.rstrip(".,)").lower() not in _EXAMPLE_HOSTS:
                found.append((field, f"a link to {host!r}: the seed links to example domains only"))
    return found


def _field_of(err: ErrorDetails) -> str:
    return ".".join(str(part) for part in err["loc"]) or "(row)"


def _message_of(err: ErrorDetails) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["type"] == "missing":
        return "missing"
    if err["type"] == "enum":
        return f"{err['input']!r} is not one of {err.get('ctx', {}).get('expected', '')}"
    if err["type"] == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    return f"{err['msg']}, got {err['input']!r}"


def count_cases_by(rows: Iterable[Mapping[str, Any]], field: str) -> Counter[str]:
    """How many rows carry each value of `field` (a missing value counts as "(none)")."""
    return Counter(str(row.get(field) or "(none)") for row in rows if isinstance(row, Mapping))
