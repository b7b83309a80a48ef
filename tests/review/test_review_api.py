"""The review API on SQLite and PostgreSQL: claims and their expiry, stale writes, every action,
the audit trail, the queue, stats, learning from reviews and the cases export."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from tests.review.conftest import ReviewEnv
from triage.cli import app as cli_app
from triage.db.models import CaseRow, DecisionRow, ReviewRow, Ticket, utcnow
from triage.domain.cases import case_id_for
from triage.evals.suites import load_suite
from triage.services.cases import export_cases
from triage.services.review import edit_distance

BODY = "Someone keeps posting my phone number under my videos and strangers are calling me at night."


def _claimed(env: ReviewEnv, role: str, ticket_id: str, **body: object) -> dict:
    r = env.client(role).post(f"/v1/tickets/{ticket_id}/claim", json=body or None)
    assert r.status_code == 200, r.text
    return r.json()


def test_claim_is_a_lease_that_expires(review_env: ReviewEnv) -> None:
    env = review_env
    t = env.submit("c-1", BODY)["ticket_id"]
    version = env.read(t)["version"]

    first = _claimed(env, "reviewer", t, lease_seconds=1)
    assert first["claimed_by"] == "reviewer-1"
    assert first["version"] == version, "a lease must not invalidate what the reviewer read"
    other = env.client("reviewer2").post(f"/v1/tickets/{t}/claim", json={})
    assert other.status_code == 409
    assert "reviewer-1" in other.json()["detail"]
    queue = env.client("reviewer").get("/v1/review/queue").json()
    [item] = [i for i in queue["items"] if i["ticket_id"] == t]
    assert item["claimed_by"] == "reviewer-1" and item["status"] == "in_review"

    # while the lease is live the other reviewer cannot review either
    blocked = env.client("reviewer2").post(f"/v1/tickets/{t}/review", json={"action": "accept", "version": version})
    assert blocked.status_code == 409

    time.sleep(1.3)
    second = _claimed(env, "reviewer2", t, lease_seconds=600)
    assert second["claimed_by"] == "reviewer-2"
    late = env.client("reviewer").post(f"/v1/tickets/{t}/review", json={"action": "accept", "version": version})
    assert late.status_code == 409, "the lapsed holder lost the ticket to the new lease"
    ok = env.client("reviewer2").post(f"/v1/tickets/{t}/review", json={"action": "accept", "version": version})
    assert ok.status_code == 200, ok.text


def test_stale_write_gets_409_never_a_silent_overwrite(review_env: ReviewEnv) -> None:
    env = review_env
    t = env.submit("s-1", BODY)["ticket_id"]
    read = env.read(t)
    v = read["version"]
    _claimed(env, "reviewer", t)
    missing = env.client("reviewer").post(f"/v1/tickets/{t}/review", json={"action": "accept"})
    assert missing.status_code == 422 and missing.json()["field"] == "version"

    first = env.client("reviewer").post(f"/v1/tickets/{t}/review",
                                        json={"action": "edit", "version": v, "final_reply": "Thanks, we are on it."})
    assert first.status_code == 200, first.text
    assert first.json()["version"] > v

    stale = env.client("reviewer").post(f"/v1/tickets/{t}/review",
                                        json={"action": "accept", "version": v, "category": "spam"})
    assert stale.status_code == 409
    assert stale.json()["field"] == "version"
    via_header = env.client("reviewer").post(f"/v1/tickets/{t}/review", json={"action": "accept"},
                                             headers={"If-Match": f'"{v}"'})
    assert via_header.status_code == 409
    with env.comps.sessions() as s:
        reviews = s.scalars(select(ReviewRow).where(ReviewRow.ticket_id == t)).all()
        assert [r.final_reply for r in reviews] == ["Thanks, we are on it."]
    # the current version (sent as If-Match) is accepted
    current = env.read(t)["version"]
    ok = env.client("reviewer").post(f"/v1/tickets/{t}/review", json={"action": "accept"},
                                     headers={"If-Match": f'"{current}"'})
    assert ok.status_code == 200, ok.text
    # a stale decision id is refused too
    again = env.client("reviewer").post(f"/v1/tickets/{t}/review", json={
        "action": "accept", "version": ok.json()["version"], "decision_id": "not-the-latest"})
    assert again.status_code == 409


def test_every_action_and_what_it_teaches(review_env: ReviewEnv) -> None:
    env = review_env
    ids = {name: env.submit(f"a-{name}", f"{BODY} ({name})")["ticket_id"]
           for name in ("accept", "edit", "reject", "reject_fix", "bad")}
    r = env.client("reviewer")

    def review(name: str, **body: object):  # noqa: ANN202
        t = ids[name]
        return r.post(f"/v1/tickets/{t}/review", json={"version": env.read(t)["version"], **body})

    accepted = review("accept", action="accept")
    assert accepted.status_code == 200, accepted.text
    a = accepted.json()
    draft = env.read(ids["accept"])["decision"]["draft_reply"]
    assert a["final_reply"] == draft and a["edit_distance"] == 0 and a["learned"] is True
    assert a["case_id"] == case_id_for(f"ticket:{ids['accept']}")

    edited = review("edit", action="edit", final_reply="We removed the comments and warned the account.",
                    category="doxxing_privacy", risk="high", reason_code="tone")
    assert edited.status_code == 200, edited.text
    e = edited.json()
    assert e["edit_distance"] > 0 and e["category"] == "doxxing_privacy" and e["queue"] == "privacy"
    assert e["reason_code"] == "tone" and e["learned"] is True

    assert review("reject", action="reject").status_code == 422, "a rejection needs a reason code"
    assert review("edit", action="edit").status_code in (409, 422)
    assert review("bad", action="edit").json()["field"] == "final_reply"
    assert review("bad", action="accept", final_reply="   ").json()["field"] == "final_reply"
    assert review("bad", action="accept", category="not_a_category").json()["field"] == "category"
    assert review("bad", action="accept", risk="apocalyptic").status_code == 422
    assert review("bad", action="shrug").status_code == 422
    rejected = review("reject", action="reject", reason_code="not_actionable")
    assert rejected.status_code == 200
    assert rejected.json()["final_reply"] is None and rejected.json()["case_id"] is None
    fixed = review("reject_fix", action="reject", reason_code="wrong_category", category="spam", risk="low")
    assert fixed.status_code == 200 and fixed.json()["case_id"] is not None

    with env.comps.sessions() as s:
        cases = {c.ticket_id: c for c in s.scalars(select(CaseRow).where(CaseRow.source == "review"))}
        assert set(cases) == {ids["accept"], ids["edit"], ids["reject_fix"]}
        assert cases[ids["accept"]].status == "accepted"
        assert cases[ids["edit"]].status == "edited"
        assert cases[ids["edit"]].final_reply == "We removed the comments and warned the account."
        assert cases[ids["reject_fix"]].status == "rejected" and cases[ids["reject_fix"]].final_reply is None
        exported = list(export_cases(s, reviewed_only=True))
    assert env.comps.store.existing_ids(c.id for c in cases.values()) == {c.id for c in cases.values()}
    assert len(exported) == 3
    row = next(x for x in exported if x["ticket_id"] == ids["edit"])
    # the eval harness reads these fields as-is; the text is redacted like every case
    assert row["category"] == "doxxing_privacy" and row["risk"] == "high" and row["queue"] == "privacy"
    assert row["final_reply"].startswith("We removed") and row["language"] == "en"
    assert "phone number" in row["text"] and row["source"] == "review"
    # ticket status moved to reviewed, leases cleared
    with env.comps.sessions() as s:
        t = s.get(Ticket, ids["edit"])
        assert t is not None and t.status == "reviewed" and t.claimed_by is None


def test_reviewing_twice_updates_one_case(review_env: ReviewEnv) -> None:
    env = review_env
    t = env.submit("twice", BODY)["ticket_id"]
    r = env.client("reviewer")
    before = env.comps.store.count()
    one = r.post(f"/v1/tickets/{t}/review", json={"action": "accept", "version": env.read(t)["version"]})
    assert one.status_code == 200
    two = r.post(f"/v1/tickets/{t}/review", json={"action": "accept", "version": one.json()["version"],
                                                  "category": "harassment_bullying"})
    assert two.status_code == 200, two.text
    assert one.json()["case_id"] == two.json()["case_id"]
    assert env.comps.store.count() == before + 1
    with env.comps.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.ticket_id == t)) == 1
        assert s.get(CaseRow, two.json()["case_id"]).category == "harassment_bullying"  # type: ignore[union-attr]

    # secondary categories: refused unless in the taxonomy; kept on the case (DB row and store) when they are
    unknown = r.post(f"/v1/tickets/{t}/review", json={"action": "accept", "version": two.json()["version"],
                                                      "also": ["not_a_category"]})
    assert unknown.status_code == 422 and "also" in unknown.text
    three = r.post(f"/v1/tickets/{t}/review", json={"action": "accept", "version": two.json()["version"],
                                                    "category": "harassment_bullying",
                                                    "also": ["doxxing_privacy", "harassment_bullying"]})
    assert three.status_code == 200, three.text
    with env.comps.sessions() as s:
        assert s.get(CaseRow, three.json()["case_id"]).also == ["doxxing_privacy"]  # type: ignore[union-attr]
    cases, _ = env.comps.store.all_cases(with_vectors=False)
    assert [c.also for c in cases if c.id == three.json()["case_id"]] == [["doxxing_privacy"]]


def test_history_is_the_audit_trail_with_versions(review_env: ReviewEnv) -> None:
    env = review_env
    t = env.submit("h-1", BODY)["ticket_id"]
    v = env.read(t)["version"]
    _claimed(env, "reviewer", t)
    env.client("reviewer").post(f"/v1/tickets/{t}/review",
                                json={"action": "edit", "version": v, "final_reply": "Handled.", "risk": "high"})
    h = env.client("analyst").get(f"/v1/tickets/{t}/history")
    assert h.status_code == 200
    events = h.json()["events"]
    assert [e["action"] for e in events] == ["received", "decided", "claimed", "reviewed", "learned"]
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    reviewed = events[3]
    assert reviewed["actor"] == "reviewer:reviewer-1" and reviewed["data"]["reviewer"] == "reviewer-1"
    assert reviewed["data"]["after"]["risk"] == "high" and reviewed["data"]["version_read"] == v
    for name in ("policy", "classifier", "embedder", "prompt"):
        assert reviewed["data"]["versions"][name], name
        assert events[1]["data"]["versions"][name] == reviewed["data"]["versions"][name]
    assert env.client("reviewer").get("/v1/tickets/nope/history").status_code == 404
    assert env.client("service").get(f"/v1/tickets/{t}/history").status_code == 403


def test_queue_orders_by_risk_then_sla_filters_and_pages(review_env: ReviewEnv) -> None:
    env = review_env
    ids = [env.submit(f"q-{i}", f"{BODY} number {i}")["ticket_id"] for i in range(5)]
    now = utcnow()
    layout = [  # (risk, queue, language, sla offset minutes)
        ("low", "general_support", "en", 5), ("critical", "child_safety", "en", 300),
        ("high", "privacy", "de", 60), ("critical", "child_safety", "en", 30), ("high", "privacy", "en", 10)]
    with env.comps.sessions.begin() as s:
        for t, (risk, queue, lang, mins) in zip(ids, layout, strict=True):
            s.execute(update(DecisionRow).where(DecisionRow.ticket_id == t).values(
                risk=risk, queue=queue, sla_due_at=now + timedelta(minutes=mins)))
            s.execute(update(Ticket).where(Ticket.id == t).values(language=lang))
    r = env.client("reviewer")
    items = r.get("/v1/review/queue").json()["items"]
    assert [i["ticket_id"] for i in items] == [ids[3], ids[1], ids[4], ids[2], ids[0]]
    assert [i["ticket_id"] for i in r.get("/v1/review/queue", params={"risk": "high"}).json()["items"]] == [
        ids[4], ids[2]]
    assert [i["ticket_id"] for i in r.get("/v1/review/queue", params={"language": "de"}).json()["items"]] == [ids[2]]
    assert [i["ticket_id"] for i in r.get("/v1/review/queue", params={"queue": "child_safety"}).json()["items"]] == [
        ids[3], ids[1]]
    page2 = r.get("/v1/review/queue", params={"limit": 2, "offset": 2}).json()
    assert page2["total"] == 5 and [i["ticket_id"] for i in page2["items"]] == [ids[4], ids[2]]
    assert r.get("/v1/review/queue", params={"risk": "nope"}).status_code == 422
    assert r.get("/v1/review/queue", params={"status": "nope"}).status_code == 422
    # reviewed tickets leave the open queue and appear under status=reviewed
    r.post(f"/v1/tickets/{ids[3]}/review", json={"action": "accept", "version": env.read(ids[3])["version"]})
    assert ids[3] not in [i["ticket_id"] for i in r.get("/v1/review/queue").json()["items"]]
    assert [i["ticket_id"] for i in r.get("/v1/review/queue", params={"status": "reviewed"}).json()["items"]] == [
        ids[3]]


def test_stats_over_a_window(review_env: ReviewEnv) -> None:
    env = review_env
    ids = [env.submit(f"st-{i}", f"{BODY} stats {i}")["ticket_id"] for i in range(4)]
    with env.comps.sessions.begin() as s:  # one ticket is already past its deadline
        s.execute(update(DecisionRow).where(DecisionRow.ticket_id == ids[3]).values(
            sla_due_at=utcnow() - timedelta(minutes=5)))
    with env.comps.sessions() as s:
        model_category = s.scalar(select(DecisionRow.category).where(DecisionRow.ticket_id == ids[0]))
    r1, r2 = env.client("reviewer"), env.client("reviewer2")
    r1.post(f"/v1/tickets/{ids[0]}/review", json={"action": "accept", "version": env.read(ids[0])["version"]})
    r1.post(f"/v1/tickets/{ids[1]}/review", json={"action": "edit", "version": env.read(ids[1])["version"],
                                                  "final_reply": "Edited reply.", "category": "spam"})
    r2.post(f"/v1/tickets/{ids[2]}/review", json={"action": "reject", "version": env.read(ids[2])["version"],
                                                  "reason_code": "not_actionable"})
    assert env.client("reviewer").get("/v1/stats").status_code == 403
    s = env.client("analyst").get("/v1/stats").json()
    assert s["tickets"] == 4 and sum(s["by_queue"].values()) == 4 and sum(s["by_risk"].values()) == 4
    assert s["reviews"]["total"] == 3
    assert s["reviews"]["by_action"] == {"accept": 1, "edit": 1, "reject": 1}
    assert s["reviews"]["draft_acceptance_rate"] == round(1 / 3, 4)
    assert s["reviews"]["draft_edit_rate"] == round(1 / 3, 4)
    assert s["sla"]["open_past_due"] == 1 and s["sla"]["breached"] == 1
    agreement = s["agreement"][model_category]
    assert agreement["reviewed"] == 3
    expected = round(2 / 3, 4) if model_category != "spam" else 1.0
    assert agreement["category_agreement"] == expected
    assert {(x["name"], x["total"]) for x in s["reviewers"]} == {("reviewer-1", 2), ("reviewer-2", 1)}
    # a window before any of this is empty
    old = env.client("admin").get("/v1/stats", params={"since": "2020-01-01T00:00:00Z",
                                                       "until": "2020-02-01T00:00:00Z"}).json()
    assert old["tickets"] == 0 and old["reviews"]["total"] == 0
    bad = env.client("analyst").get("/v1/stats", params={"since": "2021-01-01T00:00:00Z",
                                                         "until": "2020-01-01T00:00:00Z"})
    assert bad.status_code == 422


def test_admin_keys_create_and_revoke(review_env: ReviewEnv) -> None:
    env = review_env
    made = env.client("admin").post("/v1/keys", json={"role": "reviewer", "name": "new-reviewer"})
    assert made.status_code == 201, made.text
    plain, key_id = made.json()["key"], made.json()["id"]
    with env.server.client(plain) as c:
        assert c.get("/v1/review/queue").status_code == 200
        assert env.client("admin").delete(f"/v1/keys/{key_id}").status_code == 204
        assert c.get("/v1/review/queue").status_code == 401
    assert env.client("admin").delete("/v1/keys/no-such-key").status_code == 404
    assert env.client("admin").post("/v1/keys", json={"role": "root", "name": "x"}).status_code == 422


def test_edit_distance() -> None:
    assert edit_distance("", "") == 0
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("abc", "") == 3 and edit_distance("", "abc") == 3
    assert edit_distance("same", "same") == 0
    assert edit_distance("Dear user, thanks.", "Dear creator, thanks.") == edit_distance("user", "creator") == 5
    big = "x" * 30_000
    assert edit_distance(big, "y" * 30_000) == 30_000


def test_edit_distance_is_exact_for_long_replies() -> None:
    """Two 5,000-character replies whose distance is known by construction (the old version gave 5,000)."""
    words = ("we", "have", "removed", "the", "post", "and", "reviewed", "your", "report", "thanks")
    reply = " ".join(words[(i * 7) % len(words)] for i in range(1_000))[:5_000]
    assert len(reply) == 5_000
    # k substitutions by a character the reply does not contain: each edit brings in at most one '#',
    # so at least k edits are needed, and the k substitutions are k edits
    positions = range(50, 5_000, 131)
    edited = list(reply)
    for p in positions:
        edited[p] = "#"
    assert edit_distance(reply, "".join(edited)) == len(positions) == 38
    # every position differs, lengths are equal: one deletion at the front and one insertion at the end
    assert edit_distance("ab" * 2_500, "ba" * 2_500) == 2


def test_cases_export_reviewed_is_an_eval_dataset_as_is(
    review_env: ReviewEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = review_env
    t = env.submit("exp-1", BODY, language="en")["ticket_id"]
    r = env.client("reviewer").post(f"/v1/tickets/{t}/review", json={
        "action": "edit", "version": env.read(t)["version"], "final_reply": "Removed; thanks for reporting.",
        "category": "doxxing_privacy", "risk": "high"})
    assert r.status_code == 200
    monkeypatch.setenv("TRIAGE_DATABASE__URL", env.comps.settings.database.url)
    out = tmp_path / "reviewed.jsonl"
    result = CliRunner().invoke(cli_app, ["cases", "export", "--reviewed", "--out", str(out)])
    assert result.exit_code == 0, result.output
    [row] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    suite_file = tmp_path / "reviewed.yaml"
    suite_file.write_text(
        "name: reviewed.v1\ndataset: reviewed.jsonl\nmemory_split: {folds: 2, seed: 7}\n"
        "fields: {text: text, language: language, external_id: id}\n"
        "labels: {category: {field: category}, risk: {field: risk}, queue: {field: queue}}\n"
        "reference_reply: final_reply\n", encoding="utf-8")
    example = load_suite(suite_file).normalise(row, 0)
    assert example.gold == {"category": "doxxing_privacy", "risk": "high", "queue": "privacy"}
    assert example.reference == "Removed; thanks for reporting." and example.language == "en"
    assert "phone number" in example.text and example.id == case_id_for(f"ticket:{t}")
