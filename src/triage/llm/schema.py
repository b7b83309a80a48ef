"""What the LLM must answer, as pydantic models built from the loaded policy.

Category and risk are enums of the policy's own labels, so the JSON schema sent to the server names
every allowed value and a reply with an invented label fails validation (and is re-asked, then
degraded). Field docstrings become schema descriptions the model reads.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from triage.domain.policy import Policy

__all__ = ["DraftOutput", "OutputModels", "build_output_models", "json_schema_of"]

MAX_RATIONALE = 600
#: the rationale's length as the schema states it (a grammar-constrained server stops the string there):
#: a small model otherwise writes until `max_tokens` (seen: 300 tokens, 10 s, a truncated answer and a re-ask);
#: not validated, so a longer one from a server without a grammar is cut to MAX_RATIONALE, not refused
SCHEMA_RATIONALE_CHARS = 280
MAX_REPLY = 2000


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _ClassificationBase(_Answer):
    @field_validator("rationale", check_fields=False)
    @classmethod
    def _short_rationale(cls, value: str) -> str:
        return value.strip()[:MAX_RATIONALE]


class DraftOutput(_Answer):
    """A reply to the person who wrote the ticket."""

    reply: str = Field(
        description="the reply, in the ticket's language; keep placeholders such as [EMAIL_1] exactly as written",
        min_length=1,
    )

    @field_validator("reply")
    @classmethod
    def _short_reply(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("the reply is empty")
        return value[:MAX_REPLY]


@dataclass(frozen=True)
class OutputModels:
    classification: type[BaseModel]
    draft: type[DraftOutput]
    category_enum: type[enum.Enum]
    risk_enum: type[enum.Enum]


def build_output_models(policy: Policy, categories: Sequence[str] | None = None) -> OutputModels:
    """Classification model whose `category` and `risk` are enums of this policy's labels.

    `categories` narrows the category enum to those labels (in cascade mode, the local classifier's
    candidates), so the server's grammar and the validation both refuse any other.
    """
    allowed = list(categories) if categories is not None else list(policy.categories)
    unknown = [c for c in allowed if c not in policy.taxonomy.categories]
    if unknown or not allowed:
        raise ValueError(f"categories {unknown or allowed} are not a non-empty subset of the policy's")
    category_enum = enum.Enum("Category", {c: c for c in allowed}, type=str)  # type: ignore[misc]
    risk_enum = enum.Enum("RiskLevel", {r: r for r in policy.risk_order}, type=str)  # type: ignore[misc]
    classification = create_model(
        "Classification",
        __base__=_ClassificationBase,
        __doc__="The policy category and risk level of the ticket, grounded in the definitions and past cases.",
        category=(category_enum, Field(description="the one policy category that best fits the ticket")),
        risk=(risk_enum, Field(description="the risk level, never below the category's floor")),
        confidence=(float, Field(ge=0.0, le=1.0, description="how sure you are of the category, 0 to 1")),
        rationale=(str, Field(description="one or two sentences: why, citing the definition or past cases",
                              json_schema_extra={"maxLength": SCHEMA_RATIONALE_CHARS})),
    )
    return OutputModels(classification, DraftOutput, category_enum, risk_enum)


def json_schema_of(model: type[BaseModel], *, string_lengths: bool = False) -> dict[str, Any]:
    """The model's JSON schema, in the subset strict structured-output servers accept (OpenAI's strict mode
    refuses string lengths). `string_lengths` keeps minLength/maxLength, for grammar engines that bound
    strings with them (llama.cpp's `json_object` + schema)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})
    schema = _inline(schema, defs)
    _strip(schema, drop=("default",) if string_lengths else ("minLength", "maxLength", "default"))
    return schema  # type: ignore[no-any-return]


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """Replace `$ref`s by their definitions (some servers refuse `$ref` next to a description)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            merged = {**defs[ref.rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}}
            return _inline(merged, defs)
        return {k: _inline(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def _strip(node: Any, drop: tuple[str, ...]) -> None:
    """Drop keywords strict mode refuses (string lengths, defaults); keep enums, bounds, required."""
    if isinstance(node, dict):
        for key in drop:
            node.pop(key, None)
        if node.get("type") == "object" and "properties" in node:
            node["additionalProperties"] = False
            node["required"] = list(node["properties"])
        for value in node.values():
            _strip(value, drop)
    elif isinstance(node, list):
        for value in node:
            _strip(value, drop)
