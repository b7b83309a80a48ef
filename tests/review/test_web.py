"""The reviewer pages without JavaScript: plain forms, signed session, CSRF; and the migration."""

from __future__ import annotations

import html
import re

import httpx
from alembic import command
from sqlalchemy import create_engine, inspect, select

from tests.review.conftest import CSRF, ReviewEnv
from triage.db.models import CaseRow, ReviewRow
from triage.db.session import alembic_config


def test_sign_in_needs_the_form_token_and_a_known_key(review_env: ReviewEnv) -> None:
    env = review_env
    with httpx.Client(base_url=env.server.url, timeout=300) as web:
        assert web.get("/review/").status_code == 303
        page = web.get("/review/login")
        token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        assert 'for="api_key"' in page.text, "the key input has a label"
        forged = web.post("/review/login", data={"api_key": env.keys["reviewer"], "csrf_token": "forged"})
        assert forged.status_code == 403 and "triage_session" not in forged.cookies
        wrong = web.post("/review/login", data={"api_key": "trg_nope", "csrf_token": token})
        assert wrong.status_code == 401 and "unknown or revoked" in wrong.text
        token = CSRF.search(wrong.text).group(1)  # type: ignore[union-attr]
        ok = web.post("/review/login", data={"api_key": env.keys["reviewer"], "csrf_token": token,
                                             "next": "https://evil.example/"})
        assert ok.status_code == 303 and ok.headers["location"] == "/review/"
        cookie = ok.cookies["triage_session"]
        assert env.keys["reviewer"] not in cookie, "the plain key never goes into the cookie"
        assert "HttpOnly" in ok.headers["set-cookie"] and "samesite=lax" in ok.headers["set-cookie"].lower()
    # a tampered cookie is no session
    with httpx.Client(base_url=env.server.url, timeout=300, cookies={"triage_session": cookie[:-2] + "xx"}) as web:
        assert web.get("/review/").status_code == 303


def test_review_a_ticket_with_plain_forms(review_env: ReviewEnv) -> None:
    env = review_env
    t = env.submit("web-1", "Someone posted my home address in the comments of my latest video.")["ticket_id"]
    web, csrf = env.web_session(env.keys["reviewer"])
    queue = web.get("/review/")
    assert queue.status_code == 200 and f"/review/tickets/{t}" in queue.text
    assert re.search(r'class="risk risk-\w+"', queue.text) and "data-countdown" in queue.text
    page = web.get(f"/review/tickets/{t}")
    assert page.status_code == 200
    for label in ('for="final_reply"', 'for="category"', 'for="risk"', 'for="queue"', 'for="reason_code"'):
        assert label in page.text, label
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    claimed = web.post(f"/review/tickets/{t}/claim", data={"csrf_token": csrf})
    assert claimed.status_code == 303
    assert "You hold this ticket" in web.get(f"/review/tickets/{t}").text
    # another reviewer sees the lease and cannot take the ticket
    other, other_csrf = env.web_session(env.keys["reviewer2"])
    assert "Another reviewer holds this ticket" in other.get(f"/review/tickets/{t}").text
    assert other.post(f"/review/tickets/{t}/claim", data={"csrf_token": other_csrf}).status_code == 409
    other.close()
    # an invalid form comes back with the error and keeps what was typed
    bad = web.post(f"/review/tickets/{t}/review", data={
        "csrf_token": csrf, "version": version, "action": "reject", "final_reply": "typed text"})
    assert bad.status_code == 422 and "needs a reason code" in bad.text and "typed text" in bad.text
    assert 'name="also" value="harassment_bullying"' in page.text  # secondary categories: one box each
    odd = web.post(f"/review/tickets/{t}/review", data={
        "csrf_token": csrf, "version": version, "action": "accept", "also": ["harassment_bullying", "nonsense"]})
    assert odd.status_code == 422 and "also: 'nonsense' is not in the taxonomy" in html.unescape(odd.text)
    assert re.search(r'value="harassment_bullying"\s+checked', odd.text)  # the boxes ticked are kept
    done = web.post(f"/review/tickets/{t}/review", data={
        "csrf_token": csrf, "version": version, "action": "edit", "final_reply": "We removed it.\r\nThanks.",
        "category": "doxxing_privacy", "risk": "high", "queue": "privacy", "reason_code": "wrong_risk",
        "also": ["harassment_bullying"]})
    assert done.status_code == 303 and done.headers["location"].startswith("/review/?done=")
    assert "reviewed (edit)" in web.get(done.headers["location"]).text
    # the same (now stale) form again is a 409 shown on the page, not a second review
    stale = web.post(f"/review/tickets/{t}/review", data={
        "csrf_token": csrf, "version": version, "action": "accept", "final_reply": "x"})
    assert stale.status_code == 409 and "stale write" in stale.text
    with env.comps.sessions() as s:
        [row] = s.scalars(select(ReviewRow).where(ReviewRow.ticket_id == t)).all()
        assert row.final_reply == "We removed it.\nThanks." and row.risk == "high" and row.reviewer_name == "reviewer-1"
        case = s.scalars(select(CaseRow).where(CaseRow.key == f"ticket:{t}")).one()
        assert (case.category, case.also) == ("doxxing_privacy", ["harassment_bullying"])
    web.close()


def test_stats_page_for_analysts(review_env: ReviewEnv) -> None:
    env = review_env
    env.submit("web-stats", "spam spam spam")
    web, _ = env.web_session(env.keys["analyst"])
    page = web.get("/review/stats?window=24h")
    assert page.status_code == 200
    assert re.search(r'id="reviews-total">0<', page.text) and "Model–reviewer agreement" in page.text
    assert web.get("/review/").status_code == 403
    web.close()


def test_static_files_are_served_and_contained(review_env: ReviewEnv) -> None:
    with httpx.Client(base_url=review_env.server.url, timeout=300) as web:
        css = web.get("/review/static/review.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert css.headers["cache-control"] == "max-age=300" and css.headers["x-content-type-options"] == "nosniff"
        js = web.get("/review/static/review.js")
        assert js.status_code == 200 and "javascript" in js.headers["content-type"]
        again = web.get("/review/static/review.css", headers={"if-none-match": css.headers["etag"]})
        assert again.status_code == 304 and again.headers["cache-control"] == "max-age=300"
        for outside in ("..%2Fweb.py", "../web.py", "%2e%2e/web.py", "nope.css", ""):
            assert web.get(f"/review/static/{outside}").status_code == 404, outside
        # the pages load exactly these files, from 'self', under an unchanged CSP
        page = web.get("/review/login")
        assert 'href="/review/static/review.css"' in page.text and 'src="/review/static/review.js"' in page.text
        assert page.headers["content-security-policy"] == (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            "frame-ancestors 'none'")


def test_migration_0002_goes_down_and_up(db_url: str) -> None:
    engine = create_engine(db_url)
    cfg = alembic_config(db_url)
    command.upgrade(cfg, "head")
    assert "reviews" in inspect(engine).get_table_names()
    assert {"claimed_by", "claim_expires_at"} <= {c["name"] for c in inspect(engine).get_columns("tickets")}
    command.downgrade(cfg, "c437ea55456a")
    assert "reviews" not in inspect(engine).get_table_names()
    assert "claimed_by" not in {c["name"] for c in inspect(engine).get_columns("tickets")}
    command.upgrade(cfg, "head")
    assert "reviews" in inspect(engine).get_table_names()
    engine.dispose()


def test_the_migrations_build_the_schema_the_models_declare(db_url: str) -> None:
    """A column added to a model without its migration (or the reverse) is found here, on both databases."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from triage.db.models import Base

    engine = create_engine(db_url)
    command.upgrade(alembic_config(db_url), "head")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    engine.dispose()
    assert diff == []
