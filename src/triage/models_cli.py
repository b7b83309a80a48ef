"""`triage model ...` commands: retrain the local classifier on the whole memory, list and roll back versions."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from triage.config import Settings

model_app = typer.Typer(
    help="The local classifier's fitted state (saved beside the case store): retrain, list, roll back.",
    no_args_is_help=True)

console = Console(stderr=True)
out = Console()


def _settings() -> Settings:
    from triage.config import get_settings
    from triage.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level if settings.log_level != "INFO" else "WARNING", json=False)
    return settings


def train_model(settings: Settings, *, store: object | None = None, embedder: object | None = None,
                progress: Progress | None = None) -> dict[str, object]:
    """A full, bounded refit of the local classifier and the critical detector on the case store, saved as a new
    version and made current. Opens the store and the embedder unless given (`cases import` passes its own)."""
    from triage.components import build_pipeline, load_embedder, open_store
    from triage.domain.policy import load_policy
    from triage.ports import CaseStore, Embedder

    policy = load_policy(settings.policy_dir)
    own_store = store is None
    emb: Embedder = embedder if embedder is not None else load_embedder(settings)  # type: ignore[assignment]
    st: CaseStore = store if store is not None else open_store(settings, dimension=emb.dimension)  # type: ignore[assignment]
    try:
        pipeline = build_pipeline(settings, policy=policy, embedder=emb, store=st, persist=True)
        classifier = pipeline.classifier
        if classifier.repository is None:
            raise typer.BadParameter("TRIAGE_CLASSIFIER__PERSIST is false: there is nowhere to save a model")
        task: TaskID | None = progress.add_task("training", total=1.0) if progress is not None else None

        def report(what: str, done: float) -> None:
            if progress is not None and task is not None:
                progress.update(task, description=what, completed=done)

        started = time.perf_counter()
        header = classifier.train(progress=report)
        seconds = time.perf_counter() - started
        return {"version": header.version if header else "(not saved)", "cases": classifier.fitted_count,
                "trained_on": header.trained_on if header else 0, "seconds": round(seconds, 1),
                "directory": str(classifier.repository.directory)}
    finally:
        if own_store:
            st.close()


@model_app.command("train")
def train(
    finetune: Annotated[bool, typer.Option(help="also fine-tune the embedding model on the memory (not "
                                           "available in this version: refused)")] = False,
) -> None:
    """Refit the local classifier and the critical detector on the whole case memory (a stratified sample of at
    most TRIAGE_CLASSIFIER__MAX_TRAINING_CASES cases) and make the result the current model version.

    Run it after a bulk import (`triage cases import` runs it for you), after changing classifier settings, or
    to rebuild a model that was lost. With the embedded case store, run it while the service is stopped (the
    store admits one process); the service loads the new version when it starts. Roll back with
    `triage model use VERSION`.
    """
    if finetune:
        raise typer.BadParameter("fine-tuning the embedding model is not implemented yet", param_hint="--finetune")
    settings = _settings()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        result = train_model(settings, progress=progress)
    table = Table(title="model train")
    for k in result:
        table.add_column(k)
    table.add_row(*(str(v) for v in result.values()))
    out.print(table)


@model_app.command("list")
def list_versions() -> None:
    """The saved model versions, oldest first; the current one is marked."""
    from triage.components import model_dir
    from triage.pipeline.model_state import ModelRepository

    repo = ModelRepository(model_dir(_settings()))
    current = repo.current()
    table = Table(title=f"models in {repo.directory}")
    for col in ("", "version", "fitted at", "memory cases", "trained on", "fit seconds", "classifier"):
        table.add_column(col)
    for h in repo.versions():
        table.add_row("*" if h.version == current else "", h.version, h.fitted_at, str(h.memory.cases),
                      str(h.trained_on), str(h.seconds), h.classifier)
    out.print(table)


@model_app.command("use")
def use(
    version: Annotated[str, typer.Argument(help="a version from `triage model list`")],
) -> None:
    """Make a saved version current (roll back or forward); the service loads it at its next start. A version
    fitted on another memory is used at once and refitted in the background when the service starts."""
    from triage.components import model_dir
    from triage.pipeline.model_state import ModelRepository

    repo = ModelRepository(model_dir(_settings()))
    try:
        header = repo.use(version)
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc), param_hint="VERSION") from exc
    console.print(f"[green]current model:[/] {header.version} (fitted {header.fitted_at} on "
                  f"{header.memory.cases} cases)")
