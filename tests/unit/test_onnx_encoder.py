"""The ONNX Runtime encoder: the same vectors as torch (fp32), close ones (int8), exported once, torch as fallback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import SEED_FILE
from triage.adapters.embedder import SentenceTransformerEmbedder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def texts() -> list[str]:
    rows = [json.loads(line) for line in SEED_FILE.read_text(encoding="utf-8").splitlines()[:40]]
    long = [f"{r['subject']}\n\n{r['body']} " * 12 for r in rows[:5]]  # past the 256-token limit: truncated
    return [*(r["body"] for r in rows), *long, "ok", "a"]


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx")


def test_fp32_gives_the_torch_vectors_and_is_exported_once(embedder: Any, texts: list[str], onnx_dir: Path) -> None:
    onnx = SentenceTransformerEmbedder(cache_size=0, backend="onnx", onnx_dir=onnx_dir)
    # the same vectors, so the same model for the memory: collections, bundled vectors and decisions carry one name
    assert onnx.backend == "onnx"
    assert onnx.name == embedder.name
    files = list(onnx_dir.glob("*/model.onnx"))
    assert len(files) == 1
    reference = embedder.embed(texts)
    got = onnx.embed(texts)
    assert got.shape == reference.shape and got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert float(np.min(np.sum(got * reference, axis=1))) > 0.9999
    stamp = files[0].stat().st_mtime_ns
    again = SentenceTransformerEmbedder(cache_size=0, backend="onnx", onnx_dir=onnx_dir)
    assert files[0].stat().st_mtime_ns == stamp  # loaded, not exported again
    assert float(np.min(np.sum(again.embed(texts[:3]) * reference[:3], axis=1))) > 0.9999


def test_int8_is_close_to_torch(embedder: Any, texts: list[str], onnx_dir: Path) -> None:
    int8 = SentenceTransformerEmbedder(cache_size=0, backend="onnx-int8", onnx_dir=onnx_dir)
    assert int8.backend == "onnx-int8" and int8.name.endswith("+onnx-int8")
    assert (int8._onnx is not None) and int8._onnx.path.name == "model-int8.onnx"
    cosines = np.sum(int8.embed(texts) * embedder.embed(texts), axis=1)
    assert float(np.mean(cosines)) > 0.98 and float(np.min(cosines)) > 0.95
    assert float(np.max(cosines)) < 0.99999  # really the quantised model, not the fp32 one


def test_torch_serves_when_onnx_cannot_load(embedder: Any, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the export directory should be", encoding="utf-8")
    fallback = SentenceTransformerEmbedder(cache_size=0, backend="onnx", onnx_dir=blocked)
    assert fallback.backend == "torch" and fallback.name == embedder.name
    assert float(np.sum(fallback.embed(["hello"])[0] * embedder.embed(["hello"])[0])) > 0.9999


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="onnx-int8"):
        SentenceTransformerEmbedder(cache_size=0, backend="tensorrt")


def test_the_default_is_onnx_fp32_exported_into_the_shared_cache(embedder: Any, tmp_path: Path) -> None:
    from triage.components import load_embedder
    from triage.config import Settings

    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    assert settings.embedding.backend == "onnx"
    default = load_embedder(settings)
    assert getattr(default, "backend", None) == "onnx"
    assert [p.name for p in (tmp_path / "cache" / "onnx").glob("*/*.onnx")] == ["model.onnx"]
    assert not (tmp_path / "data").exists()  # nothing written into the data directory
    texts = ["my account was hacked", "someone posted my address"]
    assert float(np.min(np.sum(default.embed(texts) * embedder.embed(texts), axis=1))) > 0.9999
