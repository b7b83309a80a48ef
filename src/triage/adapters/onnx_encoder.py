"""ONNX Runtime encoder for the same sentence-transformers weights: fp32, or int8 dynamic quantisation.

Why not sentence-transformers' own `backend="onnx"`: it goes through `optimum-onnx`, whose only release
(0.1.0) requires transformers < 4.58, while sentence-transformers 6 requires transformers >= 5; installing
it would downgrade both. So the two steps it would do are done here with the libraries underneath it:

* **export** the model's transformer (the packaged weights already loaded by sentence-transformers) with
  `torch.onnx.export`, once, into `<data_dir>/onnx/<model>/model.onnx`; nothing is downloaded;
* **quantise** it with ONNX Runtime's `quantize_dynamic` (int8 per-channel MatMul weights, activations
  quantised at run time) into `model-int8.onnx`;

and encoding is the sentence-transformers recipe for this architecture: its own tokenizer (same padding,
truncation and max length), the transformer in ONNX Runtime, mean pooling over the attention mask, L2
normalisation. Only the modules `Transformer -> Pooling(mean) [-> Normalize]` are supported; anything
else is refused, and the embedder then stays on torch (the fallback).

Files are written to a temporary name and renamed, so several processes exporting at once are safe.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["OnnxEncoder", "OnnxUnavailable"]

log = logging.getLogger(__name__)

OPSET = 17


class OnnxUnavailable(RuntimeError):
    """ONNX Runtime is not installed, or this model cannot be run by this encoder."""


def _check_modules(model: Any) -> None:
    names = [type(m).__name__ for m in model]
    if names[:2] != ["Transformer", "Pooling"] or any(n != "Normalize" for n in names[2:]):
        raise OnnxUnavailable(f"unsupported sentence-transformers modules for ONNX: {names}")
    pooling = model[1]
    mode = getattr(pooling, "pooling_mode", None) or pooling.get_config_dict().get("pooling_mode")
    if mode not in (None, "mean") and not getattr(pooling, "pooling_mode_mean_tokens", False):
        raise OnnxUnavailable(f"only mean pooling is supported for ONNX, not {mode!r}")


def _atomic_target(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.stem + ".", suffix=".tmp.onnx", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def export_onnx(model: Any, path: Path) -> None:
    """Export the transformer of a loaded SentenceTransformer to `path` (token embeddings out)."""
    import torch

    transformer = model[0].auto_model.eval()
    tokenizer = model[0].tokenizer
    sample = tokenizer(["an example ticket to trace the graph", "short"], padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.inner(**dict(zip(names, inputs, strict=True))).last_hidden_state  # type: ignore[no-any-return]

    tmp = _atomic_target(path)
    try:
        # the tracer warns about Python conditions on shapes in the attention-mask code; the traced graph is
        # checked against torch on short and truncated long texts (tests/unit/test_onnx_encoder.py)
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                TokenEmbeddings(), tuple(sample[n] for n in names), str(tmp), input_names=names,
                output_names=["token_embeddings"], opset_version=OPSET, dynamo=False,
                dynamic_axes={**{n: {0: "batch", 1: "sequence"} for n in names},
                              "token_embeddings": {0: "batch", 1: "sequence"}},
            )
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def quantise_onnx(source: Path, path: Path) -> None:
    """int8 dynamic quantisation (weights int8, activations quantised per batch at run time)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = _atomic_target(path)
    try:
        # per-channel scales on the MatMul weights only: measured against torch on 200 tickets and posts, mean
        # cosine 0.993 (min 0.985); per-tensor scales gave 0.953 (min 0.80), quantising the embedding table too
        # 0.992 (min 0.981)
        quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"])
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class OnnxEncoder:
    """`encode(texts, batch_size)` -> L2-normalised float32 vectors, like `SentenceTransformer.encode`."""

    def __init__(self, model: Any, *, cache_dir: Path, model_name: str, quantise: bool,
                 threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise OnnxUnavailable("onnxruntime is not installed (pip install 'triage[onnx]')") from exc
        _check_modules(model)
        self.tokenizer = model[0].tokenizer
        self.max_length = int(model.max_seq_length or 512)
        self.normalise = len(list(model)) > 2
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model_name)
        folder = Path(cache_dir) / slug
        fp32 = folder / "model.onnx"
        if not fp32.exists():
            log.info("exporting the embedding model to ONNX", extra={"path": str(fp32)})
            export_onnx(model, fp32)
        path = fp32
        if quantise:
            path = folder / "model-int8.onnx"
            if not path.exists():
                log.info("quantising the ONNX embedding model to int8", extra={"path": str(path)})
                quantise_onnx(fp32, path)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.path = path
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        # longest first, like sentence-transformers: batches of similar length pad less
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out: list[np.ndarray] = [np.empty(0)] * len(texts)
        for start in range(0, len(texts), batch_size):
            idx = order[start:start + batch_size]
            enc = self.tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=self.max_length,
                                 return_tensors="np")
            feeds = {name: np.asarray(enc[name], dtype=np.int64) for name in self.inputs}
            with self._lock:
                (tokens,) = self.session.run(["token_embeddings"], feeds)
            mask = feeds["attention_mask"][..., None].astype(np.float32)
            pooled = (tokens * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            if self.normalise:
                pooled = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            for row, i in enumerate(idx):
                out[i] = pooled[row]
        return np.asarray(out, dtype=np.float32)
