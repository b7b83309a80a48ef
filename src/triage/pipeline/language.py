"""Language detection that needs no download: py3langid ships its model inside the package.

Below a confidence floor the detector does not guess: it keeps the configured default language and
says so (`confident=False`). Without the floor, English posts written in slang came back as Nigerian
Pidgin, Gun, Ligurian, Nynorsk, ... (19 languages over the 1,922 English HateXplain posts), and every
such ticket was drafted in a fallback language and sent to a person for that alone. The floor and the
excluded codes were measured; see docs/evals.md, "Language detection floor".
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

__all__ = ["DEFAULT_EXCLUDED", "DetectedLanguage", "LanguageDetector"]

log = logging.getLogger(__name__)

#: Codes of the bundled model that are never a ticket's language, or a regional variety that nobody
#: handles apart from its standard language (which the model also knows): left out, the text goes to
#: the standard language instead. Living languages are never excluded.
DEFAULT_EXCLUDED: tuple[str, ...] = (
    "zxx",                                # "no linguistic content"
    "eo", "vo",                           # constructed: Esperanto, Volapük
    "la", "grc", "hbo", "sa",             # historical: Latin, Ancient Greek, Biblical Hebrew, Sanskrit
    "arz", "ary",                         # Egyptian, Moroccan Arabic -> ar
    "nn",                                 # Norwegian Nynorsk -> no
    "wuu",                                # Wu Chinese -> zh
    "lij", "vec",                         # Ligurian, Venetian -> it
    "ext", "an",                          # Extremaduran, Aragonese -> es
    "wa",                                 # Walloon -> fr
)
_MIN_LETTERS = 3


@dataclass(frozen=True)
class DetectedLanguage:
    language: str
    """ISO 639 code: the detected language, or the default when the detector was not confident."""
    probability: float
    """The detector's probability of `language` (0.0 when the text has too few letters to tell)."""
    confident: bool
    """False when the default language was kept because no language reached the floor."""


class LanguageDetector:
    """Detect a text's language; loaded once, on first use, and safe to share between threads."""

    def __init__(self, *, default: str = "en", min_confidence: float = 0.4,
                 exclude: Iterable[str] = DEFAULT_EXCLUDED) -> None:
        self.default = default
        self.min_confidence = min_confidence
        self.exclude = frozenset(exclude)
        self._identifier: LanguageIdentifier | None = None
        self._lock = threading.Lock()

    def _load(self) -> LanguageIdentifier:
        identifier = self._identifier
        if identifier is None:
            with self._lock:
                identifier = self._identifier
                if identifier is None:
                    identifier = _identifier_without(self.exclude)
                    self._identifier = identifier
        return identifier

    def languages(self) -> list[str]:
        """Every code `detect` may return."""
        return sorted({*(str(code) for code in self._load().nb_classes), self.default})

    def detect(self, text: str) -> DetectedLanguage:
        if sum(ch.isalpha() for ch in text) < _MIN_LETTERS:
            return DetectedLanguage(self.default, 0.0, confident=False)
        ranked = self._load().rank(text)
        language, probability = ranked[0]
        if probability >= self.min_confidence:
            return DetectedLanguage(str(language), float(probability), confident=True)
        return DetectedLanguage(self.default, float(dict(ranked).get(self.default, 0.0)), confident=False)


@functools.lru_cache(maxsize=4)
def _identifier_without(exclude: frozenset[str]) -> LanguageIdentifier:
    """The model, loaded once per process and exclusion set (decompressing and unpickling it takes ~0.7 s,
    and every pipeline in a process, the demo's, the eval folds', the tests', would load it again)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # numpy and the model: on first use

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    labels = identifier.labels
    unknown = sorted(exclude.difference(labels))
    if unknown:
        log.warning("language codes to exclude that the model does not know: %s", unknown)
    identifier.set_languages([code for code in labels if code not in exclude])
    return identifier  # returned only once fully set up; read-only from here on
