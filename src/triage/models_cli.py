"""`triage model ...` commands: retrain the local classifier on the whole memory, list and roll back versions;
fine-tune the embedding model on the memory (`train --finetune`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from triage.config import Settings

if TYPE_CHECKING:
    from triage.adapters.embedder_training import FinetuneManifest
    from triage.adapters.embedder_training import Progress as FinetuneProgress

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
    from triage.components import build_pipeline, load_embedder, open_memory
    from triage.domain.policy import load_policy
    from triage.ports import CaseStore, Embedder

    policy = load_policy(settings.policy_dir)
    own_store = store is None
    emb: Embedder = embedder if embedder is not None else load_embedder(settings)  # type: ignore[assignment]
    st: CaseStore
    if store is not None:
        st = store  # type: ignore[assignment]
    else:  # the collection embedded by this model (re-embedded first after a switch of model)
        emb, st = open_memory(settings, emb)
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


def finetune_model(settings: Settings, *, budget_minutes: float | None = None, out_root: Path | None = None,
                   progress: FinetuneProgress | None = None) -> tuple[Path, FinetuneManifest]:
    """Fine-tune the configured embedding model on every case of the memory (labels: their category) within the
    budget (TRIAGE_FINETUNE__*), and write a new model directory under `out_root` (default
    <TRIAGE_DATA_DIR>/models). The service is not switched: that is TRIAGE_EMBEDDING__MODEL=<directory>."""
    from triage.adapters.embedder_training import FinetuneOptions, finetune_embedder
    from triage.components import load_embedder, open_memory
    from triage.pipeline.model_state import memory_signature

    options = FinetuneOptions.from_settings(settings.finetune, budget_minutes=budget_minutes)
    embedder, store = open_memory(settings, load_embedder(settings))
    try:
        cases, vectors = store.all_cases(with_vectors=True)
        revision = store.revision()
    finally:
        store.close()
    signature = memory_signature(cases)
    # the encoder learns the categories: a case without one (it only rules some out) is not a training example
    named = [i for i, c in enumerate(cases) if c.labelled]
    cases, vectors = [cases[i] for i in named], vectors[named]
    return finetune_embedder(
        texts=[c.text for c in cases], categories=[c.category or "" for c in cases], vectors=vectors,
        base_model=str(getattr(embedder, "source", settings.embedding.model)),
        base_name=str(getattr(embedder, "name", settings.embedding.model)),
        out_root=out_root or settings.data_dir / "models", options=options,
        memory={"cases": signature.cases, "digest": signature.digest}, memory_revision=revision, progress=progress,
        ids=[c.id for c in cases])


def _finetune_command(budget_minutes: float | None, out_root: Path | None) -> None:
    settings = _settings()
    budget = budget_minutes if budget_minutes is not None else settings.finetune.budget_minutes
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn(f"budget {budget:g} min"), console=console) as progress:
        task = progress.add_task("fine-tuning (loading the memory)", total=None)

        def report(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=total or None)

        try:
            directory, manifest = finetune_model(settings, budget_minutes=budget_minutes, out_root=out_root,
                                                 progress=report)
        except ValueError as exc:  # nothing to learn from: say what, the current model stays
            raise typer.BadParameter(str(exc), param_hint="--finetune") from exc
    table = Table(title="model train --finetune")  # one row per figure: readable in 80 columns
    table.add_column("")
    table.add_column("", overflow="fold")
    f1 = manifest.validation_macro_f1
    for key, value in (
        ("version", manifest.version), ("base model", manifest.base_model),
        ("cases trained on / held out", f"{manifest.cases} / {manifest.validation_cases}"),
        ("steps / epochs run", f"{manifest.steps} / {manifest.epochs_run}"), ("epoch kept", manifest.best_epoch),
        ("training seconds / budget", f"{manifest.duration_s} / {manifest.budget_s}"),
        ("stopped by the budget", "yes" if manifest.stopped_by_budget else "no"),
        ("held-out macro-F1, base → fine-tuned", f"{f1.get('base')} → {f1.get('finetuned')}"),
    ):
        table.add_row(key, str(value))
    out.print(table)
    if manifest.best_epoch == 0.0:
        console.print("[yellow]the fine-tune did not beat the base model on the validation slice: the directory "
                      "holds the base weights[/]")
    console.print(f"model directory: {directory}")
    console.print("serve with it (the memory is re-embedded into a new collection at start-up):")
    out.print(f"TRIAGE_EMBEDDING__MODEL={directory} triage serve", soft_wrap=True)


@model_app.command("train")
def train(
    finetune: Annotated[bool, typer.Option(help="fine-tune the embedding model on the memory instead, within "
                                           "TRIAGE_FINETUNE__BUDGET_MINUTES, into a new model directory")] = False,
    budget_minutes: Annotated[float | None, typer.Option(min=0.01, help="--finetune: wall-clock budget of the "
                                                         "training loop (default TRIAGE_FINETUNE__BUDGET_MINUTES)")]
    = None,
    out_root: Annotated[Path | None, typer.Option("--out", file_okay=False, help="--finetune: where the model "
                                                  "directory is written (default <TRIAGE_DATA_DIR>/models)")]
    = None,
) -> None:
    """Refit the local classifier and the critical detector on the whole case memory (a stratified sample of at
    most TRIAGE_CLASSIFIER__MAX_TRAINING_CASES cases) and make the result the current model version.

    Run it after a bulk import (`triage cases import` runs it for you), after changing classifier settings, or
    to rebuild a model that was lost. With the embedded case store, run it while the service is stopped (the
    store admits one process); the service loads the new version when it starts. Roll back with
    `triage model use VERSION`.

    With --finetune, the embedding model is fine-tuned on the memory's cases (their categories) instead, bounded
    by the budget, and written as a new versioned directory with a manifest. Nothing changes until the service
    starts with TRIAGE_EMBEDDING__MODEL=<that directory>: it then re-embeds the memory into a new collection,
    switches to it, and refits the classifier on the new vectors. Roll back by unsetting it (docs/learning.md).
    """
    if finetune:
        _finetune_command(budget_minutes, out_root)
        return
    if budget_minutes is not None or out_root is not None:
        raise typer.BadParameter("--budget-minutes and --out go with --finetune", param_hint="--finetune")
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

    settings = _settings()
    repo = ModelRepository(model_dir(settings))
    current = repo.current()
    versions = repo.versions()
    table = Table(title=f"models in {repo.directory}")
    for col in ("", "version", "fitted at", "memory cases", "trained on", "fit seconds", "classifier"):
        table.add_column(col)
    # a version is copied into `triage model use`: on a narrow terminal the other columns wrap, never it
    _keep_whole(table.columns[1], [h.version for h in versions])
    for h in versions:
        table.add_row("*" if h.version == current else "", h.version, h.fitted_at, str(h.memory.cases),
                      str(h.trained_on), str(h.seconds), h.classifier)
    out.print(table)
    _list_embedders(settings)


def _keep_whole(column: Column, values: list[str]) -> None:
    """A column of ids that are copied by hand: never folded or cut, whatever the terminal's width."""
    column.no_wrap = True
    column.min_width = max((len(v) for v in values), default=0)


def _list_embedders(settings: Settings) -> None:
    """The fine-tuned embedding models in <TRIAGE_DATA_DIR>/models, and which model embedded the memory in use."""
    from triage.adapters.embedder_training import read_manifest
    from triage.components import collection_registry

    q = settings.qdrant
    active = collection_registry(settings).active() if not q.url and q.engine == "edge" else None
    root = settings.data_dir / "models"
    manifests = [m for d in sorted(root.glob("embedder-*")) if (m := read_manifest(d)) is not None]
    if manifests:
        table = Table(title=f"fine-tuned embedding models in {root} (TRIAGE_EMBEDDING__MODEL=<directory>)")
        for col in ("", "version", "base", "cases", "steps", "epochs", "seconds", "validation macro-F1"):
            table.add_column(col, overflow="fold")
        _keep_whole(table.columns[1], [m.version for m in manifests])  # copied into TRIAGE_EMBEDDING__MODEL
        for m in manifests:
            f1 = m.validation_macro_f1
            table.add_row("*" if active is not None and active.embedder == m.embedder_name else "", m.version,
                          m.base_model, str(m.cases), str(m.steps), str(m.epochs_run), str(m.duration_s),
                          f"{f1.get('base')} → {f1.get('finetuned')}")
        out.print(table)
    if active is not None:
        console.print(f"the memory in use: collection {active.directory}, embedded by "
                      f"{active.embedder or '(not recorded yet: the configured model)'}")


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
