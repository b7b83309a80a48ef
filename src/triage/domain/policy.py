"""Policy as data: the taxonomy (labels, definitions, risk floors) and the routing table.

Both are YAML files in the policy directory, owned by operators. `load_policy` validates them with
pydantic and, on any error, raises `PolicyError` naming the file and the line that is wrong.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from triage.domain.channels import Channel, ReporterType
from triage.errors import PolicyError

__all__ = [
    "Category", "Policy", "RoutingRule", "RoutingTable", "Taxonomy", "line_of", "load_policy", "read_policy_file",
]

REPORTER_TYPES = tuple(r.value for r in ReporterType)
CHANNELS = tuple(c.value for c in Channel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Strict):
    floor: str = Field(description="the lowest risk level a decision in this category may carry")
    definition: str = Field(min_length=10)


class Taxonomy(_Strict):
    version: str
    risk_levels: dict[str, str] = Field(description="ordered from most to least severe")
    categories: dict[str, Category]

    @model_validator(mode="after")
    def _two_levels(self) -> Taxonomy:
        if len(self.risk_levels) < 2:
            raise ValueError("risk_levels needs at least two levels")
        return self


class RuleCondition(_Strict):
    category: list[str] | None = None
    risk: list[str] | None = None
    channel: list[str] | None = None
    reporter_type: list[str] | None = None
    language: list[str] | None = None
    region: list[str] | None = None


class RoutingRule(_Strict):
    name: str
    when: RuleCondition
    queue: str | None = None
    priority: str | None = None
    sla_max_minutes: int | None = Field(default=None, gt=0)


class RoutingTable(_Strict):
    version: str
    queues: dict[str, str]
    category_queues: dict[str, str]
    priorities: dict[str, str]
    reporter_classes: dict[str, list[str]]
    sla_minutes: dict[str, dict[str, int]]
    rules: list[RoutingRule] = []


class Policy:
    """The loaded taxonomy and routing, cross-checked; immutable once built."""

    def __init__(self, taxonomy: Taxonomy, routing: RoutingTable, digest: str) -> None:
        self.taxonomy = taxonomy
        self.routing = routing
        self.digest = digest
        self.risk_order: list[str] = list(taxonomy.risk_levels)  # most severe first
        self.categories: list[str] = list(taxonomy.categories)

    @property
    def version(self) -> str:
        return f"{self.taxonomy.version}+{self.routing.version}#{self.digest[:8]}"

    def severity(self, risk: str) -> int:
        """0 for the least severe level, increasing with severity."""
        return len(self.risk_order) - 1 - self.risk_order.index(risk)

    def max_risk(self, *levels: str) -> str:
        return max(levels, key=self.severity)

    def floor(self, category: str) -> str:
        return self.taxonomy.categories[category].floor

    @property
    def floors(self) -> dict[str, str]:
        """Every category's risk floor (the risk an imported labelled row without one takes)."""
        return {name: c.floor for name, c in self.taxonomy.categories.items()}

    @property
    def risk_levels_low_to_high(self) -> list[str]:
        return list(reversed(self.risk_order))


def line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """Walk a composed YAML node along a pydantic error location; return the 1-based line."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == part), None)
            if nxt is None:
                key = next((k for k, _ in node.value if k.value == part), None)
                return key.start_mark.line + 1 if key is not None else line
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


#: libyaml's parser when PyYAML was built with it (the wheels are): the policy, the lexicon and the 2,500-line
#: exemplar bank parse ~10x faster than with the pure-Python one, and every process and test loads them.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """`yaml.safe_load` on the fastest safe loader available."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506  # a safe loader, C or Python


def read_policy_file(path: Path, model: type[BaseModel]) -> tuple[Any, bytes, yaml.Node | None]:
    """Parse and validate one policy YAML file; raise PolicyError naming the file and the line that is wrong."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read policy file ({exc.strerror})") from exc
    text = raw.decode("utf-8", errors="replace")
    try:
        node = yaml.compose(text, Loader=_LOADER)  # noqa: S506  # a safe loader, C or Python
        data = load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark else "unknown line"
        raise PolicyError(f"{path}:{where}: YAML syntax error: {exc.problem}") from exc
    try:
        return model.model_validate(data), raw, node
    except ValidationError as exc:
        err = exc.errors()[0]
        line = line_of(node, tuple(err["loc"]))
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise PolicyError(f"{path}:line {line}: {loc}: {err['msg']}") from exc


def _cross_check(tax: Taxonomy, rt: RoutingTable, routing_path: Path) -> None:
    problems: list[str] = []
    for cat in tax.categories:
        if cat not in rt.category_queues:
            problems.append(f"category_queues has no queue for category {cat!r}")
    for cat, queue in rt.category_queues.items():
        if cat not in tax.categories:
            problems.append(f"category_queues names unknown category {cat!r}")
        if queue not in rt.queues:
            problems.append(f"category_queues.{cat}: unknown queue {queue!r}")
    for level in tax.risk_levels:
        if level not in rt.priorities:
            problems.append(f"priorities has no entry for risk level {level!r}")
    prios = set(rt.priorities.values())
    for klass, table in rt.sla_minutes.items():
        missing = prios - set(table)
        if missing:
            problems.append(f"sla_minutes.{klass} lacks priorities {sorted(missing)}")
    classes = {r for members in rt.reporter_classes.values() for r in members}
    for r in REPORTER_TYPES:
        if r not in classes:
            problems.append(f"reporter_classes does not place reporter type {r!r}")
    for klass in rt.reporter_classes:
        if klass not in rt.sla_minutes:
            problems.append(f"reporter class {klass!r} has no sla_minutes table")
    for i, rule in enumerate(rt.rules):
        if rule.queue and rule.queue not in rt.queues:
            problems.append(f"rules[{i}] ({rule.name}): unknown queue {rule.queue!r}")
        if rule.priority and rule.priority not in prios:
            problems.append(f"rules[{i}] ({rule.name}): unknown priority {rule.priority!r}")
        for cat in rule.when.category or []:
            if cat not in tax.categories:
                problems.append(f"rules[{i}] ({rule.name}): unknown category {cat!r}")
        for lvl in rule.when.risk or []:
            if lvl not in tax.risk_levels:
                problems.append(f"rules[{i}] ({rule.name}): unknown risk {lvl!r}")
    if problems:
        text = routing_path.read_text(encoding="utf-8")
        first = problems[0]
        # name the line of the first offending token where we can find it
        token = first.split("'")[1] if "'" in first else ""
        line = next((n + 1 for n, ln in enumerate(text.splitlines()) if token and token in ln), None)
        where = f":line {line}" if line else ""
        raise PolicyError(f"{routing_path}{where}: " + "; ".join(problems))


def load_policy(policy_dir: Path) -> Policy:
    """Load and cross-check `taxonomy.yaml` and `routing.yaml`; raise PolicyError naming file and line."""
    tax_path, rt_path = policy_dir / "taxonomy.yaml", policy_dir / "routing.yaml"
    tax, tax_raw, tax_node = read_policy_file(tax_path, Taxonomy)
    for name, cat in tax.categories.items():
        if cat.floor not in tax.risk_levels:
            line = line_of(tax_node, ("categories", name, "floor"))
            raise PolicyError(f"{tax_path}:line {line}: categories.{name}.floor: {cat.floor!r} is not one of "
                              f"{list(tax.risk_levels)}")
    rt, rt_raw, _ = read_policy_file(rt_path, RoutingTable)
    _cross_check(tax, rt, rt_path)
    digest = hashlib.sha256(tax_raw + b"\0" + rt_raw).hexdigest()
    return Policy(tax, rt, digest)
