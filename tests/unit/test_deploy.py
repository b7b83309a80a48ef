"""deploy/: the compose file against the Compose specification's JSON schema (there is no container engine on
these machines to run it), and the files it names, Prometheus' targets and the Grafana dashboard checked
against the service they describe."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import jsonschema
import pytest
import yaml

from triage.config import PROJECT_ROOT, Settings

DEPLOY = PROJECT_ROOT / "deploy"
#: PromQL words that are not metric names (tests/llm/test_llm_telemetry.py checks the rest are exported)
PROMQL_FUNCTIONS = {"sum", "rate", "increase", "histogram_quantile", "max", "topk"}


def compose_schema() -> dict[str, Any]:
    """The Compose specification's schema as check-jsonschema vendors it (kept up to date by that project)."""
    text = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text()
    return json.loads(text)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_compose_file_is_valid_against_the_compose_spec(compose: dict[str, Any]) -> None:
    schema = compose_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors]
    # the check can fail: a misspelt key is refused by the same schema
    broken = {**compose, "services": {**compose["services"], "triage": {**compose["services"]["triage"],
                                                                         "stop_grace_periode": "30s"}}}
    assert list(validator.iter_errors(broken))


def test_compose_has_the_production_shape(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"triage", "postgres", "qdrant", "prometheus"} <= set(services)
    triage = services["triage"]
    env = triage["environment"]
    assert env["TRIAGE_DATABASE__URL"].startswith("postgresql+psycopg://") and "@postgres:5432/" in env[
        "TRIAGE_DATABASE__URL"]
    assert env["TRIAGE_QDRANT__URL"] == "http://qdrant:6333"
    assert "--demo" not in triage["command"] and env["TRIAGE_ENVIRONMENT"] == "production"
    # every TRIAGE_ variable names a setting (a typo would be silently ignored by pydantic-settings)
    for name in env:
        if name.startswith("TRIAGE_"):
            parts = name.removeprefix("TRIAGE_").lower().split("__")
            model: Any = Settings
            for part in parts:
                assert part in model.model_fields, name
                model = model.model_fields[part].annotation
    # the engine's stop timeout leaves room for the app's own grace period
    grace = int(env["TRIAGE_SHUTDOWN__GRACE_S"])
    assert int(triage["stop_grace_period"].removesuffix("s")) > grace
    assert triage["depends_on"]["postgres"]["condition"] == "service_healthy"
    # every file mounted from the repository exists
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).resolve().exists(), (name, source)
        build = service.get("build")
        if build:
            assert (DEPLOY / build["context"] / build["dockerfile"]).exists()


def test_prometheus_scrapes_the_triage_service(compose: dict[str, Any]) -> None:
    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text(encoding="utf-8"))
    [job] = [j for j in config["scrape_configs"] if j["job_name"] == "triage"]
    assert job["metrics_path"] == "/metrics"
    [target] = job["static_configs"][0]["targets"]
    host, port = target.split(":")
    assert host in compose["services"]
    assert compose["services"][host]["environment"]["TRIAGE_PORT"] == port


def dashboard_metrics() -> set[str]:
    """The metric families the dashboard's queries read (histogram/counter suffixes removed)."""
    dashboard = json.loads((DEPLOY / "grafana-dashboard.json").read_text(encoding="utf-8"))
    names: set[str] = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            expr = re.sub(r"\bby\s*\([^)]*\)", "", target["expr"])  # grouping labels are not metrics
            for token in re.findall(r"[a-z_][a-z0-9_]*(?=\s*[{\[)])", expr):
                if token not in PROMQL_FUNCTIONS:
                    names.add(re.sub(r"_(bucket|sum|count|total)$", "", token))
    return names


def test_grafana_dashboard_is_well_formed() -> None:
    dashboard = json.loads((DEPLOY / "grafana-dashboard.json").read_text(encoding="utf-8"))
    datasources = yaml.safe_load((DEPLOY / "grafana-datasource.yaml").read_text(encoding="utf-8"))
    uid = datasources["datasources"][0]["uid"]
    assert dashboard["uid"] and dashboard["title"] and isinstance(dashboard["schemaVersion"], int)
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    titles = " ".join(p["title"].lower() for p in dashboard["panels"])
    for topic in ("sla", "path mix", "latency", "llm cost"):
        assert topic in titles, topic
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == uid
        assert panel["targets"] and all(t["expr"].strip() for t in panel["targets"])
        grid = panel["gridPos"]
        assert 0 <= grid["x"] and grid["x"] + grid["w"] <= 24
    assert {"triage_review_past_sla", "triage_decisions", "http_request_duration_seconds",
            "triage_llm_cost_usd"} <= dashboard_metrics()
