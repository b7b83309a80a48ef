"""`triage eval ...` commands: run a suite, compare two runs."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

eval_app = typer.Typer(help="Offline eval suites: run a suite, compare two runs.", no_args_is_help=True)

console = Console(stderr=True)
out = Console()


@eval_app.command("run")
def run(
    suite_file: Annotated[Path, typer.Argument(help="a suite YAML, e.g. evals/suites/hatexplain.yaml")],
    out_dir: Annotated[Path, typer.Option("--out", help="run directory (resumed when it holds the same run)")],
    mode: Annotated[str, typer.Option(help="local | llm | cascade")] = "local",
    batch_size: Annotated[int, typer.Option(min=1, max=512, help="tickets per pipeline batch")] = 32,
    limit: Annotated[int | None, typer.Option(min=1, help="score only the first N examples")] = None,
    llm_cache: Annotated[Path | None, typer.Option(help="LLM response cache (JSONL); default OUT/llm-cache.jsonl")]
    = None,
    fail_on_gates: Annotated[bool, typer.Option(help="exit 1 when a suite threshold is not met")] = False,
    finetune: Annotated[bool, typer.Option(help="fine-tune the embedder on each fold's memory first (OUT/models/), "
                                           "within TRIAGE_FINETUNE__BUDGET_MINUTES per fold; compare with a run "
                                           "without it (`triage eval compare`)")] = False,
    budget_minutes: Annotated[float | None, typer.Option(min=0.01, help="--finetune: the budget per fold (default "
                                                         "TRIAGE_FINETUNE__BUDGET_MINUTES)")] = None,
) -> None:
    """Score a suite with the service's own pipeline on an isolated case store; write results and reports."""
    from triage.components import load_embedder
    from triage.config import get_settings
    from triage.evals.report import summary_rows
    from triage.evals.runner import run_suite
    from triage.evals.suites import load_suite
    from triage.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level if settings.log_level != "INFO" else "WARNING", json=False)
    suite = load_suite(suite_file)
    options = None
    if finetune:
        from triage.adapters.embedder_training import FinetuneOptions

        options = FinetuneOptions.from_settings(settings.finetune, budget_minutes=budget_minutes)
    elif budget_minutes is not None:
        raise typer.BadParameter("--budget-minutes goes with --finetune", param_hint="--budget-minutes")
    started = time.perf_counter()
    console.print(f"[bold]{suite.name}[/]: loading the embedding model …")
    embedder = load_embedder(settings)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=console) as progress:
        task = progress.add_task(f"{suite.name}: scoring", total=None)

        def on_progress(stage: str, done: int, total: int) -> None:
            progress.update(task, description=f"{suite.name}: {stage}", completed=done, total=total)

        results = asyncio.run(run_suite(suite, out_dir=out_dir, settings=settings, embedder=embedder, mode=mode,
                                        batch_size=batch_size, limit=limit, llm_cache=llm_cache,
                                        progress=on_progress, finetune=options))
    title = f"{suite.name} · {mode}{' · fine-tuned' if finetune else ''} · {time.perf_counter() - started:.1f} s"
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in summary_rows(results):
        table.add_row(key, value)
    out.print(table)
    console.print(f"reports: {out_dir / 'report.html'}, {out_dir / 'report.md'}, {out_dir / 'results.json'}")
    failed = [k for k, g in results["gates"].items() if not g["passed"]]
    if failed:
        console.print(f"[red]gates not met:[/] {', '.join(failed)}")
        if fail_on_gates:
            raise typer.Exit(1)


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def _moved(m: dict[str, Any]) -> bool:
    return bool(m["worse"] or m["improvement"])


def _metric_table(title: str, metrics: dict[str, dict[str, Any]]) -> Table:
    table = Table(title=title)
    for col in ("metric", "A", "B", "Δ (B−A)", "95% CI", "verdict"):
        table.add_column(col, justify="left" if col in ("metric", "verdict") else "right")
    for key, m in metrics.items():
        if m["regression"]:
            verdict = "[red]REGRESSION[/]"
        elif m["improvement"]:
            verdict = "[green]better[/]"
        else:
            verdict = "[yellow]worse[/]" if m["worse"] else "same"
        lo, hi = m["ci95"]
        table.add_row(key, _fmt(m["a"]), _fmt(m["b"]), _fmt(m["delta"]), f"[{_fmt(lo)}, {_fmt(hi)}]", verdict)
    return table


@eval_app.command("compare")
def compare(
    run_a: Annotated[Path, typer.Argument(help="the baseline run directory")],
    run_b: Annotated[Path, typer.Argument(help="the candidate run directory")],
    fail_on_regression: Annotated[bool, typer.Option(help="exit 1 when a guarded metric got significantly worse")]
    = False,
    resamples: Annotated[int, typer.Option(min=100, help="bootstrap resamples")] = 1000,
    seed: Annotated[int, typer.Option(help="bootstrap seed")] = 7,
    show: Annotated[int, typer.Option(help="changed examples to list per label")] = 10,
    json_out: Annotated[Path | None, typer.Option("--json", help="also write the full comparison here")] = None,
    html_out: Annotated[Path | None, typer.Option(
        "--html", help="also write the comparison as one self-contained page (metric table, per-class deltas, "
        "coverage curves, reliability diagrams, changed examples with their text), linked from both runs' "
        "report.html and report.md")] = None,
) -> None:
    """Compare two runs: metric deltas with paired-bootstrap 95% CIs, McNemar's test, changed examples."""
    from triage.config import get_settings
    from triage.domain.policy import load_policy
    from triage.evals.compare import compare_runs

    # runs record their risk levels; older ones are read with the current policy's
    risk_order = load_policy(get_settings().policy_dir).risk_order
    result = compare_runs(run_a, run_b, resamples=resamples, seed=seed, risk_order=risk_order)
    for note in result["notes"]:
        console.print(f"[yellow]note:[/] {note}")
    guarded = {k: m for k, m in result["metrics"].items() if m["guarded"]}
    informational = {k: m for k, m in result["metrics"].items() if not m["guarded"] and _moved(m)}
    out.print(_metric_table(f"{run_a} → {run_b} ({result['n_common']} paired examples)", guarded))
    if informational:
        out.print(_metric_table("not guarded (pipeline rates, latency, cost), where the interval excludes 0",
                                informational))
    for name, mc in result["mcnemar"].items():
        out.print(f"McNemar {name}: A right/B wrong {mc['a_right_b_wrong']}, A wrong/B right {mc['a_wrong_b_right']}, "
                  f"p = {mc['p_value']:.4g}")
    for name, changed in result["changed"].items():
        if not changed:
            continue
        out.print(f"[bold]{name}[/]: {len(changed)} changed examples")
        for c in changed[:show]:
            out.print(f"  {c['change']:>7}  {c['id']}  gold={c['gold']}  {c['a']} → {c['b']}")
    if json_out:
        json_out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    if html_out:
        from triage.evals.compare_page import write_compare_page

        with console.status("drawing the comparison page …"):
            write_compare_page(result, html_out)
        console.print(f"comparison page: {html_out} (linked from {run_a / 'report.html'} and {run_b / 'report.html'})")
    if result["regressions"]:
        console.print(f"[red]significant regressions:[/] {', '.join(result['regressions'])}")
        if fail_on_regression:
            raise typer.Exit(1)
    else:
        console.print("[green]no significant regression[/]")
