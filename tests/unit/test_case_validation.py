"""Labelled case files: the `SeedCase` model and `validate_cases` against the loaded policy.

The bundled seed is hand-edited: the first test is what keeps it consistent with the policy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from triage.config import PROJECT_ROOT
from triage.domain.cases import SeedCase
from triage.domain.policy import Policy, load_policy
from triage.services.case_validation import BUNDLED_SEED_FILE, CaseProblem, validate_cases, validate_import_rows
from triage.services.cases import FieldMap, read_numbered_rows

GOOD: dict[str, Any] = {
    "id": "ops-1", "subject": "hacked", "body": "Someone changed my password and email.", "language": "en",
    "region": "US", "channel": "in_app_report", "reporter_type": "user", "category": "account_access",
    "also": [], "risk": "low", "queue": "account_support", "final_reply": "We restored your account.",
    "outcome": "account_restored", "status": "accepted",
}


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(PROJECT_ROOT / "policy")


def case(n: int, **changes: Any) -> dict[str, Any]:
    return {**GOOD, "id": f"ops-{n}", "body": f"{GOOD['body']} ({n})", **changes}


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def where(problems: list[CaseProblem]) -> set[tuple[int, str]]:
    return {(p.line, p.field) for p in problems}


def test_the_bundled_seed_validates_clean(policy: Policy) -> None:
    rows = list(read_numbered_rows(BUNDLED_SEED_FILE))
    assert len(rows) >= 351
    assert validate_cases(rows, policy, bundled_seed=True) == []
    # the file is its own source now: every line parses to exactly what it says, keys in model order
    for _, row in rows:
        assert SeedCase.model_validate(row).model_dump(mode="json") == row
        assert list(row) == list(SeedCase.model_fields)


def test_seed_case_reuses_the_ticket_enums_and_refuses_unknown_keys() -> None:
    parsed = SeedCase.model_validate(GOOD)
    assert parsed.channel.value == "in_app_report" and parsed.reporter_type.value == "user"
    optional_empty = {**GOOD, "region": "", "queue": "", "final_reply": "", "outcome": ""}  # a CSV row
    assert SeedCase.model_validate(optional_empty).region is None
    # secondary categories: a list, or a CSV cell of comma-separated categories or a JSON list
    assert SeedCase.model_validate({**GOOD, "also": "hate_speech, violent_threat"}).also == [
        "hate_speech", "violent_threat"]
    assert SeedCase.model_validate({**GOOD, "also": '["spam"]'}).also == ["spam"]
    assert SeedCase.model_validate({**GOOD, "also": ""}).also == []
    for bad in ({"colour": "red"}, {"language": "EN"}, {"region": "usa"}, {"status": "rejected"},
                {"outcome": "shrug"}, {"body": "  "}, {"body": "nul\x00byte"}):
        with pytest.raises(ValidationError):
            SeedCase.model_validate({**GOOD, **bad})


def test_each_kind_of_problem_is_found_on_its_line(tmp_path: Path, policy: Policy) -> None:
    file = write_jsonl(tmp_path / "cases.jsonl", [
        case(1),
        case(2, category="jaywalking", also=["spam", "loitering"]),  # line 2: unknown category and also
        case(3, category="child_safety", queue="child_safety", risk="high"),  # line 3: below the floor
        case(4, queue="appeals"),                             # line 4: not the routed queue
        case(5, channel="fax"),                               # line 5: not a channel
        case(6, id="ops-1"),                                  # line 6: duplicate id
        case(7, colour="red"),                                # line 7: unknown key
        case(8, body=case(1)["body"]),                        # line 8: duplicate text
        case(9, queue="nowhere"),                             # line 9: not a queue
        case(10, risk="severe"),                              # line 10: not a risk level
    ])
    problems = validate_cases(read_numbered_rows(file), policy)
    assert where(problems) == {
        (2, "category"), (2, "also"), (3, "risk"), (4, "queue"), (5, "channel"), (6, "id"), (7, "colour"), (8, "body"),
        (9, "queue"), (10, "risk"),
    }
    assert [p.message for p in problems if p.field == "also"] == ["'loitering' is not a category of the taxonomy"]
    by_line = {p.line: p for p in problems if p.field != "also"}
    assert by_line[3].message == "'high' is below the floor of child_safety: 'critical'"
    assert "'account_support'" in by_line[4].message
    assert by_line[6].id == "ops-1" and "line 1" in by_line[6].message
    assert by_line[7].message == "unknown key"
    assert "line 1" in by_line[8].message


def test_the_queue_must_be_what_a_routing_rule_gives(tmp_path: Path, policy: Policy) -> None:
    """Hate speech from Germany goes to its own queue by rule, not to the category's default queue."""
    de = dict(category="hate_speech", risk="medium", language="de", region="DE")
    file = write_jsonl(tmp_path / "cases.jsonl", [
        case(1, **de, queue="hate_harassment_de"),
        case(2, **de, queue="hate_harassment"),
    ])
    [problem] = validate_cases(read_numbered_rows(file), policy)
    assert (problem.line, problem.field) == (2, "queue") and "rule" in problem.message


def test_line_numbers_count_blank_lines_and_the_csv_header(tmp_path: Path, policy: Policy) -> None:
    jsonl = tmp_path / "cases.jsonl"
    jsonl.write_text(json.dumps(case(1)) + "\n\n" + json.dumps(case(2, category="nope")) + "\n")
    assert where(validate_cases(read_numbered_rows(jsonl), policy)) == {(3, "category")}
    csv_file = tmp_path / "cases.csv"
    header = list(GOOD)
    lines = [",".join(header)] + [",".join(json.dumps(str(r[k])) for k in header)
                                  for r in (case(1, region=""), case(2, risk="nope"))]
    csv_file.write_text("\n".join(lines) + "\n")
    assert where(validate_cases(read_numbered_rows(csv_file), policy)) == {(3, "risk")}


def test_seed_ids_are_required_only_of_the_bundled_file(tmp_path: Path, policy: Policy) -> None:
    rows = [case(1, id="seed-0001"), case(2, id="seed-0003"), case(3, id="seed-0002"), case(4, id="extra")]
    file = write_jsonl(tmp_path / "cases.jsonl", rows)
    assert validate_cases(read_numbered_rows(file), policy) == []
    assert where(validate_cases(read_numbered_rows(file), policy, bundled_seed=True)) == {(3, "id"), (4, "id")}
    unordered = write_jsonl(tmp_path / "unordered.jsonl", [
        {**{k: v for k, v in case(1).items() if k != "id"}, "id": "seed-0001"},  # same keys, id not first
        {k: v for k, v in case(2, id="seed-0002").items() if k != "region"},       # a key left out
        case(3, id="seed-0003", body="see https://real-site.test/x"),           # a link to a real host
    ])
    assert where(validate_cases(read_numbered_rows(unordered), policy, bundled_seed=True)) == {
        (1, "(row)"), (2, "region"), (3, "body"),
    }


def test_an_import_file_is_checked_as_the_import_reads_it(tmp_path: Path, policy: Policy) -> None:
    """`triage cases validate --import --map ...`: an operator's export with its own field names. Each problem the
    import would meet or cause is named with its line; rows the import takes as they are pass."""
    rows = [
        {"ticket_id": "a1", "msg": "Someone keeps reposting my videos as their own.", "label": "intellectual_property"},
        {"ticket_id": "a2", "msg": "This account sells followers in every comment.", "label": "spam", "sev": "low"},
        {"ticket_id": "a3", "msg": "He wrote he will find me after school and hurt me.", "label": "violent_threats"},
        {"ticket_id": "a4", "msg": "A post calls my religion vermin.", "label": "hate_speech", "sev": "low"},
        {"ticket_id": "a5", "msg": "", "label": "spam"},
        {"ticket_id": "a6", "msg": "My account was taken over overnight.", "label": ""},
        {"ticket_id": "a2", "msg": "Another row that reuses an id.", "label": "spam"},
        {"ticket_id": "a8", "msg": "Someone keeps reposting my videos as their own.", "label": "intellectual_property",
         "others": "hate_speech, not_a_label"},
        {"ticket_id": "a9", "msg": "Spam under my videos again.", "label": "spam", "sev": "urgent"},
    ]
    file = tmp_path / "export.jsonl"
    file.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    fields = FieldMap.parse(["text=msg", "category=label", "risk=sev", "id=ticket_id", "also=others"])
    problems = validate_import_rows(read_numbered_rows(file), fields, policy, source="crm")
    assert "violent_threats" not in policy.categories and policy.floor("hate_speech") == "medium"
    assert where(problems) == {(3, "category"), (4, "risk"), (5, "(row)"), (6, "(row)"), (7, "id"), (8, "also"),
                               (9, "risk")}
    by_line = {p.line: p for p in problems}
    assert by_line[3].message == "'violent_threats' is not a category of the taxonomy" and by_line[3].id == "a3"
    assert by_line[4].message == "'low' is below the floor of hate_speech: 'medium'"
    assert by_line[5].message == "the import would refuse it: row has no text"
    assert by_line[6].message.startswith("the import would refuse it: row has no category")
    assert by_line[7].message == "the same id as line 2: the import skips it"
    assert by_line[8].message == "'not_a_label' is not a category of the taxonomy"
    # the same text under another id is a new case: ids name cases; without ids the text does
    no_ids = FieldMap.parse(["text=msg", "category=label", "risk=sev"])
    assert (8, "text") in where(validate_import_rows(read_numbered_rows(file), no_ids, policy))
    # the seed-format check of the same file names every row (it has none of the seed's fields)
    assert {line for line, _ in where(validate_cases(read_numbered_rows(file), policy))} == set(range(1, 10))
