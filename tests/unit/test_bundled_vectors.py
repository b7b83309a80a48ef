"""The exemplar bank's vectors ship in policy/vectors/ and the seed cases' in seed/vectors/ for the default
model, so a first start embeds neither; they must be those of the current files (re-run
scripts/bundle_exemplar_vectors.py after editing policy/critical.yaml or seed/cases.jsonl)."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import SEED_FILE, settings_for
from triage.components import (
    BUNDLED_VECTORS_DIR,
    open_store,
    prime_seed_vectors,
    seed_if_empty,
    seed_texts,
    seed_vector_file,
)
from triage.domain.policy import load_policy
from triage.pipeline.critical import ExemplarIndex, load_exemplar_bank


def test_the_bundled_vectors_are_the_current_banks_under_the_default_model(tmp_path: Path, embedder: Any) -> None:
    settings = settings_for(tmp_path)
    bank = load_exemplar_bank(settings.policy_dir / settings.critical.bank_file,
                              policy=load_policy(settings.policy_dir))
    bundled = settings.policy_dir / BUNDLED_VECTORS_DIR
    assert bank.ordinary, "the bank has no ordinary lines"
    for what, texts in (("exemplars", bank.texts), ("contrast", bank.contrast), ("ordinary", bank.ordinary)):
        name = ExemplarIndex.vector_file(bank, embedder.name, what)
        vectors = ExemplarIndex.load_bundled(bundled, name)
        assert vectors is not None, f"{bundled / name} is missing: run scripts/bundle_exemplar_vectors.py"
        assert all(p.stat().st_size < 5_000_000 for p in ExemplarIndex.bundled_parts(bundled, name))
        assert vectors.shape == (len(texts), embedder.dimension) and vectors.dtype == np.float32
        sample = np.random.default_rng(0).choice(len(texts), size=12, replace=False)
        np.testing.assert_allclose(vectors[sample], embedder.embed([texts[i] for i in sample]), atol=1e-5)

    cache = tmp_path / "cache"
    index = ExemplarIndex(bank, embedder=embedder, cache_dir=cache, bundled_dir=bundled)
    assert index.vectors.shape == (len(bank.texts), embedder.dimension)
    assert not cache.exists(), "the bank was embedded (and cached) although its vectors are bundled"


def test_the_bundled_seed_vectors_are_the_current_seed_files_and_loading_the_seed_encodes_nothing(
    tmp_path: Path, embedder: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = seed_vector_file(SEED_FILE, embedder.name)
    assert path.is_file(), f"{path} is missing: run scripts/bundle_exemplar_vectors.py"
    texts = seed_texts(SEED_FILE)
    vectors = np.load(path)
    assert vectors.shape == (len(texts), embedder.dimension) and vectors.dtype == np.float32
    sample = np.random.default_rng(1).choice(len(texts), size=12, replace=False)
    np.testing.assert_allclose(vectors[sample], embedder.embed([texts[i] for i in sample]), atol=1e-5)

    # a first start with an empty memory loads the seed with the shipped vectors: the model encodes nothing
    # (the session's embedder, with an empty cache of recent texts and its encodes counted)
    monkeypatch.setattr(embedder, "_cache", OrderedDict())
    encoded: list[int] = []
    encode = embedder._encode

    def counted(batch: list[str]) -> np.ndarray:
        encoded.append(len(batch))
        return encode(batch)  # type: ignore[no-any-return]

    monkeypatch.setattr(embedder, "_encode", counted)
    settings = settings_for(tmp_path, seed={"on_empty": True})
    store = open_store(settings, dimension=embedder.dimension)
    try:
        assert seed_if_empty(settings, store=store, embedder=embedder, sessions=None) == len(texts)
        assert store.count() == len(texts)
        assert encoded == [], f"the seed was embedded although its vectors are bundled: {encoded}"
        hit = store.search(vectors[7], limit=1)[0]
        assert hit.case.text == texts[7]
    finally:
        store.close()


def test_seed_vectors_of_another_seed_file_are_not_used(tmp_path: Path, embedder: Any) -> None:
    edited = tmp_path / "cases.jsonl"
    edited.write_text(SEED_FILE.read_text(encoding="utf-8").replace("password", "passcode", 1), encoding="utf-8")
    (tmp_path / BUNDLED_VECTORS_DIR).mkdir()
    np.save(tmp_path / BUNDLED_VECTORS_DIR / seed_vector_file(SEED_FILE, embedder.name).name,
            np.load(seed_vector_file(SEED_FILE, embedder.name)))
    assert seed_vector_file(edited, embedder.name).name != seed_vector_file(SEED_FILE, embedder.name).name
    assert prime_seed_vectors(edited, embedder) is False
