"""The guard: checks every drafted reply before it is stored.

* no promised enforcement outcome ("we removed", "will be banned", in the languages we template),
* no personal data that the ticket did not give us, and no unreplaced placeholders,
* a prompt-injection flag when the ticket tries to instruct a model (set by the pipeline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from triage.pipeline.redact import has_placeholder, redact

__all__ = ["GuardResult", "check_reply", "mentions_enforcement", "promises_outcome", "split_sentences", "strip_promises"]

_PROMISES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bwe(?:'ve| have)? (?:already )?(?:removed|deleted|banned|suspended|terminated|taken down|disabled)\b",
        r"\b(?:has|have|was|were) been (?:permanently )?(?:removed|deleted|banned|suspended|taken down|disabled|terminated)\b",
        r"\b(?:is|are|was|were) (?:now )?(?:permanently )?(?:removed|deleted|banned|suspended|taken down|disabled|terminated|restricted)\b",
        r"\b(?:will|shall|is going to|are going to) (?:be )?(?:permanently )?(?:remove|removed|ban|banned|suspend|suspended|delete|deleted|take down|taken down|terminate|terminated)\b",
        r"\bwithin \d+ (?:hours?|days?|minutes?)\b",
        r"\b(?:hemos|ha sido|han sido|será|serán|fue|fueron) (?:eliminad|suspendid|retirad|bloquead|borrad)\w*",
        r"\b(?:removemos|excluímos|suspendemos|foi|foram|será|serão) (?:removid|excluíd|suspens|bloquead|banid)\w*",
        r"\b(?:avons|a été|ont été|sera|seront) (?:supprimé|suspendu|retiré|bloqué|banni)\w*",
        r"\b(?:wurde|wurden|wird|werden|haben)\b.{0,30}\b(?:entfernt|gelöscht|gesperrt)\b",
        r"\b(?:telah|sudah|akan) (?:di)?(?:hapus|blokir|tangguhkan|nonaktifkan)\w*",
        r"\bdalam \d+ jam\b|\bdentro de \d+ horas\b|\bem \d+ horas\b|\bsous \d+ heures\b|\binnerhalb von \d+ stunden\b",
    )
]

# Enforcement vocabulary in the languages we template. A sentence borrowed from a past case's reply
# must mention no enforcement at all: what was done on that case is no promise for this one.
_ENFORCEMENT = re.compile(
    r"\b(?:remov|delet|ban(?:ned|s)?\b|suspend|terminat|disabl|restrict|taken down|took down|ended the|"
    r"age[- ]restrict|escalat|reported (?:it |them |the \w+ )?to|referred|warn(?:ed|ing) (?:the|this)|"
    r"eliminad|elimina(?:mos|do)|suspendi|retirad|bloquead|borrad|restringi|"
    r"removid|removemos|exclu[íi]|suspens|banid|"
    r"supprim|suspendu|retir[ée]|bloqu[ée]|banni|"
    r"entfernt|gelöscht|gesperrt|eingeschränkt|"
    r"dihapus|menghapus|diblokir|ditangguhkan|dinonaktifkan|dibatasi|"
    r"rimoss|sospes|bloccat|kaldırıl|askıya|engellen|kaldırdık|kapattık|engelledik|sildik|"
    r"banimos|bloqueamos|desativamos|suspendemos|removemos|eliminamos|desactivamos|retiramos|"
    r"received|recibi|recebeu|renvoient)",
    re.IGNORECASE,
)

# What the team did or found on that case ("we reviewed", "kami telah meninjau", "hemos revisado"):
# true of the past case, unknown for this one. Borrowed sentences must be advice, not findings.
_CASE_FINDINGS = re.compile(
    r"\b(?:we|we'[a-z]+|our (?:team|specialists|reviewers)|us|"
    r"hemos|revisamos|nuestro equipo|nosotros|"
    r"nós|revisamos|analisamos|verificamos|enviámos|enviamos|a nossa equipa|nossa equipe|"
    r"nous|notre équipe|avons|"
    r"wir|unser team|haben wir|"
    r"kami|tim kami|"
    r"abbiamo|il nostro team|ekibimiz)\b|"
    r"\b(?:reviewed|found|confirmed|restored|notified|taken action|stays up|remains up|"
    r"revisad|encontr|confirmad|restablec|restaurad|notificad|geprüft|festgestellt|wiederhergestellt|"
    r"ditinjau|meninjau|menemukan|dipulihkan|examin|vérifi|rétabli|verificat|ripristinat|incelendi)",
    re.IGNORECASE,
)

_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|\n+")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def mentions_enforcement(text: str) -> bool:
    """Enforcement vocabulary, or a statement of what the team did or found on a case."""
    return bool(_ENFORCEMENT.search(text) or _CASE_FINDINGS.search(text))


def promises_outcome(text: str) -> bool:
    return any(p.search(text) for p in _PROMISES)


def strip_promises(text: str) -> str:
    """Drop sentences that promise an outcome (used on replies borrowed from past cases)."""
    return " ".join(s for s in split_sentences(text) if not promises_outcome(s))


@dataclass
class GuardResult:
    ok: bool
    issues: list[str] = field(default_factory=list)


def check_reply(reply: str, *, ticket_values: set[str]) -> GuardResult:
    """Check a final (restored) reply; `ticket_values` are the personal data the ticket itself gave."""
    issues: list[str] = []
    if promises_outcome(reply):
        issues.append("promised_outcome")
    if has_placeholder(reply):
        issues.append("unreplaced_placeholder")
    leaked = [v for v in redact(reply).mapping.values() if v not in ticket_values]
    if leaked:
        issues.append("personal_data_not_from_ticket")
    return GuardResult(ok=not issues, issues=issues)
