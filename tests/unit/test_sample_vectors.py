"""A fit on a memory past the bound reads the vectors and texts of its sample only, never every vector or text
(issue 12: at 1M cases, reading every vector held 8.5 GB, every payload ~4 GB); after a restart, only the trained
cases' and the new cases' vectors and texts.

Real parts: the edge case store (a thin subclass that records what is read from it), the seed cases with their
shipped vectors, the local classifier and its model repository; a bound of 100 on the seed cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import SEED_FILE
from triage.adapters.edge_store import EdgeCaseStore
from triage.components import seed_vector_file
from triage.domain.cases import Case, case_id_for
from triage.pipeline import classify
from triage.pipeline.classify import FitResult, LocalClassifier
from triage.pipeline.model_state import ModelRepository
from triage.services.cases import FieldMap, read_rows, row_to_case

BOUND = 100  # >= 3 cases per category in a 3-fold split, whose folds scikit-learn does not warn about


class RecordingStore(EdgeCaseStore):
    """The edge store, recording how the memory is read: each `all_cases` call (with vectors or not, with texts or
    not), each read of the memory's labels page by page (`label_pages`), the ids whose vectors `vectors_of` reads
    and the ids whose full cases `cases_of` reads."""

    def __init__(self, path: Path, *, dimension: int) -> None:
        super().__init__(path, dimension=dimension, background=False)
        self.whole_reads: list[bool] = []
        self.whole_text_reads: list[bool] = []
        self.label_reads = 0
        self.vector_ids: list[str] = []
        self.text_ids: list[str] = []

    def all_cases(self, *, with_vectors: bool = True, with_text: bool = True) -> tuple[list[Case], np.ndarray]:
        self.whole_reads.append(with_vectors)
        self.whole_text_reads.append(with_text)
        return super().all_cases(with_vectors=with_vectors, with_text=with_text)

    def label_pages(self) -> Iterator[list[Case]]:
        self.label_reads += 1
        return super().label_pages()

    def cases_of(self, ids: Sequence[str]) -> list[Case]:
        self.text_ids.extend(ids)
        return super().cases_of(ids)

    def vectors_of(self, ids: Sequence[str]) -> np.ndarray:
        self.vector_ids.extend(ids)
        return super().vectors_of(ids)

    def forget(self) -> None:
        self.whole_reads.clear()
        self.whole_text_reads.clear()
        self.label_reads = 0
        self.vector_ids.clear()
        self.text_ids.clear()


class RecordingListener:
    """A stage fitted with the classifier (as the critical detector is): keeps what each fit gave it."""

    version = "recording.v1"

    def __init__(self) -> None:
        self.fits: list[FitResult] = []

    def calibrate_on_fit(self, fit: FitResult) -> None:
        self.fits.append(fit)

    def export_state(self) -> object:
        return {"fits": len(self.fits)}

    def import_state(self, state: object) -> None:
        pass


@pytest.fixture(scope="module")
def seed_memory(embedder: Any) -> tuple[list[Case], np.ndarray]:
    cases = [row_to_case(row, FieldMap(), source="seed") for row in read_rows(SEED_FILE)]
    vectors = np.load(seed_vector_file(SEED_FILE, embedder.name))
    assert len(cases) == len(vectors) > 3 * BOUND
    return cases, vectors


@pytest.fixture
def open_store(tmp_path: Path) -> Iterator[Callable[[list[Case], np.ndarray], RecordingStore]]:
    opened: list[RecordingStore] = []

    def open_(cases: list[Case], vectors: np.ndarray) -> RecordingStore:
        store = RecordingStore(tmp_path / f"edge-{len(opened)}", dimension=vectors.shape[1])
        store.upsert(cases, vectors)
        store.forget()
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


def test_a_fit_past_the_bound_reads_the_payloads_and_only_the_sample_s_vectors(
    tmp_path: Path, seed_memory: tuple[list[Case], np.ndarray],
    open_store: Callable[[list[Case], np.ndarray], RecordingStore],
) -> None:
    cases, vectors = seed_memory
    store = open_store(cases, vectors)
    listener = RecordingListener()
    classifier = LocalClassifier(store, max_training_cases=BOUND, listener=listener,
                                 repository=ModelRepository(tmp_path / "models"))
    steps: list[tuple[str, float]] = []
    header = classifier.train(progress=lambda what, done: steps.append((what, done)))
    assert header is not None and header.trained_on == BOUND and classifier.fitted_count == len(cases)
    # the read of the memory moves `triage model train`'s bar, page by page, up to where the fitting starts
    assert [done for what, done in steps if what == "reading the memory"] == [0.0, 0.05]
    assert [done for _, done in steps] == sorted(done for _, done in steps) and steps[-1] == ("done", 1.0)
    # the memory's labels once, page by page, into columns; no case of it held whole, no text or vector of it read
    assert (store.whole_reads, store.label_reads) == ([], 1)
    assert len(store.vector_ids) == BOUND and set(store.vector_ids) == classifier.trained_ids
    assert sorted(store.text_ids) == sorted(store.vector_ids)
    # and the fit got each sampled case whole, with its own vector
    by_id = {c.id: v for c, v in zip(cases, vectors, strict=True)}
    fit = listener.fits[-1]
    np.testing.assert_array_equal(fit.vectors, np.asarray([by_id[c.id] for c in fit.cases]))
    whole = {c.id: c for c in cases}
    assert [c.model_dump() for c in fit.cases] == [whole[c.id].model_dump() for c in fit.cases]


def test_after_a_restart_only_the_trained_and_the_new_cases_vectors_are_read(
    tmp_path: Path, seed_memory: tuple[list[Case], np.ndarray],
    open_store: Callable[[list[Case], np.ndarray], RecordingStore],
) -> None:
    cases, vectors = seed_memory
    store = open_store(cases, vectors)
    repository = ModelRepository(tmp_path / "models")

    def service_classifier() -> LocalClassifier:
        return LocalClassifier(store, max_training_cases=BOUND, listener=RecordingListener(), repository=repository,
                               background_refit=True, incremental_share=0.05)

    first = service_classifier()
    first.train()
    trained = first.trained_ids
    # a case written while the service was down; a new classifier on the store is the restart
    new = Case(id=case_id_for("written-while-down"), key="written-while-down", text=f"{cases[0].text} (again)",
               category=cases[0].category, risk=cases[0].risk, language=cases[0].language)
    store.upsert([new], vectors[:1])
    store.forget()
    again = service_classifier()
    again.ensure_fitted()  # loads the saved fit, then rebuilds its training rows and adds the case, in the background
    again.wait_for_refit(120)
    assert again.loaded_version is not None and again.load_check == "memory read"
    assert (again.fits, again.updates, again.last_update_read) == (0, 1, "memory")
    assert new.id in again.trained_ids and again.fitted_count == len(cases) + 1
    # the load's check, the rows' rebuild and the update each read the labels as columns, no case whole
    assert (store.whole_reads, store.label_reads) == ([], 3)
    assert sorted(store.vector_ids) == sorted([*trained, new.id])
    assert sorted(store.text_ids) == sorted([*trained, new.id])


def test_the_fit_cache_key_follows_the_sampled_vectors(
    seed_memory: tuple[list[Case], np.ndarray], open_store: Callable[[list[Case], np.ndarray], RecordingStore],
) -> None:
    cases, vectors = seed_memory

    def fit(memory_vectors: np.ndarray) -> tuple[LocalClassifier, int]:
        classifier = LocalClassifier(open_store(cases, memory_vectors), max_training_cases=BOUND,
                                     seed=11)  # a seed of its own: no fit shared with other tests
        hits = classify.FITS.hits
        classifier.ensure_fitted()
        return classifier, classify.FITS.hits - hits

    first, _ = fit(vectors)
    same, shared = fit(vectors.copy())
    assert shared == 1 and same.trained_ids == first.trained_ids  # the same memory and sample: one fit
    changed = vectors.copy()
    i = next(n for n, c in enumerate(cases) if c.id in first.trained_ids)
    changed[i] = -vectors[i]  # one sampled case's vector differs, every payload is the same
    other, shared = fit(changed)
    assert other.trained_ids == first.trained_ids and shared == 0, "a fit of other vectors was served"
