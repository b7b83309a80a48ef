from triage.config import PROJECT_ROOT
from triage.domain.cases import Case, CaseHit
from triage.pipeline.draft import LocalDrafter

DRAFTER = LocalDrafter(PROJECT_ROOT / "prompts" / "reply_templates.v1.yaml")


def hit(reply: str, *, language: str = "en", category: str = "scam_fraud", similarity: float = 0.8) -> CaseHit:
    case = Case(id="c1", key="k1", text="t", language=language, category=category, risk="medium",
                final_reply=reply, status="accepted")
    return CaseHit(case=case, similarity=similarity)


def test_borrows_advice_but_never_what_was_done_on_the_other_case() -> None:
    reply = ("Thanks for the report. We removed the giveaway video and banned the account. "
             "Keep screenshots of the chat and file a report with your local police station. "
             "Please contact your bank or payment provider as soon as possible. "
             "Kind regards.")
    text, lang = DRAFTER.draft(language="en", category="scam_fraud", reporter_type="user", hits=[hit(reply)])
    assert lang == "en"
    assert "Keep screenshots of the chat" in text
    assert "removed" not in text and "banned" not in text
    assert text.count("bank") == 1  # the template already says it; the borrowed twin is skipped


def test_no_borrowing_across_languages_categories_or_weak_matches_and_partner_greeting() -> None:
    reply = "Hi. Please contact your bank about the transfer as soon as possible and call the police. Bye."
    for h in (hit(reply, language="de"), hit(reply, category="spam"), hit(reply, similarity=0.3)):
        text, _ = DRAFTER.draft(language="en", category="scam_fraud", reporter_type="user", hits=[h])
        assert "transfer" not in text
    partner, _ = DRAFTER.draft(language="en", category="scam_fraud", reporter_type="ngo", hits=[])
    user, _ = DRAFTER.draft(language="en", category="scam_fraud", reporter_type="user", hits=[])
    assert partner.splitlines()[0] != user.splitlines()[0]


def test_unknown_language_falls_back_and_says_so() -> None:
    text, lang = DRAFTER.draft(language="sw", category="spam", reporter_type="user", hits=[])
    assert lang == "en" and text
