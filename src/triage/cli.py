"""The `triage` command line. Run `triage --help`, or `triage COMMAND --help` for any command."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from triage.config import Settings, get_settings
from triage.evals.cli import eval_app
from triage.logs import configure_logging
from triage.models_cli import model_app, train_model

app = typer.Typer(
    name="triage",
    help="LLM-assisted ticket triage for trust-and-safety operations.\n\n"
    "Configuration comes from TRIAGE_* environment variables (see README: Configuration).",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
cases_app = typer.Typer(help="The case memory: past cases the classifier and drafter learn from.",
                        no_args_is_help=True)
keys_app = typer.Typer(help="API keys (stored hashed; the plain key is shown once).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(cases_app, name="cases")
app.add_typer(keys_app, name="keys")
app.add_typer(eval_app, name="eval")
app.add_typer(model_app, name="model")

console = Console(stderr=True)
out = Console()


def _settings() -> Settings:
    settings = get_settings()
    configure_logging(settings.log_level if settings.log_level != "INFO" else "WARNING", json=False)
    return settings


def _progress() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), console=console)


def _count_rows(path: Path) -> int:
    with path.open("rb") as fh:
        n = sum(1 for line in fh if line.strip())
    return n - 1 if path.suffix.lower() == ".csv" else n


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the newest version (idempotent)."""
    from triage.db.session import create_db_engine, upgrade_database

    settings = _settings()
    engine = create_db_engine(settings.database.url)
    upgrade_database(engine)
    engine.dispose()
    console.print(f"[green]database is up to date[/] ({engine.url.render_as_string(hide_password=True)})")


def _import_into(comps: Any, file: Path, maps: list[str], source: str, batch_size: int) -> dict[str, int]:
    from triage.services.cases import FieldMap, import_cases, read_rows

    fields = FieldMap.parse(maps)
    with _progress() as progress:
        task = progress.add_task(f"importing {file.name}", total=_count_rows(file))
        report = import_cases(
            read_rows(file), fields=fields, store=comps.store, embedder=comps.embedder,
            sessions=comps.sessions, source=source, batch_size=batch_size,
            on_progress=lambda n: progress.advance(task, n), detector=comps.pipeline.language_detector,
            floors=comps.policy.floors,
        )
    return report.as_dict() | {"cases_in_store": comps.store.count()}


def _import(settings: Settings, file: Path, maps: list[str], source: str, batch_size: int) -> dict[str, int]:
    from triage.components import build_components

    comps = build_components(settings, seed=False)  # an import into an empty memory is not mixed with the seed
    try:
        report = _import_into(comps, file, maps, source, batch_size)
        if report.get("imported"):  # a bulk import is followed by a full retrain (`triage model train`)
            with _progress() as progress:
                train_model(settings, store=comps.store, embedder=comps.embedder, progress=progress)
        return report
    finally:
        comps.close()


@cases_app.command("import")
def cases_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL or CSV file of labelled cases")],
    map_: Annotated[list[str] | None, typer.Option("--map", help="target=source, e.g. --map text=body --map "
                                            "category=label; a template works too: --map "
                                            "'text={subject}\\n\\n{body}'. Targets: text, category, risk, "
                                            "language, queue, channel, reporter_type, final_reply, outcome, "
                                            "status, id. Unmapped targets read the field of the same name.")] = None,
    source: Annotated[str, typer.Option(help="a name for where these cases come from")] = "import",
    batch_size: Annotated[int, typer.Option(min=1, help="cases embedded and written per batch (one batch is "
                                            "embedded while the previous one is written)")] = 256,
) -> None:
    """Import past cases in batches, with a progress bar. Resumable: re-running skips what is stored."""
    settings = _settings()
    report = _import(settings, file, map_ or [], source, batch_size)
    table = Table(title="import")
    for k in report:
        table.add_column(k)
    table.add_row(*(str(v) for v in report.values()))
    console.print(table)


@cases_app.command("migrate-store")
def cases_migrate_store(
    from_path: Annotated[Path | None, typer.Option("--from", file_okay=False, help="the local-mode store "
                                                   "directory (default: TRIAGE_QDRANT__PATH)")] = None,
    optimise: Annotated[bool, typer.Option(help="build the HNSW index before returning, so the next start "
                                           "serves indexed searches at once (minutes at 1M cases)")] = True,
) -> None:
    """Move the case memory from qdrant-client's local mode into the embedded edge engine, with a progress bar.

    `triage serve` does this by itself on its first start (without a progress bar); run it beforehand on a
    large store. Resumable: an interrupted run is finished by running it again, cases already copied are
    skipped. The old files are left untouched. Stop the service first: both stores are one-process only.
    """
    from triage.adapters.edge_store import EdgeCaseStore
    from triage.adapters.store_migration import local_store_dimension, local_store_points, migrate_on_first_start
    from triage.components import edge_store_path

    settings = _settings()
    q = settings.qdrant
    if q.url or q.engine != "edge":
        raise typer.BadParameter("the target is the embedded edge engine: unset TRIAGE_QDRANT__URL and keep "
                                 "TRIAGE_QDRANT__ENGINE=edge", param_hint="TRIAGE_QDRANT__*")
    source = from_path or Path(q.path)
    total = local_store_points(source, q.collection)
    dimension = local_store_dimension(source, q.collection)
    if not total or dimension is None:
        console.print(f"no local-mode collection {q.collection!r} with cases at {source}: nothing to migrate")
        return
    # no background optimiser: the index is built here, in the foreground, before the command returns
    store = EdgeCaseStore(edge_store_path(settings), dimension=dimension, collection=q.collection, background=False)
    try:
        with _progress() as progress:
            task = progress.add_task(f"migrating {q.collection}", total=total)
            copied = migrate_on_first_start(source, q.collection, store, force=True, optimise=False,
                                            on_progress=lambda n: progress.update(task, completed=n))
        if optimise:
            with console.status("building the index (HNSW) of the edge store"):
                store.optimize(wait=True)
        console.print(f"copied {copied} case(s) from {source}; the edge store at {store.path} holds "
                      f"{store.count()}")
    finally:
        store.close()


@cases_app.command("detect-languages")
def cases_detect_languages() -> None:
    """Give every case that records no language the detected one, with a progress bar.

    Cases imported before imports detected the language carry none, and the language check
    (TRIAGE_CLASSIFIER__MIN_CASES_PER_LANGUAGE: a ticket in a language the memory holds too few cases of gets at
    least `high` and a person) stays off while fewer than half the memory records one. Idempotent; vectors are
    kept. Stop the service first when the store is the embedded one (one process at a time).
    """
    from triage.components import build_components
    from triage.services.cases import detect_case_languages

    settings = _settings()
    comps = build_components(settings, seed=False)
    try:
        total = comps.store.count()
        with _progress() as progress:
            task = progress.add_task("detecting languages", total=total)
            changed = detect_case_languages(store=comps.store, sessions=comps.sessions,
                                            detector=comps.pipeline.language_detector,
                                            on_progress=lambda n: progress.advance(task, n))
        console.print(f"{changed} case(s) got a detected language; "
                      f"/readyz lists the memory's languages ({total} cases)")
    finally:
        comps.close()


@cases_app.command("export")
def cases_export(
    reviewed: Annotated[bool, typer.Option("--reviewed", help="only cases that came from reviewed tickets")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="write here instead of stdout")] = None,
) -> None:
    """Write the case memory as JSONL (an eval dataset as-is)."""
    from triage.db.session import create_db_engine, make_session_factory, upgrade_database
    from triage.services.cases import export_cases

    settings = _settings()
    engine = create_db_engine(settings.database.url)
    upgrade_database(engine)
    n = 0
    with make_session_factory(engine)() as session:
        fh = out_file.open("w", encoding="utf-8") if out_file else sys.stdout
        try:
            for row in export_cases(session, reviewed_only=reviewed):
                fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
                n += 1
        finally:
            if out_file:
                fh.close()
    engine.dispose()
    console.print(f"exported {n} case(s)")


@cases_app.command("validate")
def cases_validate(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help="JSONL or CSV file of labelled cases (fields: seed/README.md)")],
    policy_dir: Annotated[Path | None, typer.Option(exists=True, file_okay=False, help="the policy to check "
                                                    "against (default: TRIAGE_POLICY_DIR)")] = None,
    as_import: Annotated[bool, typer.Option("--import", help="check the file as `triage cases import` reads it "
                                            "(any field names, see --map) instead of as seed-format rows")] = False,
    map_: Annotated[list[str] | None, typer.Option("--map", help="as for `triage cases import` (implies --import): "
                                                   "target=source or a template, e.g. --map text=body --map "
                                                   "category=label")] = None,
    source: Annotated[str, typer.Option(help="with --import: the --source the import will be given (ids are "
                                        "per source)")] = "import",
) -> None:
    """Check labelled cases against the policy; print problems and coverage. Exit 1 on any problem.

    Seed-format rows (seed/README.md): checks each row's fields, that category, risk floor and queue agree with
    the policy (the queue is the one the router gives), and that no id or text repeats. The bundled
    seed/cases.jsonl must also keep ids seed-NNNN in order, every key in order, and links to example domains only.

    An import file (--import, or any --map): each row as the import reads it. Reports rows the import would refuse
    (no text; no category), labels the policy lacks (category, also, unknown, risk, queue), a risk below the
    category's floor, and rows it would skip as repeats. Run it with the --map you will import with, before
    importing: a mistyped label would otherwise enter the memory as a category no decision can take.
    """
    from rich.columns import Columns
    from rich.text import Text

    from triage.domain.policy import load_policy
    from triage.errors import InvalidTicket
    from triage.services.case_validation import (
        BUNDLED_SEED_FILE,
        count_cases_by,
        validate_cases,
        validate_import_rows,
    )
    from triage.services.cases import FieldMap, read_numbered_rows

    policy = load_policy(policy_dir or _settings().policy_dir)
    try:
        fields = FieldMap.parse(map_ or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--map") from exc
    try:
        numbered = list(read_numbered_rows(file))
    except InvalidTicket as exc:
        console.print(f"[red]error:[/] {exc.detail}", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from exc
    if as_import or map_:
        problems = validate_import_rows(numbered, fields, policy, source=source)
        # the coverage tables count the labels as the import reads them
        names = ("category", "language", "risk")
        rows = [{name: fields.value(dict(row), name) for name in names} if isinstance(row, dict) else row
                for _, row in numbered]
    else:
        problems = validate_cases(numbered, policy, bundled_seed=file.resolve() == BUNDLED_SEED_FILE.resolve())
        rows = [row for _, row in numbered]
    coverage = []
    for field, order in (("category", policy.categories), ("language", []), ("risk", policy.risk_order)):
        counts = count_cases_by(rows, field)
        table = Table(title=f"cases by {field}")
        table.add_column(field)
        table.add_column("cases", justify="right")
        for value in [*order, *(v for v, _ in counts.most_common() if v not in order)]:
            table.add_row(Text(value), str(counts[value]))  # Text: values from the file are not markup
        coverage.append(table)
    out.print(Columns(coverage))
    if problems:
        table = Table(title=f"{len(problems)} problem(s)")
        for col in ("line", "id", "field", "message"):
            table.add_column(col, overflow="fold")
        for p in problems:
            table.add_row(str(p.line), Text(p.id), Text(p.field), Text(p.message))
        out.print(table)
    cases = f"{len(rows)} case(s) in {file.name}, policy {policy.version}"
    bad = len({p.line for p in problems})
    out.print(Text(f"{cases}: {bad} with problems" if problems else f"{cases}: no problems",
                   style="red" if problems else "green"), soft_wrap=True)
    raise typer.Exit(1 if problems else 0)


def _create_key(settings: Settings, role: str, name: str) -> str:
    from triage.db.session import create_db_engine, make_session_factory, upgrade_database
    from triage.services.keys import Role, create_key

    engine = create_db_engine(settings.database.url)
    upgrade_database(engine)
    with make_session_factory(engine).begin() as session:
        _, plain = create_key(session, role=Role(role), name=name)
    engine.dispose()
    return plain


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="service (submits tickets), reviewer, analyst or admin")],
    name: Annotated[str, typer.Option(help="who or what uses the key")],
) -> None:
    """Create an API key and print it as the last line (it is not shown again)."""
    from triage.services.keys import Role

    if role not in Role.__members__:
        raise typer.BadParameter(f"role must be one of {', '.join(Role.__members__)}", param_hint="--role")
    plain = _create_key(_settings(), role, name)
    console.print(f"created a {role} key for {name!r}; store it now, it is not shown again:")
    out.print(plain, soft_wrap=True)


@app.command()
def reprocess(
    ticket: Annotated[list[str] | None, typer.Option(help="a ticket id; repeat for several")] = None,
    redecide: Annotated[bool, typer.Option(help="add a new decision version even if one exists")] = False,
) -> None:
    """Complete tickets that were persisted but never decided (e.g. after a crash)."""
    from triage.components import build_components
    from triage.services.tickets import pending_ticket_ids, reprocess_pending

    settings = _settings()
    comps = build_components(settings)
    try:
        ids = list(ticket or []) or pending_ticket_ids(comps.sessions)
        with _progress() as progress:
            task = progress.add_task("deciding", total=len(ids))
            done = asyncio.run(reprocess_pending(sessions=comps.sessions, pipeline=comps.pipeline, ticket_ids=ids,
                                                 redecide=redecide,
                                                 on_progress=lambda n: progress.advance(task, n)))
        console.print(f"decided {done} of {len(ids)} ticket(s)")
    finally:
        comps.close()


@app.command()
def classify(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help="JSONL or CSV of tickets (fields as in POST /v1/tickets)")],
    out_file: Annotated[Path | None, typer.Option("--out", help="write decisions as JSONL here")] = None,
    channel: Annotated[str, typer.Option(help="channel for rows that have none")] = "api",
    reporter: Annotated[str, typer.Option(help="reporter type for rows that have none")] = "user",
) -> None:
    """Triage a file of tickets without the server (persisted like any ticket, client 'cli')."""
    from triage.components import build_components
    from triage.domain.tickets import TicketIn
    from triage.services.cases import read_rows
    from triage.services.tickets import decision_out, submit_tickets

    settings = _settings()
    comps = build_components(settings)
    rows = list(read_rows(file))
    tickets: list[TicketIn] = []
    for row in rows:
        body = row.get("body") or row.get("text") or ""
        ext = str(row.get("external_id") or row.get("id") or hashlib.sha256(body.encode()).hexdigest()[:24])
        reporter_field = row.get("reporter") if isinstance(row.get("reporter"), dict) else {"type": reporter}
        tickets.append(TicketIn.model_validate({
            "external_id": ext, "channel": row.get("channel") or channel, "reporter": reporter_field,
            "subject": row.get("subject") or "", "body": body, "language": row.get("language"),
            "region": row.get("region"),
        }))
    results: list[dict[str, Any]] = []
    try:
        with _progress() as progress:
            task = progress.add_task("classifying", total=len(tickets))
            for start in range(0, len(tickets), 32):
                chunk = tickets[start:start + 32]
                subs = asyncio.run(submit_tickets(
                    sessions=comps.sessions, pipeline=comps.pipeline,
                    max_chars=comps.settings.limits.max_text_chars, client_id="cli", tickets=chunk))
                for t, sub in zip(chunk, subs, strict=True):
                    if isinstance(sub, Exception) or sub.decision is None:
                        results.append({"external_id": t.external_id, "error": str(sub)})
                    else:
                        results.append({"external_id": t.external_id, "ticket_id": sub.ticket.id,
                                        **decision_out(sub.decision).model_dump(mode="json")})
                progress.advance(task, len(chunk))
    finally:
        comps.close()
    if out_file:
        with out_file.open("w", encoding="utf-8") as fh:
            for r in results:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    table = Table(title=f"{len(results)} decision(s)")
    for col in ("external_id", "category", "conf", "risk", "queue", "human", "path"):
        table.add_column(col)
    for r in results[:50]:
        if "error" in r:
            table.add_row(r["external_id"], "[red]error[/]", "", "", "", "", r["error"][:40])
            continue
        table.add_row(r["external_id"], r["category"]["label"], f"{r['category']['confidence']:.2f}",
                      r["risk"]["level"], r["queue"], "yes" if r["needs_human"] else "no", r["path"])
    out.print(table)


def _switch_memory_once(settings: Settings) -> None:
    """Before several workers start: open the memory once in this process, so that a change of embedding model is
    re-embedded (and the alias moved) by one process, not by each worker at once; the workers then find the
    collection of their model in use."""
    from triage.components import load_embedder, open_memory

    _, store = open_memory(settings, load_embedder(settings))
    store.close()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address (default TRIAGE_HOST or 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default TRIAGE_PORT or 8000)")] = None,
    demo: Annotated[bool, typer.Option(help="also create and print a demo service key (the bundled seed cases "
                                       "are loaded into an empty memory with or without --demo, unless "
                                       "TRIAGE_SEED__ON_EMPTY=false)")] = False,
    workers: Annotated[int, typer.Option(min=1, help="uvicorn worker processes; more than 1 needs PostgreSQL "
                                         "(TRIAGE_DATABASE__URL) and a Qdrant server (TRIAGE_QDRANT__URL): the "
                                         "embedded store and SQLite are opened by one process only")] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs, Prometheus metrics at /metrics).

    SIGTERM or Ctrl-C stops accepting connections, lets requests in flight finish for at most
    TRIAGE_SHUTDOWN__GRACE_S seconds, then closes the LLM client and the case store; a ticket persisted but
    not decided by then is decided at the next start-up.
    """
    import uvicorn

    from triage.app import create_app
    from triage.deployment import multi_process_problems

    settings = _settings()
    problems = multi_process_problems(settings, workers)
    if problems:
        raise typer.BadParameter(f"{workers} workers cannot share this configuration: " + "; ".join(problems)
                                 + ". Run one worker, or move to PostgreSQL and a Qdrant server.",
                                 param_hint="--workers")
    comps = None
    if demo:
        from triage.components import build_components

        comps = build_components(settings)
        console.print(f"case memory: {comps.store.count()} cases")
        key = _create_key(settings, "service", "demo")
        console.print("demo service key (use as: curl -H \"Authorization: Bearer $KEY\" ...):")
        out.print(key, soft_wrap=True)
    configure_logging(settings.log_level, json=settings.log_json)
    if workers > 1:
        if comps is not None:
            comps.close()
        else:
            _switch_memory_once(settings)
        uvicorn.run("triage.app:app_from_env", factory=True, host=host or settings.host,
                    port=port or settings.port, workers=workers, log_config=None,
                    timeout_graceful_shutdown=settings.shutdown.grace_s)
        return
    try:
        uvicorn.run(create_app(settings, components=comps), host=host or settings.host,
                    port=port or settings.port, log_config=None, timeout_graceful_shutdown=settings.shutdown.grace_s)
    finally:
        if comps is not None:
            comps.close()


def main() -> None:
    from triage.errors import TriageError

    logging.captureWarnings(True)
    try:
        app(standalone_mode=True)
    except TriageError as exc:  # a bad policy file, an unreachable store...: say what, not a traceback
        console.print(f"[red]error:[/] {exc.detail}", soft_wrap=True, highlight=False)
        raise SystemExit(2) from exc


if __name__ == "__main__":
    main()
