"""Language detection that needs no download: py3langid ships its model inside the package."""

from __future__ import annotations

import threading

__all__ = ["LanguageDetector"]


class LanguageDetector:
    """Detect the ISO 639-1 language of a text; 'und' when there is too little text to tell."""

    def __init__(self) -> None:
        self._identifier = None
        self._lock = threading.Lock()

    def _load(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._identifier is None:
                from py3langid.langid import _load_identifier

                self._identifier = _load_identifier(norm_probs=True)
        return self._identifier

    def detect(self, text: str) -> tuple[str, float]:
        letters = sum(ch.isalpha() for ch in text)
        if letters < 3:
            return "und", 0.0
        lang, prob = self._load().classify(text)
        return str(lang), float(prob)
