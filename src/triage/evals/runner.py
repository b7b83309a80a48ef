"""The eval runner: score a suite with the same pipeline the service runs, on an isolated case store.

For each fold (one, or k for `memory_split`) it builds a fresh in-memory Qdrant store, imports the
memory rows as past cases (`import_cases`, no database), builds the pipeline with
`triage.components.build_pipeline`, and calls `Pipeline.decide_many` batch by batch, with each ticket's
channel, reporter type and region from the suite's fields. Each batch's predictions (one
`PredictionRow` per example) are appended to `predictions.jsonl` at once, so an interrupted run resumes
where it stopped (done ids are skipped; a fold whose tickets are all done is not even rebuilt; the rows
already there are validated first). Everything that decides is seeded, so two runs of the same suite on
the same code give the same predictions.

`--mode llm` plugs the LLM decider (`triage.components.build_llm`) into the same pipeline, behind
`CachedLlm`, a response cache keyed by model, prompt version and the redacted input.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import random
import subprocess
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from triage.adapters.embedder_training import FinetuneOptions
from triage.components import build_exemplar_index, build_llm, build_pipeline, language_detector, open_store
from triage.config import PROJECT_ROOT, Settings
from triage.domain.cases import CaseHit
from triage.domain.policy import Policy, load_policy
from triage.evals.metrics import rouge_l
from triage.evals.predictions import (
    PREDICTIONS,
    CriticalHitRow,
    DraftCheck,
    FlagScore,
    LlmUsage,
    PredictionRow,
    RobustnessCheck,
    append_predictions,
    read_prediction_rows,
    read_predictions,
)
from triage.evals.suites import Example, Suite, SuiteError, assign_folds
from triage.pipeline.classify import LocalClassifier, LocalPrediction
from triage.pipeline.critical import ExemplarIndex
from triage.pipeline.guard import check_reply
from triage.pipeline.language import LanguageDetector
from triage.pipeline.pipeline import Decision, LlmDecider, LlmVerdict, Pipeline, TicketFacts
from triage.pipeline.redact import Redaction, redact
from triage.ports import Embedder
from triage.services.cases import FieldMap, import_cases, read_rows, row_to_case

__all__ = ["CachedLlm", "CachingEmbedder", "RunError", "code_version", "load_examples", "read_predictions",
           "run_suite"]

log = logging.getLogger(__name__)

RUN_META = "run.json"
Progress = Callable[[str, int, int], None]  # (stage, done, total)


class RunError(SuiteError):
    """The run cannot start or go on (e.g. the output directory holds a different run)."""


class CachingEmbedder:
    """Embeds each distinct text once per run: cross-validation folds share their memory's vectors."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", "unknown")
        self.source = getattr(inner, "source", None)  # the model it loads (a fine-tuned directory: its records)
        self.dimension = inner.dimension
        self._cache: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, vector in zip(missing, self.inner.embed(missing), strict=True):
                self._cache[text] = vector
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def unread(self, texts: Sequence[str]) -> list[int]:
        unread = getattr(self.inner, "unread", None)
        return list(unread(texts)) if unread is not None else [0] * len(texts)


class CachedLlm:
    """An `LlmDecider` that remembers verdicts in a JSONL file, keyed by model, prompt version and input.

    A cached verdict comes back with `usage["cached"] = True`, so the report counts cached and live
    calls apart. Failures are never cached.
    """

    def __init__(self, inner: LlmDecider, *, path: Path, model: str, prompt_version: str) -> None:
        self.inner = inner
        self.path = path
        self.model = model
        self.prompt_version = prompt_version
        self._cache: dict[str, dict[str, Any]] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    item = json.loads(line)
                    self._cache[item["key"]] = item["verdict"]
                except (json.JSONDecodeError, KeyError):
                    continue

    def wants(self, *, category_confidence: float, risk: str) -> tuple[bool, str]:
        return self.inner.wants(category_confidence=category_confidence, risk=risk)

    def declines(self) -> str | None:
        return self.inner.declines()

    async def aclose(self) -> None:
        await self.inner.aclose()

    def key(self, *, redacted: Redaction, language: str, hits: list[CaseHit], local: LocalPrediction) -> str:
        # the local distribution chooses the compact prompt's candidates and is combined with the answer
        dist = {c: round(p, 4) for c, p in (local.probs.get("category") or {}).items()}
        material = json.dumps({"model": self.model, "prompt": self.prompt_version, "text": redacted.text,
                               "language": language, "cases": [h.case.id for h in hits], "local": dist,
                               "also": local.also}, sort_keys=True)
        return hashlib.sha256(material.encode()).hexdigest()

    async def decide(self, *, facts: TicketFacts, redacted: Redaction, language: str, hits: list[CaseHit],
                     local: LocalPrediction) -> LlmVerdict:
        key = self.key(redacted=redacted, language=language, hits=hits, local=local)
        if key in self._cache:
            data = dict(self._cache[key])
            data["runner_up"] = [tuple(x) for x in data.get("runner_up", [])]
            data["usage"] = {**data.get("usage", {}), "cached": True}
            return LlmVerdict(**data)
        verdict = await self.inner.decide(facts=facts, redacted=redacted, language=language, hits=hits, local=local)
        data = dataclasses.asdict(verdict)
        self._cache[key] = data
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"key": key, "verdict": data}, ensure_ascii=False) + "\n")
        verdict.usage = {**verdict.usage, "cached": False}
        return verdict


def code_version() -> str:
    """`git describe` of the checkout when there is one, else the installed package version."""
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty", "--tags"], cwd=PROJECT_ROOT,
                             capture_output=True, text=True, timeout=5, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        try:
            return metadata.version("triage")
        except metadata.PackageNotFoundError:
            return "unknown"


def load_examples(suite: Suite, path: Path) -> list[Example]:
    examples: list[Example] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(read_rows(path)):
        ex = suite.normalise(row, i)
        if ex.id in seen:  # keep ids unique (a repeated external id gets a suffix)
            seen[ex.id] += 1
            ex.id = f"{ex.id}#{seen[ex.id]}"
        else:
            seen[ex.id] = 1
        examples.append(ex)
    return examples


def _facts(ex: Example, text: str | None = None) -> TicketFacts:
    return TicketFacts(id=ex.id, subject="", body=text if text is not None else ex.text, channel=str(ex.channel),
                       reporter_type=str(ex.reporter_type), language=ex.language, region=ex.region,
                       received_at=datetime(2026, 1, 5, 12, 0, tzinfo=UTC))


def _argmax(dist: dict[str, float]) -> tuple[str | None, float | None]:
    if not dist:
        return None, None
    best = max(sorted(dist), key=dist.__getitem__)
    return best, dist[best]


def _predict_labels(suite: Suite, d: Decision) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    predicted: dict[str, Any] = {}
    confidence: dict[str, Any] = {}
    probabilities: dict[str, Any] = {}
    for name, spec in suite.labels.items():
        dist = d.probabilities.get(name) or {}
        if name == "category" and not spec.learned:
            predicted[name], confidence[name] = d.category, d.category_confidence
        elif spec.learned:
            predicted[name], confidence[name] = _argmax(dist)
        else:  # risk, queue, priority: the pipeline's final values (after floors and routing)
            predicted[name] = getattr(d, name)
            confidence[name] = dist.get(predicted[name]) if dist else None
        if dist:
            probabilities[name] = {k: round(v, 6) for k, v in dist.items()}
    return predicted, confidence, probabilities


def flag_baselines(suite: Suite, memory: Sequence[Example], pending: Sequence[Example], embedder: Embedder
                   ) -> dict[str, dict[str, float]]:
    """The reference column of the flags: per flag, a logistic regression on the frozen embedding of the memory
    rows that carry the key, scored on `pending` (ticket id -> flag -> P(positive)).

    It is the baseline the issue measured (per-flag AUPRC 0.558 on moderation against the category
    distribution's 0.475), computed in every run so the report shows it beside the pipeline's own scores. Flags
    whose memory has fewer than two rows of either class get none. `embedder` is the run's base model (a
    `CachingEmbedder`: the memory and tickets are embedded once per run), never a fold's fine-tuned one."""
    from sklearn.linear_model import LogisticRegression

    wanted = [name for name in suite.flags if any(ex.flags.get(name) is not None for ex in memory)]
    if not wanted or not pending:
        return {}
    texts = list(dict.fromkeys([ex.text for ex in memory] + [ex.text for ex in pending]))
    vectors = dict(zip(texts, embedder.embed(texts), strict=True))
    x_pending = np.stack([vectors[ex.text] for ex in pending])
    out: dict[str, dict[str, float]] = {ex.id: {} for ex in pending}
    for name in wanted:
        rows = [(vectors[ex.text], int(g)) for ex in memory if (g := ex.flags.get(name)) is not None]
        y = np.array([g for _, g in rows])
        if min(int(y.sum()), int(len(y) - y.sum())) < 2:
            continue
        model = LogisticRegression(max_iter=1000).fit(np.stack([v for v, _ in rows]), y)
        for ex, p in zip(pending, model.predict_proba(x_pending)[:, 1], strict=True):
            out[ex.id][name] = round(float(p), 6)
    return out


def _flag_scores(suite: Suite, ex: Example, d: Decision, predicted: dict[str, Any],
                 baseline: dict[str, float] | None = None) -> dict[str, FlagScore]:
    out = {}
    cat = d.probabilities.get("category") or {}
    ovr = d.probabilities.get("category_ovr") or {}  # calibrated one-vs-rest: a post can be several things
    predicted_categories = {d.category, *d.also}
    for name, flag in suite.flags.items():
        if flag.categories and flag.match == "all":  # P(every one of the flag's categories), taken as independent
            score = (float(np.prod([ovr.get(c, 0.0) for c in flag.categories])) if ovr
                     else min(cat.get(c, 0.0) for c in flag.categories))
            hit = set(flag.categories) <= predicted_categories
        elif flag.categories and ovr:  # P(any of the flag's categories), the categories taken as independent
            score = 1.0 - float(np.prod([1.0 - ovr.get(c, 0.0) for c in flag.categories]))
            hit = bool(predicted_categories & set(flag.categories))
        elif flag.categories:
            score = sum(cat.get(c, 0.0) for c in flag.categories)
            hit = d.category in flag.categories
        elif flag.label:
            score = (d.probabilities.get(flag.label) or {}).get(flag.positive, 0.0)
            hit = predicted.get(flag.label) == flag.positive
        else:
            hit = flag.decision_flag in d.flags
            score = float(hit)
        out[name] = FlagScore(gold=ex.flags.get(name), score=round(float(score), 6), predicted=bool(hit),
                              baseline=(baseline or {}).get(name))
    return out


class _Scorer:
    """Turns one batch of decisions into prediction rows (drafts and robustness included)."""

    def __init__(self, suite: Suite, embedder: Embedder, robust_ids: set[str], detector: LanguageDetector) -> None:
        self.suite = suite
        self.embedder = embedder
        self.robust_ids = robust_ids
        self.detector = detector

    def drafts(self, batch: list[Example], decisions: list[Decision]) -> list[DraftCheck]:
        out: list[DraftCheck] = []
        pairs = [(ex, d) for ex, d in zip(batch, decisions, strict=True) if ex.reference]
        sims: dict[str, float] = {}
        if pairs:
            a = self.embedder.embed([d.draft_reply for _, d in pairs])
            b = self.embedder.embed([ex.reference or "" for ex, _ in pairs])
            sims = {ex.id: float(np.dot(x, y)) for (ex, _), x, y in zip(pairs, a, b, strict=True)}
        for ex, d in zip(batch, decisions, strict=True):
            expected = ex.language or d.language
            reply_lang = self.detector.detect(d.draft_reply).language
            guard = check_reply(d.draft_reply, ticket_values=set(redact(ex.text).mapping.values()))
            check = DraftCheck(language=reply_lang, language_match=reply_lang == expected, issues=guard.issues)
            if ex.reference:  # set only with a reference, so rows without one keep their shape
                check.similarity = round(sims[ex.id], 6)
                check.rouge_l = round(rouge_l(d.draft_reply, ex.reference), 6)
            out.append(check)
        return out

    def row(self, ex: Example, d: Decision, fold: int, draft: DraftCheck | None,
            perturbed: Decision | None, baseline: dict[str, float] | None = None) -> PredictionRow:
        predicted, confidence, probabilities = _predict_labels(self.suite, d)
        row = PredictionRow(
            id=ex.id, fold=fold, language=ex.language or d.language, channel=ex.channel,
            reporter_type=ex.reporter_type, region=ex.region, gold=ex.gold, predicted=predicted,
            confidence=confidence, probabilities=probabilities,
            flags=_flag_scores(self.suite, ex, d, predicted, baseline),
            needs_human=d.needs_human, path=d.path, latency_ms=d.timings_ms,
            usage=LlmUsage.model_validate(d.usage), draft=draft, decision_flags=d.flags,
            reason_codes=d.reason_codes, also=d.also,
            critical=[CriticalHitRow.model_validate(h.as_dict()) for h in d.critical],
        )
        if perturbed is not None:
            p_pred, _, _ = _predict_labels(self.suite, perturbed)
            changed = sorted(k for k in predicted if p_pred.get(k) != predicted[k])
            for k in ("category", "risk"):
                if getattr(perturbed, k) != getattr(d, k) and k not in changed:
                    changed.append(k)
            row.robustness = RobustnessCheck(flipped=bool(changed), changed=changed,
                                             injection_flagged="prompt_injection_suspected" in perturbed.flags)
        return row


def finetune_targets(rows: Sequence[dict[str, Any]], categories: Sequence[str],
                     learned: Sequence[str]) -> tuple[list[str], str]:
    """What a suite's fine-tune learns to separate, one target per memory row, and the target's name.

    The category when the memory has two or more; otherwise (ToxicChat: every case `no_violation`, toxicity and
    jailbreaking are learned labels) the combination of the suite's learned labels, e.g.
    `toxicity=1|jailbreaking=0`, so the encoder learns every distinction the suite scores and no label's
    minority is folded into another's. A row without a learned label counts that label as its own value
    (`toxicity=?`). With one category and no learned label, the categories come back and the fine-tune refuses."""
    if len(set(categories)) >= 2 or not learned:
        return list(categories), "category"
    targets = ["|".join(f"{name}={row.get(name, '?')}" for name in learned) for row in rows]
    return targets, "+".join(learned)


def _finetuned_embedder(*, settings: Settings, base: Embedder, memory: list[dict[str, Any]], directory: Path,
                        options: FinetuneOptions, stats: dict[str, Any], source: str,
                        learned: Sequence[str] = ()) -> Embedder:
    """The embedder fine-tuned on this fold's memory (`--finetune`): written under `directory`, and reused from
    there when the run is resumed (a second fine-tune would not give the same model). It learns the categories,
    or the suite's `learned` labels where the memory has a single category (`finetune_targets`)."""
    from triage.adapters.embedder_training import finetune_embedder, read_manifest
    from triage.components import load_embedder
    from triage.pipeline.model_state import memory_signature

    done = sorted(p.parent for p in directory.glob("embedder-*/triage-embedder.json"))
    if done:
        model_dir, manifest = done[-1], read_manifest(done[-1])
        log.info("reusing the fine-tuned embedder of this run: %s", model_dir)
    else:
        cases, rows = [], []  # as the fold's store holds them (redacted text), so the model learns what it embeds
        for row in memory:
            try:
                # the fold's import names its cases by `source` too: the same ids (`triage-trained.npy`)
                case = row_to_case(row, FieldMap(), source=source)
            except ValueError:  # no text, or no category and nothing ruled out: not imported either
                continue
            if case.labelled:  # a case without a category only rules categories out: nothing to learn here
                cases.append(case)
                rows.append(row)
        signature = memory_signature(cases)
        targets, target = finetune_targets(rows, [c.category or "" for c in cases], learned)
        try:
            model_dir, manifest = finetune_embedder(
                texts=[c.text for c in cases], categories=targets, vectors=None, target=target,
                base_model=str(getattr(base, "source", settings.embedding.model)),
                base_name=str(getattr(base, "name", settings.embedding.model)), out_root=directory, options=options,
                memory={"cases": signature.cases, "digest": signature.digest}, ids=[c.id for c in cases])
        except ValueError as exc:  # one category and no learned label: nothing to learn
            raise RunError(f"--finetune trains on the memory's categories (or, with one category, the suite's "
                           f"learned labels), and cannot here: {exc}") from exc
    stats["finetune"].append({"directory": str(model_dir), **(dataclasses.asdict(manifest) if manifest else {})})
    model_settings = settings.model_copy(
        update={"embedding": settings.embedding.model_copy(update={"model": str(model_dir)})})
    embedder = load_embedder(model_settings)
    if getattr(embedder, "name", "") != (manifest.embedder_name if manifest else None):
        raise RunError(f"the fine-tuned embedder in {model_dir} could not be loaded (see the log); the run stops "
                       "rather than score the base model under the fine-tuned name")
    return CachingEmbedder(embedder)


def _check_out_dir(out_dir: Path, meta: dict[str, Any]) -> None:
    path = out_dir / RUN_META
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        # a resumed run must be the same run: same data, mode, code and policy (else stale predictions mix in)
        for key in ("hashes", "mode", "limit", "code", "policy", "finetune"):
            if old.get(key) != meta.get(key):
                raise RunError(f"{out_dir} holds a run with a different {key} ({old.get(key)!r}); "
                               "choose another --out or delete it")
    out_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(meta, indent=2), encoding="utf-8")


async def _score_fold(
    *, suite: Suite, settings: Settings, policy: Policy, embedder: Embedder, memory: list[dict[str, Any]],
    pending: list[Example], fold: int, batch_size: int, llm: LlmDecider | None, scorer: _Scorer,
    out: Path, on_batch: Callable[[int], None], stats: dict[str, Any], exemplars: ExemplarIndex | None,
    baselines: dict[str, dict[str, float]],
) -> None:
    store = open_store(settings, dimension=embedder.dimension, in_memory=True)  # fresh and isolated per fold
    try:
        t0 = time.perf_counter()
        extra = [n for n in suite.learned if n not in ("category", "risk", "queue")]
        report = import_cases(memory, fields=FieldMap(), store=store, embedder=embedder, sessions=None,
                              source=f"eval:{suite.name}", extra_labels=extra, batch_size=256,
                              detector=language_detector(settings), floors=policy.floors)
        stats["memory"].append({"fold": fold, **report.as_dict(), "seconds": round(time.perf_counter() - t0, 2)})
        pipeline: Pipeline = build_pipeline(
            settings, policy=policy, embedder=embedder, store=store, llm=llm,
            classifier_labels=("category", "risk", *extra, *(["queue"] if "queue" in suite.learned else [])),
            exemplars=exemplars,
        )
        pipeline.warm_up()
        stats["versions"] = pipeline.versions
        for start in range(0, len(pending), batch_size):
            batch = pending[start:start + batch_size]
            decisions = await pipeline.decide_many([_facts(ex) for ex in batch])
            robust = [ex for ex in batch if ex.id in scorer.robust_ids]
            perturbed: dict[str, Decision] = {}
            if robust:
                injection = suite.spec.robustness.injection if suite.spec.robustness else ""
                again = await pipeline.decide_many([_facts(ex, ex.text + injection) for ex in robust])
                perturbed = {ex.id: d for ex, d in zip(robust, again, strict=True)}
            drafts = scorer.drafts(batch, decisions)
            rows = [scorer.row(ex, d, fold, dr, perturbed.get(ex.id), baselines.get(ex.id))
                    for ex, d, dr in zip(batch, decisions, drafts, strict=True)]
            append_predictions(out, rows)
            on_batch(len(batch))
    finally:
        store.close()


def _llm_for(settings: Settings, policy: Policy, cache: Path) -> LlmDecider:
    inner = build_llm(settings, policy)
    if inner is None:
        raise RunError("--mode llm needs an LLM: set TRIAGE_LLM__BASE_URL and TRIAGE_LLM__MODEL "
                       "(and have the LLM path, triage.llm, installed)")
    s = settings.llm
    # the style and candidate count change what is sent as much as the files do
    return CachedLlm(inner, path=cache, model=s.model or "unknown",
                     prompt_version=f"{s.prompt_version}-{s.prompt_style}"
                     + (f"-{s.candidates}" if s.prompt_style == "compact" else "") + f"-{settings.decision_mode}")


async def run_suite(
    suite: Suite, *, out_dir: Path, settings: Settings, embedder: Embedder, mode: str = "local",
    batch_size: int = 32, limit: int | None = None, llm_cache: Path | None = None,
    progress: Progress | None = None, finetune: FinetuneOptions | None = None,
) -> dict[str, Any]:
    """Score `suite` into `out_dir` (resuming what is there) and return the results (also written).

    With `finetune`, each fold's memory first fine-tunes the embedder (`OUT/models/fold-K/`), and that fold is
    embedded, retrieved and classified with the fine-tuned model (the draft-similarity metric keeps the base
    model, so it stays comparable across runs)."""
    from triage.evals.report import summarise, write_reports

    started = time.perf_counter()
    policy = load_policy(settings.policy_dir)
    examples = load_examples(suite, suite.dataset_path)
    if limit:
        examples = examples[:limit]
    cached = CachingEmbedder(embedder)
    exemplars = build_exemplar_index(settings, policy=policy, embedder=cached)  # once per run, shared by folds
    policy_version = policy.version + (f"+{exemplars.bank.version}#{exemplars.bank.digest[:8]}" if exemplars else "")
    meta = {"suite": suite.name, "suite_file": str(suite.path), "hashes": suite.hashes(), "mode": mode,
            "limit": limit, "code": code_version(), "policy": policy_version,
            "finetune": dataclasses.asdict(finetune) if finetune is not None else None,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds")}
    _check_out_dir(out_dir, meta)
    out = out_dir / PREDICTIONS
    done = {r["id"] for r in read_predictions(out_dir, repair=True)}
    ids = {ex.id for ex in examples}
    total = len(examples)
    counter = {"done": len(done & ids)}

    def on_batch(n: int) -> None:
        counter["done"] += n
        if progress:
            progress("scoring", counter["done"], total)

    if progress:
        progress("scoring", counter["done"], total)

    llm: LlmDecider | None = None
    if mode in ("llm", "cascade"):
        run_settings = settings.model_copy(
            update={"classifier": settings.classifier.model_copy(update={"mode": mode})})
        llm = _llm_for(run_settings, policy, llm_cache or (out_dir / "llm-cache.jsonl"))
        settings = run_settings
    elif mode != "local":
        raise RunError(f"unknown mode {mode!r}: use local, llm or cascade")

    robust_ids: set[str] = set()
    if suite.spec.robustness:
        pool = sorted(ex.id for ex in examples)
        sample = suite.spec.robustness.sample
        robust_ids = set(random.Random(suite.spec.seed).sample(pool, min(sample, len(pool))) if sample else pool)
    scorer = _Scorer(suite, cached, robust_ids, language_detector(settings))
    stats: dict[str, Any] = {"memory": [], "versions": {}, "finetune": []}

    if suite.spec.memory_split:
        split = suite.spec.memory_split
        pool_examples = load_examples(suite, suite.dataset_path)  # memory comes from the whole file
        stratify = next(iter(suite.labels), None)
        folds = assign_folds(pool_examples, folds=split.folds, seed=split.seed, stratify=stratify)
        plan = []
        for k in range(split.folds):
            memory_examples = [ex for ex in pool_examples if folds[ex.id] != k]
            memory = [m for ex in memory_examples if (m := suite.memory_row(ex))]
            pending = [ex for ex in examples if folds[ex.id] == k and ex.id not in done]
            plan.append((k, memory, memory_examples, pending))
    else:
        memory_examples = load_examples(suite, suite.memory_path) if suite.memory_path else []
        memory_rows = [m for ex in memory_examples if (m := suite.memory_row(ex))]
        plan = [(0, memory_rows, memory_examples, [ex for ex in examples if ex.id not in done])]

    try:
        for fold, memory, memory_examples, pending in plan:
            if not pending:
                continue
            baselines = flag_baselines(suite, memory_examples, pending, cached) if suite.flags else {}
            log.info("scoring fold %s: %s memory cases, %s tickets", fold, len(memory), len(pending))
            fold_embedder: Embedder = cached
            fold_exemplars = exemplars
            if finetune is not None:
                if progress:
                    progress(f"fine-tuning on fold {fold}'s memory", counter["done"], total)
                fold_embedder = await asyncio.to_thread(
                    _finetuned_embedder, settings=settings, base=embedder, memory=memory,
                    directory=out_dir / "models" / f"fold-{fold}", options=finetune, stats=stats,
                    source=f"eval:{suite.name}", learned=suite.learned)
                fold_exemplars = build_exemplar_index(settings, policy=policy, embedder=fold_embedder)
            await _score_fold(suite=suite, settings=settings, policy=policy, embedder=fold_embedder, memory=memory,
                              pending=pending, fold=fold, batch_size=batch_size, llm=llm, scorer=scorer, out=out,
                              on_batch=on_batch, stats=stats, exemplars=fold_exemplars, baselines=baselines)
    finally:
        if llm is not None:
            await llm.aclose()

    rows = [r for r in read_prediction_rows(out_dir) if r.id in ids]
    pv = stats["versions"]
    versions = {
        "code": code_version(),
        "embedder": pv.get("embedder", getattr(embedder, "name", "unknown")),
        "policy": pv.get("policy", policy.version),
        "classifier": pv.get("classifier", LocalClassifier.version),
        "reply_templates": pv.get("prompt"),
        "critical": pv.get("critical"),
        "llm_model": settings.llm.model if llm is not None else None,
        "llm_prompt": getattr(llm, "prompt_version", None) if llm is not None else None,
    }
    run_info = {
        **meta, "versions": versions, "memory": stats["memory"],
        **({"finetuned_embedders": stats["finetune"]} if stats["finetune"] else {}),
        "memory_kind": "split" if suite.spec.memory_split else ("file" if suite.memory_path else "none"),
        "wall_time_s": round(time.perf_counter() - started, 2), "resumed_from": len(done & ids),
    }
    results = summarise(suite, rows, policy=policy, run=run_info)
    write_reports(out_dir, results, rows)
    return results
