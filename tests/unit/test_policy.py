import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from triage.config import PROJECT_ROOT
from triage.domain.policy import load_policy
from triage.errors import PolicyError
from triage.pipeline.route import Router

POLICY = PROJECT_ROOT / "policy"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def policy_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "policy"
    shutil.copytree(POLICY, dst)
    return dst


def test_default_policy_loads_with_required_categories() -> None:
    p = load_policy(POLICY)
    required = {"child_safety", "self_harm", "violent_extremism", "violent_threat", "graphic_violence",
                "hate_speech", "harassment_bullying", "doxxing_privacy", "sexual_content", "dangerous_acts",
                "scam_fraud", "impersonation", "misinformation", "intellectual_property", "spam",
                "account_access", "appeal", "legal_request", "no_violation"}
    assert required <= set(p.categories)
    assert p.risk_order == ["critical", "high", "medium", "low"]
    assert p.floor("child_safety") == "critical"
    assert p.max_risk("low", "high", "medium") == "high"


def test_bad_floor_is_refused_naming_the_line(policy_copy: Path) -> None:
    path = policy_copy / "taxonomy.yaml"
    lines = path.read_text().splitlines()
    n = next(i for i, ln in enumerate(lines) if ln.strip() == "floor: critical")
    lines[n] = lines[n].replace("critical", "catastrophic")
    path.write_text("\n".join(lines))
    with pytest.raises(PolicyError) as exc:
        load_policy(policy_copy)
    assert "catastrophic" in str(exc.value)
    assert f"taxonomy.yaml:line {n + 1}: categories.child_safety.floor" in str(exc.value)


def test_yaml_syntax_error_names_the_line(policy_copy: Path) -> None:
    path = policy_copy / "routing.yaml"
    lines = path.read_text().splitlines()
    lines.insert(10, "  broken: [unclosed")
    path.write_text("\n".join(lines))
    with pytest.raises(PolicyError, match=r"routing.yaml:line \d+"):
        load_policy(policy_copy)


def test_unknown_queue_in_routing_is_refused(policy_copy: Path) -> None:
    path = policy_copy / "routing.yaml"
    path.write_text(path.read_text().replace("  spam: integrity", "  spam: no_such_queue"))
    with pytest.raises(PolicyError, match="no_such_queue") as exc:
        load_policy(policy_copy)
    assert "line" in str(exc.value)


def test_missing_field_is_refused_with_its_location(policy_copy: Path) -> None:
    path = policy_copy / "taxonomy.yaml"
    path.write_text(path.read_text().replace("version:", "versionx:", 1))
    with pytest.raises(PolicyError, match="version"):
        load_policy(policy_copy)


def _route(router: Router, **kw: str | None) -> object:
    args = {"category": "spam", "risk": "low", "channel": "in_app_report", "reporter_type": "user",
            "language": "en", "region": "US", "received_at": T0}
    args.update(kw)
    return router.route(**args)  # type: ignore[arg-type]


def test_router_is_deterministic_and_partners_get_tighter_slas() -> None:
    router = Router(load_policy(POLICY))
    user = _route(router, category="child_safety", risk="critical")
    partner = _route(router, category="child_safety", risk="critical", reporter_type="trusted_flagger")
    police = _route(router, category="child_safety", risk="critical", reporter_type="law_enforcement")
    assert user.queue == partner.queue == "child_safety"  # type: ignore[attr-defined]
    assert partner.sla_due_at < user.sla_due_at  # type: ignore[attr-defined]
    assert police.sla_minutes <= partner.sla_minutes  # type: ignore[attr-defined]
    assert partner.reporter_class == "partner"  # type: ignore[attr-defined]
    assert _route(router) == _route(router)


def test_routing_rules_use_region_and_reporter() -> None:
    router = Router(load_policy(POLICY))
    de = _route(router, category="hate_speech", risk="medium", region="de")
    assert de.queue == "hate_harassment_de" and de.rule  # type: ignore[attr-defined]
    legal = _route(router, category="legal_request", risk="medium", reporter_type="government")
    assert legal.queue == "legal_requests"  # type: ignore[attr-defined]
    ngo_spam = _route(router, category="spam", risk="low", reporter_type="ngo")
    assert ngo_spam.queue == "partner_escalations"  # type: ignore[attr-defined]
