"""Fine-tuning the embedding model on the case memory (`triage model train --finetune`, `triage eval run --finetune`).

What is trained, and why
------------------------
The encoder (all-MiniLM-L6-v2 by default) is trained end to end with sentence-transformers'
`SentenceTransformerTrainer` on the memory's cases, labelled by their category, through a linear head over the
sentence embedding and a class-weighted cross-entropy (`CategoryCrossEntropyLoss`). The encoder is saved, and
the pipeline keeps doing what it does with any embedder (nearest cases, the local classifier's heads on the
vectors); the head is saved beside it (`triage-head.npz`, the weights of the epoch kept) for analysis and for
scoring the held-out slice again.

* **A classification objective, not triplets or SetFit pairs.** It is the objective the issue measured on
  HateXplain (mean pooling + linear head, class-weighted cross-entropy, lr 3e-5 to 6e-5: macro-F1 0.63-0.64
  against 0.57-0.59 frozen), it costs one forward pass per case per epoch (pairs cost two, and SetFit draws
  many pairs per case), and it needs no batch sampler that puts two cases of a class in every batch
  (`BatchAllTripletLoss` learns nothing from a batch without such a pair, which is most batches for a rare
  category). Class weights keep a majority category from owning the gradient.
* **The head starts at the category centroids** of the current vectors (a nearest-centroid classifier, scaled),
  and learns at its own rate (`learning_rate_mapping`): from a random start, at the encoder's small rate, the
  first epoch would be spent teaching the head rather than the encoder.
* **Bounded by the clock.** A callback stops training at the first step boundary after the budget (one step is
  a batch of short texts: a second or two on 2 cores); the validation pass that follows is the only slack.
* **The epoch is chosen on a held-out slice** of the memory (`validation_share`, stratified): the weights after
  each epoch (or after the budget stopped training) are scored there (macro-F1 of the head), and the best are
  kept. The untrained encoder with its centroid head is scored too, and written in the manifest, so a fine-tune
  that did not help on the memory says so.

Layout of a fine-tuned model (a directory that `TRIAGE_EMBEDDING__MODEL` can point at)::

    <data dir>/models/embedder-20261130T093000Z-3f2a9c1d/
        config.json, model.safetensors, modules.json, ...   the sentence-transformers model
        triage-embedder.json                                 the manifest (`FinetuneManifest`)
        triage-head.npz                                      the category head: classes, weight, bias
        triage-trained.npy                                   hashes of the case ids trained on (when known)

The directory is written under a temporary name and renamed when complete: a directory with a manifest is
whole.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from triage.adapters.embedder import quiet_offline_loading, resolve_model_path

if TYPE_CHECKING:
    from triage.config import FinetuneSettings

__all__ = ["HEAD", "MANIFEST", "TRAINED", "CategoryHead", "FinetuneManifest", "FinetuneOptions", "finetune_embedder",
           "read_head", "read_manifest", "read_trained_ids"]

log = logging.getLogger(__name__)

MANIFEST = "triage-embedder.json"
HEAD = "triage-head.npz"
#: the ids of the cases the encoder was trained on (`hash_ids`, sorted): the local classifier does not take their
#: out-of-fold predictions as evidence of how precise it is on new tickets
TRAINED = "triage-trained.npy"
FORMAT = 1
#: below this many cases no slice is held out: every case is needed for training
MIN_CASES_FOR_VALIDATION = 50

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class FinetuneOptions:
    """The knobs of one fine-tune: `FinetuneSettings` (where the defaults and their reasons live), with the
    budget in seconds. Build it with `from_settings`."""

    budget_s: float
    epochs: int
    learning_rate: float
    head_learning_rate: float
    warmup_share: float
    batch_size: int
    max_seq_length: int
    validation_share: float
    max_cases: int
    seed: int

    @classmethod
    def from_settings(cls, settings: FinetuneSettings, *, budget_minutes: float | None = None) -> FinetuneOptions:
        """TRIAGE_FINETUNE__*, with the budget of a command-line flag when given."""
        values = settings.model_dump()
        values["budget_s"] = (budget_minutes if budget_minutes is not None else values.pop("budget_minutes")) * 60
        values.pop("budget_minutes", None)
        return cls(**values)


@dataclass(frozen=True)
class FinetuneManifest:
    """What a fine-tuned model was made from and how; `triage-embedder.json` in its directory."""

    version: str
    format: int
    base_model: str  # the embedder name of the model that was fine-tuned (as recorded on decisions)
    base_source: str  # the TRIAGE_EMBEDDING__MODEL value it was loaded from
    cases: int  # cases trained on (the validation slice excluded)
    validation_cases: int
    categories: dict[str, int]
    memory: dict[str, Any]  # {"cases": N, "digest": sha256 of every case's id and labels}
    # the store's `revision()` when read; the edge store counts its own process's writes (0 just after opening),
    # so memory['digest'] is what identifies the memory across processes
    memory_revision: int | None
    loss: str
    steps: int
    epochs_run: float
    best_epoch: float | None
    validation_macro_f1: dict[str, float | None]  # {"base": ..., "finetuned": ...} on the held-out slice
    duration_s: float  # the training loop (the budget's clock)
    total_s: float  # everything: loading, training, validation, saving
    budget_s: float
    stopped_by_budget: bool
    options: dict[str, Any]
    created_at: str
    libraries: dict[str, str] = field(default_factory=dict)
    #: what the head separates: "category", or the learned labels a suite's eval trained on
    #: ("toxicity+jailbreaking"; `categories` then counts their combinations)
    target: str = "category"

    @property
    def embedder_name(self) -> str:
        """The name decisions record for vectors made by this model."""
        return f"{self.base_model}+ft:{self.version}"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FinetuneManifest:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def read_manifest(directory: Path | str) -> FinetuneManifest | None:
    """The manifest of a fine-tuned model directory; None when `directory` is not one."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        return None
    return FinetuneManifest.from_json(json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class CategoryHead:
    """The linear category head a fine-tune ended with (`triage-head.npz`): logits = vectors @ weight.T + bias."""

    classes: list[str]
    weight: np.ndarray  # (classes, dimension)
    bias: np.ndarray  # (classes,)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Softmax of the head's logits for unit-normalised sentence vectors (rows follow `classes`)."""
        logits = np.asarray(vectors, dtype=np.float64) @ self.weight.T.astype(np.float64) + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return np.asarray(e / e.sum(axis=1, keepdims=True))


def read_head(directory: Path | str) -> CategoryHead | None:
    """The category head of a fine-tuned model directory; None when it has none (older fine-tunes, other models)."""
    path = Path(directory) / HEAD
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        return CategoryHead(classes=[str(c) for c in data["classes"]], weight=np.asarray(data["weight"]),
                            bias=np.asarray(data["bias"]))


def read_trained_ids(directory: Path | str) -> np.ndarray | None:
    """The id hashes (written sorted) of the cases a fine-tuned model directory was trained on; None when not
    recorded."""
    path = Path(directory) / TRAINED
    if not path.is_file():
        return None
    return np.asarray(np.load(path, allow_pickle=False), dtype=np.int64)


def _stratified_split(labels: list[int], share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, validation rows): `share` of each class held out, none from a class of fewer than 3 cases."""
    rng = np.random.default_rng(seed)
    train: list[int] = []
    held: list[int] = []
    by_class: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        by_class.setdefault(label, []).append(i)
    for rows in by_class.values():
        rows = list(rng.permutation(rows))
        n = int(round(len(rows) * share)) if len(rows) >= 3 else 0
        held.extend(rows[:n])
        train.extend(rows[n:])
    return np.sort(np.asarray(train, dtype=np.int64)), np.sort(np.asarray(held, dtype=np.int64))


def _macro_f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, predicted, average="macro", labels=np.unique(gold), zero_division=0))


def _build_loss(model: Any, *, centroids: np.ndarray, class_weights: np.ndarray, scale: float) -> Any:
    """The loss module; built here so that torch is imported only when a fine-tune runs."""
    import torch
    from torch import nn

    class CategoryCrossEntropyLoss(nn.Module):
        """Class-weighted cross-entropy of a linear head over the sentence embedding (see the module doc)."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model
            self.classifier = nn.Linear(centroids.shape[1], centroids.shape[0])
            with torch.no_grad():
                self.classifier.weight.copy_(torch.from_numpy(centroids * scale))
                self.classifier.bias.zero_()
            self.loss_fct = nn.CrossEntropyLoss(weight=torch.from_numpy(class_weights))

        def logits(self, embeddings: torch.Tensor) -> torch.Tensor:
            return self.classifier(embeddings)

        def forward(self, sentence_features: Sequence[dict[str, torch.Tensor]], labels: torch.Tensor) -> torch.Tensor:
            embeddings = self.model(sentence_features[0])["sentence_embedding"]
            return self.loss_fct(self.logits(embeddings), labels.view(-1))

        def get_config_dict(self) -> dict[str, Any]:
            return {"scale": scale, "classes": int(centroids.shape[0]), "class_weighted": True}

    return CategoryCrossEntropyLoss()


def _callbacks(*, budget_s: float, on_step: Callable[[int, int], None], validate: Callable[[float], None]) -> Any:
    from transformers import TrainerCallback

    class BudgetAndEpochs(TrainerCallback):  # type: ignore[misc]
        """Stops at the first step boundary past the deadline; scores the weights at each epoch's end."""

        def __init__(self) -> None:
            self.stopped_by_budget = False
            self.deadline = time.monotonic() + budget_s

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            self.deadline = time.monotonic() + budget_s  # the budget bounds the training loop
            return control

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            on_step(state.global_step, state.max_steps)
            if time.monotonic() >= self.deadline:
                self.stopped_by_budget = True
                control.should_training_stop = True
            return control

        def on_epoch_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            validate(float(state.epoch or 0.0))
            return control

    return BudgetAndEpochs()


def finetune_embedder(
    *, texts: Sequence[str], categories: Sequence[str], vectors: np.ndarray | None, base_model: str, base_name: str,
    out_root: Path, options: FinetuneOptions, memory: dict[str, Any], memory_revision: int | None = None,
    progress: Progress | None = None, ids: Sequence[str] | None = None, target: str = "category",
) -> tuple[Path, FinetuneManifest]:
    """Fine-tune `base_model` (a TRIAGE_EMBEDDING__MODEL value) on labelled texts; write a new model directory
    under `out_root` and return it with its manifest.

    `vectors` are the texts' current vectors (the store's), used to start the head at the category centroids;
    None embeds the texts with the base model first. `ids` (the cases' ids, in the texts' order) are recorded for
    the cases trained on (not the validation slice): `TRAINED`. `categories` are the classes the head separates;
    `target` names what they are (the manifest's `target`). Raises ValueError when there is nothing to learn from
    (fewer than 2 categories or 4 cases).
    """
    started = time.monotonic()
    labels_all = list(categories)
    if len(texts) != len(labels_all):
        raise ValueError(f"{len(texts)} texts but {len(labels_all)} categories")
    if ids is not None and len(ids) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(ids)} ids")
    classes = sorted(set(labels_all))
    if len(classes) < 2 or len(texts) < 4:
        raise ValueError(f"fine-tuning needs at least 2 categories and 4 cases; the memory has {len(classes)} "
                         f"categor{'y' if len(classes) == 1 else 'ies'} and {len(texts)} case(s)")
    from triage.pipeline.classify import bounded_sample

    keep = bounded_sample(labels_all, options.max_cases, options.seed)
    texts = [texts[i] for i in keep]
    labels_all = [labels_all[i] for i in keep]
    kept_ids = [ids[i] for i in keep] if ids is not None else None
    if vectors is not None:
        vectors = np.asarray(vectors, dtype=np.float32)[keep]
    index = {c: i for i, c in enumerate(classes)}
    y = np.asarray([index[c] for c in labels_all], dtype=np.int64)
    share = options.validation_share if len(texts) >= MIN_CASES_FOR_VALIDATION else 0.0
    train_rows, val_rows = _stratified_split(y.tolist(), share, options.seed)

    quiet_offline_loading(base_model)
    import datasets
    import sentence_transformers
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer
    from sentence_transformers.base.training_args import BatchSamplers
    from sentence_transformers.sentence_transformer.training_args import SentenceTransformerTrainingArguments
    from transformers.trainer_callback import PrinterCallback

    source, _ = resolve_model_path(base_model)
    torch.manual_seed(options.seed)
    model = SentenceTransformer(source, device="cpu")
    serving_length = model.max_seq_length
    model.max_seq_length = min(options.max_seq_length, serving_length or options.max_seq_length)

    def encode(rows: np.ndarray) -> np.ndarray:
        return np.asarray(model.encode([texts[i] for i in rows], batch_size=64, convert_to_numpy=True,
                                       normalize_embeddings=True, show_progress_bar=False), dtype=np.float32)

    train_vectors = vectors[train_rows] if vectors is not None else encode(train_rows)
    centroids = np.zeros((len(classes), train_vectors.shape[1]), dtype=np.float32)
    for c in range(len(classes)):
        members = train_vectors[y[train_rows] == c]
        if len(members):
            mean = members.mean(axis=0)
            centroids[c] = mean / (np.linalg.norm(mean) or 1.0)
    counts = np.bincount(y[train_rows], minlength=len(classes)).astype(np.float32)
    # inverse frequency, normalised to mean 1; a class with no training case gets no weight at all
    weights = np.where(counts > 0, counts.sum() / (len(classes) * np.maximum(counts, 1)), 0.0).astype(np.float32)
    loss = _build_loss(model, centroids=centroids, class_weights=weights, scale=20.0)

    scores: dict[str, float | None] = {"base": None, "finetuned": None}
    best: dict[str, Any] = {"f1": None, "epoch": None, "state": None}

    scored: list[float] = []  # the epochs already validated (the callback and the end of training may both ask)

    def validate(epoch: float) -> None:
        if not len(val_rows) or epoch in scored:
            return
        scored.append(epoch)
        with torch.no_grad():
            embedded = torch.from_numpy(encode(val_rows))
            predicted = loss.logits(embedded).argmax(dim=1).numpy()
        f1 = _macro_f1(y[val_rows], predicted)
        log.info("fine-tune validation", extra={"epoch": epoch, "macro_f1": round(f1, 4)})
        if epoch == 0.0:
            scores["base"] = round(f1, 4)
        if best["f1"] is None or f1 > best["f1"]:
            # the base weights are kept too: a fine-tune that only makes things worse gives them back
            best.update(f1=f1, epoch=epoch, state={k: v.detach().clone() for k, v in model.state_dict().items()},
                        head={k: v.detach().clone() for k, v in loss.classifier.state_dict().items()})

    total_steps = {"max": 0}

    def on_step(done: int, total: int) -> None:
        total_steps["max"] = total
        if progress is not None:
            progress("fine-tuning", done, total)

    callback = _callbacks(budget_s=options.budget_s, on_step=on_step, validate=validate)
    validate(0.0)
    out_root.mkdir(parents=True, exist_ok=True)
    work = out_root / f".training-{os.getpid()}-{int(time.time())}"
    args = SentenceTransformerTrainingArguments(
        output_dir=str(work / "trainer"), num_train_epochs=options.epochs,
        per_device_train_batch_size=options.batch_size, learning_rate=options.learning_rate,
        learning_rate_mapping={r"^classifier\.": options.head_learning_rate}, warmup_steps=options.warmup_share,
        weight_decay=0.01, seed=options.seed, data_seed=options.seed, use_cpu=True, report_to="none",
        save_strategy="no", eval_strategy="no", logging_strategy="no", disable_tqdm=True,
        dataloader_pin_memory=False, batch_sampler=BatchSamplers.BATCH_SAMPLER,
    )
    train_set = datasets.Dataset.from_dict({"text": [texts[i] for i in train_rows],
                                            "label": y[train_rows].tolist()})

    class Trainer(SentenceTransformerTrainer):  # type: ignore[misc]
        def add_model_card_callback(self, default_args_dict: dict[str, Any]) -> None:
            """None: the model card callback samples "widget examples" (with a progress bar on stderr) for a README
            that is not written here; the manifest describes the directory (ST documents this override)."""

    trainer = Trainer(model=model, args=args, train_dataset=train_set, loss=loss, callbacks=[callback])
    trainer.remove_callback(PrinterCallback)  # it prints log lines to stdout; the progress hook reports instead
    train_started = time.monotonic()
    try:
        trainer.train()
        duration = time.monotonic() - train_started
        state = trainer.state
        if state.global_step > 0:  # the weights training ended with (the budget may stop it mid-epoch)
            validate(float(state.epoch or 0.0))
        if best["state"] is not None:
            model.load_state_dict(best["state"])
            loss.classifier.load_state_dict(best["head"])
            scores["finetuned"] = round(float(best["f1"]), 4) if best["f1"] is not None else None
        model.max_seq_length = serving_length
        version = f"embedder-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{str(memory.get('digest', ''))[:8] or 'nomemory'}"
        manifest = FinetuneManifest(
            version=version, format=FORMAT, base_model=base_name, base_source=base_model, cases=len(train_rows),
            validation_cases=len(val_rows), categories={c: int(n) for c, n in zip(classes, counts, strict=True)},
            memory=dict(memory), memory_revision=memory_revision, loss="class-weighted cross-entropy, linear head "
            "from category centroids (CategoryCrossEntropyLoss)", steps=int(state.global_step),
            epochs_run=round(float(state.epoch or 0.0), 3),
            best_epoch=None if best["epoch"] is None or not len(val_rows) else round(float(best["epoch"]), 3),
            validation_macro_f1=scores, duration_s=round(duration, 2), total_s=0.0, budget_s=options.budget_s,
            stopped_by_budget=bool(callback.stopped_by_budget), options=asdict(options),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            libraries={"sentence-transformers": sentence_transformers.__version__, "torch": torch.__version__,
                       "transformers": transformers.__version__},
            target=target,
        )
        staging = work / version
        model.save(str(staging), create_model_card=False)
        if kept_ids is not None:
            from triage.pipeline.classify import hash_ids

            np.save(staging / TRAINED, np.sort(hash_ids([kept_ids[i] for i in train_rows])))
        np.savez(staging / HEAD, classes=np.asarray(classes), weight=loss.classifier.weight.detach().numpy(),
                 bias=loss.classifier.bias.detach().numpy())
        manifest = FinetuneManifest(**{**asdict(manifest), "total_s": round(time.monotonic() - started, 2)})
        (staging / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
        written = out_root / version
        os.replace(staging, written)  # complete, or not there at all
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("fine-tuned embedder written", extra={"directory": str(written), "steps": manifest.steps,
                                                   "seconds": manifest.duration_s})
    return written, manifest
