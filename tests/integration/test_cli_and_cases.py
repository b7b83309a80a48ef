"""The CLI end to end, and the case import: batches, resumable, duplicates skipped."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from alembic import command as migrations
from sqlalchemy import text
from typer.testing import CliRunner

from tests.conftest import SEED_FILE, settings_for
from triage.cli import app
from triage.db.session import alembic_config
from triage.services.cases import FieldMap, export_cases, import_cases, read_rows


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRIAGE_DATABASE__URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("TRIAGE_QDRANT__PATH", str(tmp_path / "qdrant"))
    monkeypatch.setenv("TRIAGE_ENVIRONMENT", "test")
    return tmp_path


def test_help_explains_every_command() -> None:
    runner = CliRunner()
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    for command in ("serve", "classify", "reprocess", "cases", "keys", "db", "eval"):
        assert command in top.output
    imp = runner.invoke(app, ["cases", "import", "--help"])
    assert imp.exit_code == 0 and "--map" in imp.output and "Resumable" in imp.output


@pytest.mark.slow
def test_cli_round_trip(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    small = env / "cases.csv"
    with small.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ref", "msg", "label", "risk", "lang"])
        w.writerow(["1", "I forgot my password and cannot log in", "account_access", "low", "en"])
        w.writerow(["2", "Adult asking 12 year olds for nude pictures", "child_safety", "critical", "en"])
        w.writerow(["3", "Fake crypto giveaway, send 1 BTC get 2 back", "scam_fraud", "medium", "en"])
        w.writerow(["3", "Fake crypto giveaway, send 1 BTC get 2 back", "scam_fraud", "medium", "en"])  # dup
        w.writerow(["4", "", "spam", "low", "en"])  # invalid: no text
    r = runner.invoke(app, ["cases", "import", str(small), "--map", "text=msg", "--map", "category=label",
                            "--map", "language=lang", "--map", "id=ref", "--source", "csvtest"])
    assert r.exit_code == 0, r.output
    assert "imported" in r.output
    again = runner.invoke(app, ["cases", "import", str(small), "--map", "text=msg", "--map", "category=label",
                                "--map", "id=ref", "--source", "csvtest"])
    assert again.exit_code == 0

    key_run = runner.invoke(app, ["keys", "create", "--role", "service", "--name", "cli-test"])
    assert key_run.exit_code == 0
    assert key_run.output.strip().splitlines()[-1].startswith("trg_")
    bad_role = runner.invoke(app, ["keys", "create", "--role", "wizard", "--name", "x"])
    assert bad_role.exit_code != 0

    tickets = env / "tickets.jsonl"
    tickets.write_text(json.dumps({"id": "t1", "body": "I can't log in, password reset never arrives"}) + "\n"
                       + json.dumps({"id": "t2", "body": "he sends nude pictures requests to 12 year olds"}) + "\n")
    out = env / "decisions.jsonl"
    r = runner.invoke(app, ["classify", str(tickets), "--out", str(out)])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["external_id"] for row in rows] == ["t1", "t2"]
    assert rows[1]["risk"]["level"] == "critical"

    exported = runner.invoke(app, ["cases", "export"])
    assert exported.exit_code == 0
    lines = [json.loads(line) for line in exported.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 3 and {row["category"] for row in lines} == {"account_access", "child_safety", "scam_fraud"}
    assert runner.invoke(app, ["reprocess"]).exit_code == 0


def test_import_is_batched_resumable_and_skips_duplicates(tmp_path: Path, make_components) -> None:
    comps = make_components(settings_for(tmp_path))
    rows = list(read_rows(SEED_FILE))
    half = rows[: len(rows) // 2]
    progress: list[int] = []
    first = import_cases(half, fields=FieldMap(), store=comps.store, embedder=comps.embedder,
                         sessions=comps.sessions, source="seed", batch_size=50, on_progress=progress.append)
    assert first.imported == len(half) and sum(progress) == len(half) and max(progress) <= 50
    # an "interrupted" import re-run over the whole file only adds the rest
    second = import_cases(rows + rows[:5], fields=FieldMap(), store=comps.store, embedder=comps.embedder,
                          sessions=comps.sessions, source="seed", batch_size=50)
    assert second.imported == len(rows) - len(half)
    assert second.skipped_duplicates == len(half) + 5
    assert comps.store.count() == len(rows)
    hits = comps.store.search(comps.embedder.embed(["sextortion of a teenager"])[0], limit=3,
                              filters={"category": "child_safety"})
    assert hits and all(h.case.category == "child_safety" for h in hits)
    es = comps.store.search(comps.embedder.embed(["no puedo entrar a mi cuenta"])[0], limit=3,
                            filters={"language": "es"})
    assert es and all(h.case.language == "es" for h in es)


def test_a_row_without_a_category_is_stored_exported_and_a_downgrade_that_cannot_hold_it_refuses(
    tmp_path: Path, db_url: str, make_components
) -> None:
    """A partially labelled row (no category, the categories it leaves open in `unknown`) on SQLite and PostgreSQL:
    imported with no category and no risk, exported as it came; the schema before 0008 cannot hold it, so a
    downgrade refuses instead of dropping it."""
    comps = make_components(settings_for(tmp_path, db_url))
    rows = [{"id": "p1", "text": "a post whose labels say only: not violent", "unknown": "hate_speech,no_violation"},
            {"id": "l1", "text": "buy followers cheap, dm me", "category": "spam"}]
    report = import_cases(rows, fields=FieldMap(), store=comps.store, embedder=comps.embedder,
                          sessions=comps.sessions, source="import")
    assert report.imported == 2 and report.invalid == 0
    with comps.sessions() as session:
        exported = {r["key"]: r for r in export_cases(session)}
    assert exported["import:p1"]["category"] is None and exported["import:p1"]["risk"] is None
    assert exported["import:p1"]["unknown"] == ["hate_speech", "no_violation"]
    assert exported["import:l1"]["category"] == "spam" and exported["import:l1"]["risk"] == "low"
    comps.close()
    cfg = alembic_config(db_url)
    with pytest.raises(RuntimeError, match="1 cases have no category"):
        migrations.downgrade(cfg, "0007_case_unknown")
    engine = comps.engine
    with engine.begin() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM cases WHERE category IS NULL")).scalar_one() == 1
        conn.execute(text("DELETE FROM cases WHERE category IS NULL"))
    migrations.downgrade(cfg, "0007_case_unknown")
    migrations.upgrade(cfg, "head")


def test_a_bad_policy_file_stops_start_up_naming_the_line(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    import subprocess
    import sys

    from triage.config import PROJECT_ROOT

    policy = env / "policy"
    shutil.copytree(PROJECT_ROOT / "policy", policy)
    text = (policy / "taxonomy.yaml").read_text().replace("floor: high", "floor: severe", 1)
    (policy / "taxonomy.yaml").write_text(text)
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if "floor: severe" in ln)
    monkeypatch.setenv("TRIAGE_POLICY_DIR", str(policy))
    r = subprocess.run([sys.executable, "-m", "triage.cli", "reprocess"], capture_output=True, text=True,
                       timeout=120, env={**__import__("os").environ})
    assert r.returncode == 2
    assert "taxonomy.yaml" in r.stderr and "severe" in r.stderr and f"line {line}" in r.stderr
    assert "Traceback" not in r.stderr


def test_cases_validate_exits_0_when_clean_and_1_on_any_problem(tmp_path: Path) -> None:
    runner = CliRunner()
    assert "validate" in runner.invoke(app, ["cases", "--help"]).output
    clean = runner.invoke(app, ["cases", "validate", str(SEED_FILE)], env={"COLUMNS": "200"})
    assert clean.exit_code == 0, clean.output
    assert "no problems" in clean.output and "cases by category" in clean.output
    assert "child_safety" in clean.output and "critical" in clean.output

    rows = [json.loads(line) for line in SEED_FILE.read_text(encoding="utf-8").splitlines()[:3]]
    assert rows[1]["category"] == "hate_speech"
    rows[1]["risk"] = "low"  # below the floor of its category (hate_speech: medium)
    rows[2]["channel"] = "fax"
    own = tmp_path / "own.jsonl"
    own.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    bad = runner.invoke(app, ["cases", "validate", str(own)], env={"COLUMNS": "200"})
    assert bad.exit_code == 1
    assert "2 problem(s)" in bad.output and "'fax'" in bad.output

    from triage.config import PROJECT_ROOT

    policy = tmp_path / "policy"
    policy.mkdir()
    for name in ("taxonomy.yaml", "routing.yaml"):
        (policy / name).write_text((PROJECT_ROOT / "policy" / name).read_text())
    with_policy = runner.invoke(app, ["cases", "validate", str(SEED_FILE), "--policy-dir", str(policy)])
    assert with_policy.exit_code == 0, with_policy.output

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x"\n')
    assert runner.invoke(app, ["cases", "validate", str(broken)]).exit_code == 1

    # an import file with its own field names, checked as `triage cases import --map ...` will read it
    export = tmp_path / "export.csv"
    export.write_text("ref,msg,label\nr1,Someone keeps reposting my videos as their own.,intellectual_property\n"
                      "r2,Spam links under every video I post.,spam\n", encoding="utf-8")
    as_import = ["cases", "validate", str(export), "--map", "text=msg", "--map", "category=label", "--map", "id=ref"]
    ok = runner.invoke(app, as_import, env={"COLUMNS": "200"})
    assert ok.exit_code == 0, ok.output
    assert "2 case(s) in export.csv" in ok.output and "no problems" in ok.output
    export.write_text(export.read_text() + "r3,He said he would hurt me tomorrow.,threats\n", encoding="utf-8")
    typo = runner.invoke(app, as_import, env={"COLUMNS": "200"})
    assert typo.exit_code == 1
    assert "1 problem(s)" in typo.output and "'threats' is not a category of the taxonomy" in typo.output
    # --import without a map reads the fields of the target's name: this file has no `text`, the import refuses it
    unmapped = runner.invoke(app, ["cases", "validate", str(export), "--import"], env={"COLUMNS": "200"})
    assert unmapped.exit_code == 1 and "3 problem(s)" in unmapped.output and "row has no text" in unmapped.output
