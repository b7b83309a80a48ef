"""The local drafter: a reply in the ticket's language, from templates and the closest accepted reply.

Template text lives in `prompts/reply_templates.v1.yaml` (versioned by file name). The reply is:
greeting (a partner greeting for partner reporters) + the category's template + up to two sentences
of next steps borrowed from the most similar accepted case in the same language and category (only
sentences that promise no outcome and carry no personal data or placeholders) + closing.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from triage.domain.cases import CaseHit
from triage.domain.channels import PARTNER_REPORTERS
from triage.domain.policy import load_yaml
from triage.errors import PolicyError
from triage.pipeline.guard import mentions_enforcement, promises_outcome, split_sentences
from triage.pipeline.redact import has_placeholder, redact

__all__ = ["LocalDrafter"]

PARTNERS = {r.value for r in PARTNER_REPORTERS}
BORROW_MIN_SIMILARITY = 0.55


_WORD = re.compile(r"\w+", re.UNICODE)


def _overlap(sentence: str, template: str) -> float:
    """Share of the sentence's words (4+ letters) that the template already uses."""
    words = {w for w in _WORD.findall(sentence.lower()) if len(w) >= 4}
    if not words:
        return 1.0
    return len(words & set(_WORD.findall(template.lower()))) / len(words)


class LocalDrafter:
    def __init__(self, templates_path: Path) -> None:
        try:
            data = load_yaml(templates_path.read_text(encoding="utf-8"))
            self._languages: dict[str, dict] = data["languages"]
            self._fallback: str = data.get("fallback_language", "en")
            self.version: str = str(data["version"])
        except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
            raise PolicyError(f"{templates_path}: invalid reply templates: {exc}") from exc
        if self._fallback not in self._languages:
            raise PolicyError(f"{templates_path}: fallback language {self._fallback!r} has no templates")

    @property
    def languages(self) -> list[str]:
        return list(self._languages)

    def _borrow(self, hits: list[CaseHit], *, language: str, category: str, template: str) -> list[str]:
        for hit in hits:
            case = hit.case
            if hit.similarity < BORROW_MIN_SIMILARITY:
                break
            if case.language != language or case.category != category or not case.final_reply:
                continue
            if case.status not in ("accepted", "edited"):
                continue
            borrowed: list[str] = []
            sentences = split_sentences(case.final_reply)
            for sentence in sentences[1:-1] if len(sentences) > 2 else sentences[1:]:
                if promises_outcome(sentence) or mentions_enforcement(sentence):
                    continue
                if has_placeholder(sentence) or redact(sentence).mapping:
                    continue
                if len(sentence) < 25 or _overlap(sentence, template) >= 0.4:
                    continue  # a fragment, or advice the template already gives
                borrowed.append(sentence)
                if len(borrowed) == 2:
                    break
            return borrowed
        return []

    def draft(self, *, language: str, category: str, reporter_type: str, hits: list[CaseHit]) -> tuple[str, str]:
        """Return (reply, language actually used)."""
        lang = language if language in self._languages else self._fallback
        t = self._languages[lang]
        greeting = t.get("partner_greeting") if reporter_type in PARTNERS else None
        template = t["categories"].get(category) or t["categories"]["default"]
        parts = [greeting or t["greeting"], template.strip()]
        borrowed = self._borrow(hits, language=lang, category=category, template=template)
        if borrowed:
            parts.append(" ".join(borrowed))
        parts.append(t["closing"])
        return "\n\n".join(parts), lang
