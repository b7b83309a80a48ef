"""Prompts are files: `prompts/<name>.<version>.<role>.j2`, rendered with Jinja2 and StrictUndefined.

Untrusted text (the ticket, and past cases, which were tickets too) only reaches a prompt inside a
fence whose marker carries a random token drawn per request, so the text cannot close its own fence;
the system prompt says that fenced text is data and never instructions.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

__all__ = ["Fence", "PromptRenderer", "RenderedPrompt", "new_fence"]


@dataclass(frozen=True)
class Fence:
    """`<<<TICKET a1b2...>>>` ... `<<<END TICKET a1b2...>>>`; the token is random per request."""

    token: str

    def open(self, label: str) -> str:
        return f"<<<{label} {self.token}>>>"

    def close(self, label: str) -> str:
        return f"<<<END {label} {self.token}>>>"

    def wrap(self, label: str, text: str) -> str:
        # the token is unguessable, but a text that quotes a fence marker is made inert all the same
        safe = text.replace(self.token, "[fence token removed]")
        return f"{self.open(label)}\n{safe}\n{self.close(label)}"


def new_fence() -> Fence:
    return Fence(secrets.token_hex(8))


@dataclass(frozen=True)
class RenderedPrompt:
    id: str  # e.g. "classify.v1"
    messages: list[dict[str, str]]


class PromptRenderer:
    def __init__(self, prompts_dir: Path, *, version: str = "v1") -> None:
        self.dir = prompts_dir
        self.version = version
        self.env = Environment(
            loader=FileSystemLoader(str(prompts_dir)),
            undefined=StrictUndefined,
            autoescape=False,  # plain-text prompts, not HTML
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def check(self, *names: str) -> None:
        """Fail at start-up, not on the first ticket, when a prompt file is missing or broken."""
        for name in names:
            for role in ("system", "user"):
                try:
                    self.env.get_template(f"{name}.{self.version}.{role}.j2")
                except TemplateNotFound as exc:
                    raise ValueError(f"prompt file {self.dir / (exc.name or '?')} is missing") from exc

    def render(self, name: str, **context: Any) -> RenderedPrompt:
        fence: Fence = context.setdefault("fence", new_fence())
        context.setdefault("fence_open", fence.open)
        context.setdefault("fence_close", fence.close)
        pid = f"{name}.{self.version}"
        messages = [
            {"role": role, "content": self.env.get_template(f"{pid}.{role}.j2").render(**context).strip()}
            for role in ("system", "user")
        ]
        return RenderedPrompt(id=pid, messages=messages)
