"""The local model is learned from the memory, not rebuilt (DESIGN invariant 10; issue 12).

Real components: the packaged embedder, the edge case store, SQLite and PostgreSQL (`db_url`), the CLI.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

from tests.conftest import import_seed, settings_for
from tests.review.conftest import seed_subset
from triage import models_cli
from triage.cli import app
from triage.components import Components, model_dir
from triage.domain.cases import Case, case_id_for
from triage.models_cli import train_model
from triage.pipeline.classify import bounded_sample
from triage.pipeline.decision import TicketFacts
from triage.pipeline.model_state import STATE_SUFFIX, ModelRepository, memory_signature

pytestmark = pytest.mark.slow

TEXT = "An account keeps commenting 'check my bio for free followers' on every single video I post."


def facts(text: str, ident: str = "t1") -> TicketFacts:
    return TicketFacts(id=ident, subject="", body=text, channel="api", reporter_type="user", language="en",
                       region=None, received_at=datetime(2026, 11, 30, tzinfo=UTC))


def trained(tmp_path: Path, make_components: Callable[..., Components], db: str | None = None,
            **overrides: Any) -> tuple[Any, Components]:
    settings = settings_for(tmp_path, db, **overrides)
    comps = make_components(settings)
    assert import_seed(comps, seed_subset(tmp_path / "seed.jsonl", per_category=4)) == 19 * 4
    result = train_model(settings, store=comps.store, embedder=comps.embedder)
    return settings, comps, result  # type: ignore[return-value]


def test_restart_loads_the_saved_model_and_does_not_refit(
    tmp_path: Path, make_components: Callable[..., Components], db_url: str
) -> None:
    settings, comps, result = trained(tmp_path, make_components, db_url)  # type: ignore[misc]
    before = asyncio.run(comps.pipeline.decide(facts(TEXT)))
    thresholds = comps.pipeline.critical.state.thresholds  # type: ignore[union-attr]
    assert result["cases"] == 19 * 4 and result["version"] != "(not saved)"
    assert comps.pipeline.classifier.fits == 1, "the service's classifier adopts the trained model, no refit"
    assert comps.pipeline.classifier.loaded_version == result["version"]
    comps.close()

    again = make_components(settings)  # a restart: same database, same store directory
    classifier = again.pipeline.classifier
    assert classifier.loaded_version == result["version"]
    assert classifier.fits == 0, "a restart on an unchanged memory must load, not refit"
    assert classifier.load_check == "store token"  # the store vouched: no case was read to check the memory
    assert classifier.fitted and classifier.fitted_count == 19 * 4
    assert again.pipeline.critical.state.thresholds == thresholds  # type: ignore[union-attr]
    after = asyncio.run(again.pipeline.decide(facts(TEXT)))
    assert classifier.fits == 0
    assert after.probabilities == before.probabilities
    assert (after.category, after.risk, after.needs_human) == (before.category, before.risk, before.needs_human)


def test_a_damaged_or_incompatible_saved_model_is_refitted_never_used(
    tmp_path: Path, make_components: Callable[..., Components]
) -> None:
    settings, comps, result = trained(tmp_path, make_components)  # type: ignore[misc]
    comps.close()
    blob = model_dir(settings) / f"{result['version']}{STATE_SUFFIX}"
    blob.write_bytes(blob.read_bytes() + b"tampered")
    again = make_components(settings)
    assert again.pipeline.classifier.loaded_version is None
    assert again.pipeline.classifier.fits == 1 and again.pipeline.classifier.fitted
    assert again.pipeline.classifier.saved_version not in (None, result["version"])
    again.close()

    other = settings.model_copy(update={"classifier": settings.classifier.model_copy(
        update={"target_precision": 0.8})})
    third = make_components(other)
    assert third.pipeline.classifier.fits == 1, "a model saved under other classifier settings is not loaded"


@pytest.mark.parametrize("share", [0.05, 0.0], ids=["incremental", "full-refit"])
def test_a_memory_changed_while_down_serves_the_saved_model_then_updates_in_the_background(
    tmp_path: Path, make_components: Callable[..., Components], embedder: Any, share: float
) -> None:
    settings, comps, result = trained(  # type: ignore[misc]
        tmp_path, make_components, classifier={"incremental_share": share})
    text = "Someone is selling counterfeit concert tickets in the comments of my stream."
    case = Case(id=case_id_for("added-while-down"), key=Case.content_key(text), text=text, category="scam_fraud",
                risk="medium", language="en")
    comps.store.upsert([case], embedder.embed([text]))
    comps.close()

    again = make_components(settings)
    classifier = again.pipeline.classifier
    assert classifier.loaded_version == result["version"] and classifier.fitted
    assert classifier.load_check == "memory read"  # a case was written after that fit: the memory is read
    decision = asyncio.run(again.pipeline.decide(facts(text)))
    assert decision.similar_cases[0]["id"] == case_id_for("added-while-down")  # the vote sees the case at once
    classifier.wait_for_refit(120)
    # one case is within 5% of the 76 trained: an incremental update of the heads (rebuilt from the saved
    # model's trained cases after the restart); with the share at 0, a full refit
    assert (classifier.updates, classifier.fits) == ((1, 0) if share else (0, 1))
    assert classifier.fitted_count == 19 * 4 + 1 and case.id in classifier.trained_ids
    assert classifier.class_counts()["scam_fraud"] == 5
    assert classifier.saved_version not in (None, result["version"])  # the update is the new current version
    assert ModelRepository(model_dir(settings)).current() == classifier.saved_version
    again.close()
    third = make_components(settings)  # and a restart loads it as fitted on this memory: no refit, no update
    third.pipeline.classifier.ensure_fitted()
    assert third.pipeline.classifier.loaded_version == classifier.saved_version
    assert (third.pipeline.classifier.fits, third.pipeline.classifier.updates) == (0, 0)
    assert third.pipeline.classifier.load_check == "store token"


def test_an_incremental_update_moves_the_heads_to_the_new_case_and_a_relabel_refits(
    tmp_path: Path, make_components: Callable[..., Components], embedder: Any
) -> None:
    settings, comps, _ = trained(tmp_path, make_components)  # type: ignore[misc]
    classifier = comps.pipeline.classifier
    classifier.ensure_fitted()  # adopts the trained version
    text = "my grandmother got a call from someone pretending to be the bank and she sent them her savings"
    vector = embedder.embed([text])
    # the heads alone, without the vote (no neighbours passed)
    before = classifier.predict(vector[0], [], text).probs["category"]["scam_fraud"]
    case = Case(id=case_id_for("grandmother"), key="grandmother", text=text, category="scam_fraud", risk="medium",
                language="en")
    comps.store.upsert([case], vector)
    classifier.ensure_fitted()
    classifier.wait_for_refit(120)
    assert (classifier.updates, classifier.fits) == (1, 1), "the new case is added, not refitted"
    assert classifier.last_update_read == "memory"  # the adopted fit's training rows were not kept yet
    after = classifier.predict(vector[0], [], text).probs["category"]["scam_fraud"]
    assert after > before + 0.02, (before, after)

    # the next case: the kept rows are extended from the store's journal of its writes, no read of the memory
    text2 = "a fake lottery page said I won a phone and asked me to pay the delivery fee first"
    vector2 = embedder.embed([text2])
    before2 = classifier.predict(vector2[0], [], text2).probs["category"]["scam_fraud"]
    comps.store.upsert([Case(id=case_id_for("lottery"), key="lottery", text=text2, category="scam_fraud",
                             risk="medium", language="en")], vector2)
    classifier.ensure_fitted()
    classifier.wait_for_refit(120)
    assert (classifier.updates, classifier.fits, classifier.last_update_read) == (2, 1, "journal")
    assert classifier.predict(vector2[0], [], text2).probs["category"]["scam_fraud"] > before2 + 0.02
    assert classifier.fitted_count == 19 * 4 + 2
    # the signature extended case by case is that of the whole memory: a restart loads it without a refit
    saved = ModelRepository(model_dir(settings)).header(classifier.saved_version or "")
    assert saved.memory == memory_signature(comps.store.all_cases(with_vectors=False)[0])

    relabelled = case.model_copy(update={"category": "spam"})  # a correction of a case the heads were fitted on
    comps.store.upsert([relabelled], vector)
    classifier.ensure_fitted()
    classifier.wait_for_refit(120)
    assert (classifier.updates, classifier.fits) == (2, 2), "a relabel is not an addition: a full refit"
    assert classifier.class_counts()["scam_fraud"] == 5  # four seeds and the lottery case; grandmother is spam


def test_a_new_case_is_used_by_the_very_next_decision_and_the_heads_follow(
    tmp_path: Path, make_components: Callable[..., Components], embedder: Any
) -> None:
    _, comps, _ = trained(tmp_path, make_components)  # type: ignore[misc]
    pipeline = comps.pipeline
    first = asyncio.run(pipeline.decide(facts(TEXT)))
    correction = "scam_fraud" if first.category != "scam_fraud" else "spam"
    counts = pipeline.classifier.class_counts()
    corrected = Case(id=case_id_for("corrected"), key="corrected", text=TEXT, category=correction, risk="medium",
                     language="en")
    comps.store.upsert([corrected], embedder.embed([TEXT]))
    nxt = asyncio.run(pipeline.decide(facts(TEXT, "t2")))  # no waiting: the correction is in the vote
    assert nxt.category == correction, (first.category, nxt.probabilities["category"])
    assert nxt.similar_cases[0]["id"] == case_id_for("corrected")
    pipeline.classifier.wait_for_refit(120)
    assert pipeline.classifier.class_counts()[correction] == counts[correction] + 1


def test_model_use_rolls_back_and_pins_a_version(
    tmp_path: Path, make_components: Callable[..., Components], embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, comps, first = trained(tmp_path, make_components)  # type: ignore[misc]
    text = "Someone is selling counterfeit concert tickets in the comments of my stream."
    later = Case(id=case_id_for("later"), key=Case.content_key(text), text=text, category="scam_fraud",
                 risk="medium", language="en")
    comps.store.upsert([later], embedder.embed([text]))
    second = train_model(settings, store=comps.store, embedder=comps.embedder)
    assert second["version"] != first["version"]
    comps.close()

    monkeypatch.setenv("TRIAGE_QDRANT__PATH", str(settings.qdrant.path))
    # an 80-column terminal: the version column is kept whole (it is copied into `triage model use`)
    monkeypatch.setattr(models_cli, "out", Console(width=80))
    runner = CliRunner()
    listed = runner.invoke(app, ["model", "list"])
    assert listed.exit_code == 0, listed.output
    assert str(first["version"])[:15] in listed.output and str(second["version"])[:15] in listed.output
    unknown = runner.invoke(app, ["model", "use", "no-such-version"])
    assert unknown.exit_code == 2 and "no model version" in unknown.output
    rolled = runner.invoke(app, ["model", "use", str(first["version"])])
    assert rolled.exit_code == 0, rolled.output
    assert ModelRepository(model_dir(settings)).current() == first["version"]

    again = make_components(settings)
    classifier = again.pipeline.classifier
    assert classifier.loaded_version == first["version"] and classifier.pinned
    asyncio.run(again.pipeline.decide(facts(text)))
    classifier.wait_for_refit(5)
    assert classifier.fits == 0, "a pinned version is kept although the memory has a case more"


def test_bounded_sample_keeps_every_rare_case_and_the_bound() -> None:
    labels = ["common"] * 5000 + ["medium"] * 400 + ["rare"] * 7
    rows = bounded_sample(labels, 1000, seed=7)
    picked = [labels[i] for i in rows]
    assert len(rows) == 1000 and len(set(rows.tolist())) == 1000
    assert picked.count("rare") == 7
    assert picked.count("medium") == 400 and picked.count("common") == 593
    assert np.array_equal(rows, bounded_sample(labels, 1000, seed=7))
    assert len(bounded_sample(labels[:50], 1000, seed=7)) == 50


def test_bounded_sample_always_keeps_the_new_rows_up_to_half() -> None:
    labels = ["common"] * 5000 + ["rare"] * 7
    new = [4999, 17, 3]
    rows = bounded_sample(labels, 100, seed=7, keep=new)
    assert len(rows) == 100 and set(new) <= set(rows.tolist())
    assert [labels[i] for i in rows].count("rare") == 7  # the rare class is still kept whole
    assert np.array_equal(rows, bounded_sample(labels, 100, seed=7, keep=new))
    many = list(range(300))  # a bulk import: more new rows than half the bound
    capped = bounded_sample(labels, 100, seed=7, keep=many)
    # half the bound kept from them; the other half drawn from all the rest, where more of them may fall
    assert len(capped) == 100 and len(set(capped.tolist()) & set(many)) >= 50


def test_a_case_added_after_a_restart_is_in_the_next_bounded_fit(
    tmp_path: Path, make_components: Callable[..., Components], embedder: Any
) -> None:
    # a memory larger than the bound: the next fit draws 40 of 77 cases, and the new one must be among them
    settings, comps, _ = trained(  # type: ignore[misc]
        tmp_path, make_components, classifier={"max_training_cases": 40, "incremental_share": 0.0})
    comps.close()
    again = make_components(settings)  # a restart: the loaded model knows which memory it was fitted on
    text = "Someone is selling counterfeit concert tickets in the comments of my stream."
    case = Case(id=case_id_for("new-after-restart"), key=Case.content_key(text), text=text, category="scam_fraud",
                risk="medium", language="en")
    again.store.upsert([case], embedder.embed([text]))
    classifier = again.pipeline.classifier
    classifier.ensure_fitted()
    classifier.wait_for_refit(120)
    assert classifier.fits == 1 and len(classifier.trained_ids) == 40
    assert case.id in classifier.trained_ids


def test_a_fit_is_bounded_by_max_training_cases(
    tmp_path: Path, make_components: Callable[..., Components]
) -> None:
    settings, comps, result = trained(  # type: ignore[misc]
        tmp_path, make_components, classifier={"max_training_cases": 40})
    assert result["trained_on"] == 40 and result["cases"] == 19 * 4
    comps.pipeline.classifier.ensure_fitted()  # the service's classifier adopts the trained version
    assert set(comps.pipeline.classifier.class_counts()) == set(comps.policy.categories)  # stratified: all kept
