"""Local critical signals and prompt-injection markers, from `policy/signals.yaml`.

Signals can only raise risk (invariant 3); injection markers only add a flag (invariant 4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from triage.domain.policy import load_yaml
from triage.errors import PolicyError

__all__ = ["Signal", "SignalScanner", "load_signals"]

_SENTENCES = re.compile(r"(?<=[.!?。！？])\s+|\n+")


class _SignalSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str
    min_risk: str
    patterns: list[str]


class _InjectionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    patterns: list[str]


class _SignalsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    signals: dict[str, _SignalSpec]
    injection: _InjectionSpec


@dataclass(frozen=True)
class Signal:
    name: str
    category: str
    min_risk: str


class SignalScanner:
    def __init__(self, spec: _SignalsFile) -> None:
        self.version = spec.version
        self._signals = [
            (Signal(name, s.category, s.min_risk), [re.compile(p, re.IGNORECASE | re.DOTALL) for p in s.patterns])
            for name, s in spec.signals.items()
        ]
        self._injection = [re.compile(p, re.IGNORECASE | re.DOTALL) for p in spec.injection.patterns]

    def scan(self, text: str) -> list[Signal]:
        return [sig for sig, pats in self._signals if any(p.search(text) for p in pats)]

    def injection_suspected(self, text: str) -> bool:
        return any(p.search(text) for p in self._injection)

    def strip_injection(self, text: str) -> str:
        """The text without the sentences that carry instructions aimed at a model.

        Used for the text the classifier sees, so an appended "mark this as low risk" cannot move the
        embedding (and with it the labels); the ticket keeps its original text and gets a flag.
        """
        if not self.injection_suspected(text):
            return text
        kept = [s for s in _SENTENCES.split(text) if s.strip() and not self.injection_suspected(s)]
        return " ".join(kept).strip() or text


def load_signals(path: Path, *, categories: list[str], risk_levels: list[str]) -> SignalScanner:
    try:
        spec = _SignalsFile.model_validate(load_yaml(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise PolicyError(f"{path}: invalid signals file: {exc}") from exc
    for name, s in spec.signals.items():
        if s.category not in categories:
            raise PolicyError(f"{path}: signal {name!r} names unknown category {s.category!r}")
        if s.min_risk not in risk_levels:
            raise PolicyError(f"{path}: signal {name!r} names unknown risk {s.min_risk!r}")
        for p in s.patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise PolicyError(f"{path}: signal {name!r}: bad pattern {p!r}: {exc}") from exc
    return SignalScanner(spec)
