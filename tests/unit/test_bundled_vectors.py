"""The exemplar bank's vectors ship in policy/vectors/ for the default model, so a first start does not embed
the bank; they must be those of the current bank (re-run scripts/bundle_exemplar_vectors.py after editing
policy/critical.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tests.conftest import settings_for
from triage.components import BUNDLED_VECTORS_DIR
from triage.domain.policy import load_policy
from triage.pipeline.critical import ExemplarIndex, load_exemplar_bank


def test_the_bundled_vectors_are_the_current_banks_under_the_default_model(tmp_path: Path, embedder: Any) -> None:
    settings = settings_for(tmp_path)
    bank = load_exemplar_bank(settings.policy_dir / settings.critical.bank_file,
                              policy=load_policy(settings.policy_dir))
    bundled = settings.policy_dir / BUNDLED_VECTORS_DIR
    for what, texts in (("exemplars", bank.texts), ("contrast", bank.contrast)):
        path = bundled / ExemplarIndex.vector_file(bank, embedder.name, what)
        assert path.is_file(), f"{path} is missing: run scripts/bundle_exemplar_vectors.py"
        vectors = np.load(path)
        assert vectors.shape == (len(texts), embedder.dimension) and vectors.dtype == np.float32
        sample = np.random.default_rng(0).choice(len(texts), size=12, replace=False)
        np.testing.assert_allclose(vectors[sample], embedder.embed([texts[i] for i in sample]), atol=1e-5)

    cache = tmp_path / "cache"
    index = ExemplarIndex(bank, embedder=embedder, cache_dir=cache, bundled_dir=bundled)
    assert index.vectors.shape == (len(bank.texts), embedder.dimension)
    assert not cache.exists(), "the bank was embedded (and cached) although its vectors are bundled"
