"""The reviewer page in a real browser: Playwright driving Debian's chromium (installed by
scripts/ensure-services.sh). Signs in, opens the queue, edits a draft, corrects a label, accepts with
the keyboard, and checks what was stored. Saves a screenshot of the ticket page as a test artefact.

Skips when chromium or the playwright package is missing locally; fails under CI (CI=true).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import create_key, import_seed, settings_for, ticket
from tests.review.conftest import seed_subset
from triage.components import Components
from triage.config import PROJECT_ROOT
from triage.db.models import CaseRow, ReviewRow

CHROMIUM = os.environ.get("TRIAGE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACT = PROJECT_ROOT / "test-artifacts" / "ticket-page.png"
README_IMAGE = PROJECT_ROOT / "docs" / "img" / "ticket-page.png"
TEXT = ("Someone posted my home address and my phone number +44 7700 900123 under my latest video and "
        "wrote that people should 'pay me a visit'. Strangers are now messaging me. Please take it down.")
EDITED = "Thank you for telling us. We removed the comment with your address and restricted the account."


def _need_browser() -> Any:
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "the playwright package is not installed (pip install -e '.[test]')"
    if reason is None and not Path(CHROMIUM).exists():
        reason = f"chromium is not installed at {CHROMIUM} (run scripts/ensure-services.sh)"
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser test cannot run under CI: {reason}")
        pytest.skip(reason)
    return sync_playwright


@pytest.mark.slow
def test_review_in_the_browser(tmp_path: Path, make_components: Callable[..., Components], live_server: Any) -> None:
    sync_playwright = _need_browser()
    settings = settings_for(tmp_path, reprocess_on_startup=False)
    comps = make_components(settings)
    import_seed(comps, seed_subset(tmp_path / "seed.jsonl", per_category=3))
    server = live_server(settings, comps)
    service = server.client(create_key(comps, "service"))
    reviewer_key = create_key(comps, "reviewer", name="Dana (T&S reviewer)")
    analyst = server.client(create_key(comps, "analyst"))
    other = service.post("/v1/tickets", json=ticket("b-0", "How do I change my username?", language="en"))
    assert other.status_code == 201
    sub = service.post("/v1/tickets", json=ticket("b-1", TEXT, language="en", region="GB",
                                                  subject="My address and phone were posted"))
    assert sub.status_code == 201, sub.text
    ticket_id = sub.json()["ticket_id"]
    model_category = sub.json()["decision"]["category"]["label"]
    corrected = "doxxing_privacy" if model_category != "doxxing_privacy" else "violent_threat"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(20_000)
            page.goto(server.url + "/review/")
            assert "/review/login" in page.url
            page.get_by_label("API key").fill(reviewer_key)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(server.url + "/review/")
            assert page.get_by_role("heading", name="Review queue").is_visible()
            link = page.locator(f'a[href="/review/tickets/{ticket_id}"]')
            link.click()
            page.wait_for_url(f"**/review/tickets/{ticket_id}")
            # claim with the keyboard shortcut
            page.locator("body").press("c")
            page.wait_for_selector("#claim-status")
            page.get_by_label("Reply to send").fill(EDITED)
            page.get_by_label("Category", exact=True).select_option(corrected)
            assert page.locator("#edit-note").inner_text().startswith("Edited")
            assert page.get_by_role("heading", name="Similar past cases and how they were resolved").is_visible()
            ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACT), full_page=True)
            if os.environ.get("TRIAGE_UPDATE_SCREENSHOT"):  # refresh the README image on purpose only
                README_IMAGE.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(ARTIFACT, README_IMAGE)
            # accept with the keyboard, from outside any field
            page.get_by_role("heading", name="Review", exact=True).click()
            page.keyboard.press("a")
            page.wait_for_url("**/review/?done=*")
            assert page.get_by_role("status").inner_text().startswith("Ticket")
        finally:
            browser.close()

    with comps.sessions() as s:
        [review] = s.scalars(select(ReviewRow).where(ReviewRow.ticket_id == ticket_id)).all()
        assert review.action == "accept" and review.final_reply == EDITED
        assert review.category == corrected and review.model_category == model_category
        assert review.queue == comps.policy.routing.category_queues[corrected], "the queue follows the category"
        assert review.edit_distance > 0 and review.labels_corrected
        case = s.get(CaseRow, review.case_id)
        assert case is not None and case.status == "edited" and case.category == corrected
    history = analyst.get(f"/v1/tickets/{ticket_id}/history").json()["events"]
    assert [e["action"] for e in history][-2:] == ["reviewed", "learned"]
    assert history[-2]["data"]["reviewer"] == "Dana (T&S reviewer)"
    assert ARTIFACT.stat().st_size > 10_000
