"""The router: deterministic, from `policy/routing.yaml`. Ticket text never takes part."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from triage.domain.policy import Policy, RuleCondition

__all__ = ["Route", "Router"]


@dataclass(frozen=True)
class Route:
    queue: str
    priority: str
    sla_minutes: int
    sla_due_at: datetime
    reporter_class: str
    rule: str | None


class Router:
    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        self._reporter_class = {
            member: klass for klass, members in policy.routing.reporter_classes.items() for member in members
        }

    @staticmethod
    def _matches(cond: RuleCondition, facts: dict[str, str | None]) -> bool:
        for key, allowed in cond.model_dump(exclude_none=True).items():
            value = facts.get(key)
            if value is None or value not in allowed:
                return False
        return True

    def route(
        self,
        *,
        category: str,
        risk: str,
        channel: str,
        reporter_type: str,
        language: str | None,
        region: str | None,
        received_at: datetime,
    ) -> Route:
        rt = self._policy.routing
        facts = {
            "category": category,
            "risk": risk,
            "channel": channel,
            "reporter_type": reporter_type,
            "language": language,
            "region": region.upper() if region else None,
        }
        queue = rt.category_queues[category]
        priority = rt.priorities[risk]
        klass = self._reporter_class.get(reporter_type, "standard")
        cap: int | None = None
        rule_name: str | None = None
        for rule in rt.rules:
            if self._matches(rule.when, facts):
                queue = rule.queue or queue
                priority = rule.priority or priority
                cap = rule.sla_max_minutes
                rule_name = rule.name
                break
        table = rt.sla_minutes.get(klass) or rt.sla_minutes["standard"]
        minutes = table[priority]
        if cap is not None:
            minutes = min(minutes, cap)
        return Route(
            queue=queue,
            priority=priority,
            sla_minutes=minutes,
            sla_due_at=received_at + timedelta(minutes=minutes),
            reporter_class=klass,
            rule=rule_name,
        )
