"""The one pipeline: redact → embed → retrieve → classify → critical detector → LLM → floors → route →
draft → guard.

The HTTP API, the CLI and the eval runner all call `Pipeline.decide_many`. It knows nothing of HTTP or
the database: it takes `TicketFacts` and returns `Decision`s; the service layer persists both.
The CPU-bound half (`prepare`: redaction, language, embedding, retrieval, local classifier, critical
detector) runs for a whole batch in a worker thread so the event loop keeps serving; the rest
(`finish`) is a list of small stages over one `DecisionDraft` (see `triage.pipeline.stages`).

Nothing here fails open: a store that cannot be searched or an embedder that fails leaves the ticket
with less evidence, never with a lower risk (`apply_no_evidence`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from triage.domain.cases import CaseHit
from triage.domain.policy import Policy
from triage.errors import LlmError
from triage.pipeline import stages
from triage.pipeline.classify import LocalClassifier, LocalPrediction
from triage.pipeline.critical import CriticalDetector
from triage.pipeline.decision import (
    CriticalHit,
    Decision,
    DecisionDraft,
    DecisionPath,
    MemoryState,
    Prepared,
    Reason,
    ReasonCode,
    TicketFacts,
)
from triage.pipeline.draft import LocalDrafter
from triage.pipeline.guard import check_reply, strip_promises
from triage.pipeline.language import LanguageDetector
from triage.pipeline.microbatch import MicroBatcher
from triage.pipeline.redact import Redaction, redact, restore
from triage.pipeline.route import Router
from triage.pipeline.signals import SignalScanner
from triage.ports import CaseStore, Embedder

__all__ = ["Decision", "DecisionObserver", "DecisionPath", "LlmDecider", "LlmVerdict", "Pipeline", "Reason",
           "ReasonCode", "TicketFacts"]

log = logging.getLogger(__name__)

# kinds of personal data a reply may repeat back to the person who gave them
RESTORABLE = {"EMAIL", "HANDLE", "PHONE"}


@dataclass
class LlmVerdict:
    """What an LLM decider returns; `None` fields mean 'keep the local value'."""

    category: str
    category_confidence: float
    risk: str
    rationale: str
    draft_reply: str | None
    versions: dict[str, str]
    usage: dict[str, Any]
    runner_up: list[tuple[str, float]] = field(default_factory=list)


class LlmDecider(Protocol):
    """The LLM path (see triage.llm). Raises triage.errors.LlmError when it cannot decide."""

    async def decide(
        self, *, facts: TicketFacts, redacted: Redaction, language: str, hits: list[CaseHit],
        local: LocalPrediction,
    ) -> LlmVerdict: ...

    def wants(self, *, category_confidence: float, risk: str) -> tuple[bool, str]:
        """Cascade: whether to ask the LLM, and why."""
        ...

    def declines(self) -> str | None:
        """Why the LLM must not be asked at all now (its daily budget is spent), or None."""
        ...

    async def aclose(self) -> None:
        """Close its connections (on shutdown)."""
        ...


class DecisionObserver(Protocol):
    """Told about every batch once it is decided (metrics, traces; see triage.telemetry). Reads the decisions'
    `timings_ms` and `usage`; must not change them. A failing observer is logged, never lets a decision fail."""

    def observe(self, batch: list[TicketFacts], decisions: list[Decision], *, started_ns: int, ended_ns: int) -> None:
        ...


class Pipeline:
    def __init__(
        self,
        *,
        policy: Policy,
        embedder: Embedder,
        store: CaseStore,
        classifier: LocalClassifier,
        router: Router,
        drafter: LocalDrafter,
        signals: SignalScanner,
        language_detector: LanguageDetector,
        critical: CriticalDetector | None = None,
        top_k: int = 8,
        min_confidence: float = 0.55,
        llm: LlmDecider | None = None,
        mode: str = "local",
        min_memory_cases: int = 50,
        min_cases_per_category: int = 5,
        no_evidence_risk: str = "high",
        min_language_cases: int = 0,
        review_partly_read: bool = True,
        micro_batch_max: int = 0,
        micro_batch_window_s: float = 0.0,
    ) -> None:
        self.policy = policy
        self.embedder = embedder
        self.store = store
        self.classifier = classifier
        self.router = router
        self.drafter = drafter
        self.signals = signals
        self.language_detector = language_detector
        self.critical = critical
        self.top_k = top_k
        self.min_confidence = min_confidence
        self.llm = llm
        self.mode = mode
        self.min_memory_cases = min_memory_cases
        self.min_cases_per_category = min_cases_per_category
        if no_evidence_risk not in policy.risk_order:
            raise ValueError(f"no_evidence_risk {no_evidence_risk!r} is not one of {policy.risk_order}")
        self.no_evidence_risk = no_evidence_risk
        self.min_language_cases = min_language_cases
        self.review_partly_read = review_partly_read
        # (store revision, memory cases per language counted so far, whether the memory records languages)
        self._language_counts: tuple[int, dict[str, int], bool] | None = None
        # (store revision, cases with a category, cases without one)
        self._case_counts: tuple[int, int, int] | None = None
        self.observers: list[DecisionObserver] = []
        # concurrent decide_many calls share one prepare (one embedding pass); 0 = each runs its own
        self.micro_batcher: MicroBatcher[TicketFacts, Prepared] | None = (
            MicroBatcher(lambda batch: self.prepare(batch), max_items=micro_batch_max, window_s=micro_batch_window_s)
            if micro_batch_max > 0 else None)

    @property
    def versions(self) -> dict[str, str]:
        return {
            "embedder": getattr(self.embedder, "name", "unknown"),
            "policy": f"{self.policy.version}+{self.signals.version}" + (
                f"+{self.classifier.lexicon_version}" if self.classifier.lexicon_version else ""),
            "classifier": self.classifier.version,
            "prompt": self.drafter.version,
            **({"critical": self.critical.version} if self.critical is not None else {}),
        }

    def memory_state(self, *, store_ok: bool = True, count: int | None = None) -> MemoryState:
        """The case memory as the last fit saw it (cases per category), and the store's current size."""
        per_category = self.classifier.class_counts("category")
        thin = tuple(sorted(c for c in self.policy.categories if per_category.get(c, 0) < self.min_cases_per_category))
        cases = count if count is not None else self.classifier.fitted_count
        return MemoryState(cases=cases, fitted=self.classifier.fitted, per_category=per_category,
                           thin_categories=thin, min_cases=self.min_memory_cases, store_ok=store_ok)

    # -- the CPU-bound half, in a worker thread ---------------------------------------------------
    def prepare(self, batch: list[TicketFacts]) -> list[Prepared]:
        n = max(1, len(batch))
        problems: list[Reason] = []
        t0 = time.perf_counter()
        redactions = [redact(f.text) for f in batch]
        # the ticket as written minus instructions aimed at a model: what the language detector and the critical
        # detector read (an English "ignore previous instructions..." appended to a Thai ticket must not make it
        # English, and so lift the language check's floor; invariant 4)
        unprompted = [self.signals.strip_injection(f.text) for f in batch]
        tl = time.perf_counter()
        languages: list[tuple[str, bool, bool]] = []  # language, detected, confident
        for f, text in zip(batch, unprompted, strict=True):
            if f.language:
                languages.append((f.language, False, True))
            else:
                detection = self.language_detector.detect(text)
                languages.append((detection.language, True, detection.confident))
        t1 = time.perf_counter()
        # instructions aimed at a model are taken out of what the classifier sees (invariant 4)
        classified_texts = [self.signals.strip_injection(r.text) for r in redactions]
        vectors: np.ndarray | None
        try:
            vectors = self.embedder.embed(classified_texts)
        except Exception as exc:  # a failed model raises risk below; it never loses the ticket
            log.exception("the embedder failed; deciding without vectors")
            vectors = None
            problems.append(Reason(ReasonCode.model_unavailable, f"embedding failed ({type(exc).__name__})"))
        unread = self._unread(classified_texts)
        t2 = time.perf_counter()
        store_ok = True
        hits_per: list[list[CaseHit]] = [[] for _ in batch]
        if vectors is not None:
            try:
                hits_per = self.store.search_many(vectors, limit=self.top_k)
            except Exception as exc:  # store down: decide without neighbours, at raised risk
                log.exception("the case store could not be searched; deciding without similar cases")
                store_ok = False
                problems.append(Reason(ReasonCode.store_unavailable,
                                       f"similar cases could not be retrieved ({type(exc).__name__})"))
        t3 = time.perf_counter()
        count: int | None = None
        try:
            self.classifier.ensure_fitted()
            count = self.labelled_count()
        except Exception as exc:  # keep the model fitted before the store went away
            if store_ok:
                log.exception("the case store could not be read to refit; keeping the previous model")
                problems.append(Reason(ReasonCode.store_unavailable, f"the memory could not be read "
                                                                     f"({type(exc).__name__})"))
            store_ok = False
        memory = self.memory_state(store_ok=store_ok, count=count)
        in_language = self._language_cases({lang for lang, _, confident in languages if confident}) if store_ok else {}
        tc = time.perf_counter()
        predictions: list[LocalPrediction]
        if vectors is None or not self.classifier.has_models:  # nothing learned to predict with
            predictions = [LocalPrediction(probs={}) for _ in batch]
        else:
            predictions = self.classifier.predict_many(vectors, hits_per, classified_texts)
        t4 = time.perf_counter()
        found = [tuple(self.signals.scan(f.text)) for f in batch]
        criticals: list[tuple[tuple[CriticalHit, ...], tuple[CriticalHit, ...]]] = [((), ()) for _ in batch]
        if self.critical is not None:
            # the detector reads the ticket as written (minus injected instructions), not the redacted text:
            # it never leaves the process, and a child's age or a street name is evidence
            criticals = list(self.critical.detect(
                vectors, unprompted, category_probs=[p.probs.get("category") or {} for p in predictions],
                signals=found))
        t5 = time.perf_counter()
        timings = {
            "redact_ms": (tl - t0) * 1000 / n,
            "language_ms": (t1 - tl) * 1000 / n,
            "embed_ms": (t2 - t1) * 1000 / n,
            "retrieve_ms": (t3 - t2) * 1000 / n,
            "classify_ms": (t4 - tc) * 1000 / n,
            "critical_ms": (t5 - t4) * 1000 / n,
        }
        return [
            Prepared(
                facts=f, redaction=r, language=lang, language_detected=detected, language_confident=confident,
                vector=None if vectors is None else vectors[i], hits=tuple(hits), local=pred,
                critical=crit, signals=sigs, memory=memory, problems=tuple(problems), timings=dict(timings),
                language_cases=in_language.get(lang) if confident else None, near_misses=near, unread=unread[i],
            )
            for i, (f, r, (lang, detected, confident), hits, pred, (crit, near), sigs) in enumerate(
                zip(batch, redactions, languages, hits_per, predictions, criticals, found, strict=True))
        ]

    def _unread(self, texts: list[str]) -> list[int]:
        """Per text, the word pieces the embedding model cuts off (0 when the embedder cannot tell, or when the
        check is off). Counting never fails a decision: it only adds a person."""
        unread = getattr(self.embedder, "unread", None)
        if not self.review_partly_read or unread is None:
            return [0] * len(texts)
        try:
            return [int(n) for n in unread(texts)]
        except Exception:
            log.warning("could not count the word pieces the embedder reads", exc_info=True)
            return [0] * len(texts)

    def _counts(self) -> tuple[int, int, int]:
        """(store revision, cases with a category, cases without one), counted again only when the memory changed.

        A case without a category (its labels only rule categories out) is no similar case and no evidence of what
        the memory knows: it must not make a tiny memory, or a language the memory barely holds, look covered."""
        revision = self.store.revision()
        cached = self._case_counts
        if cached is None or cached[0] != revision:
            total = self.store.count()
            unnamed = self.store.count({"category": None}) if total else 0
            cached = (revision, total - unnamed, unnamed)
            self._case_counts = cached
        return cached

    def labelled_count(self) -> int:
        """The memory's cases with a category: its size as evidence (the tiny-memory reason, `/readyz`)."""
        return self._counts()[1]

    def _language_cases(self, wanted: set[str]) -> dict[str, int]:
        """Memory cases in each of these languages (filtered counts, cached per store revision), for the language
        floor (`stages.apply_no_evidence`). Empty when the floor is off, or when fewer than half the memory's cases
        record a language (a memory imported before languages were detected on import): there, a missing language
        says nothing about what the memory can read."""
        if self.min_language_cases <= 0 or not wanted:
            return {}
        try:
            revision, labelled, unnamed = self._counts()  # one revision check, the memory's size from its cache
            cached = self._language_counts
            if cached is None or cached[0] != revision:
                recorded = self.store.count({"language": self.language_detector.languages()})
                cached = (revision, {}, 2 * recorded >= labelled + unnamed)
                self._language_counts = cached
            _, counts, informative = cached
            if not informative:
                return {}
            for language in wanted - counts.keys():
                counts[language] = self.store.count({"language": language}) - (
                    self.store.count({"language": language, "category": None}) if unnamed else 0)
            return {language: counts[language] for language in wanted}
        except Exception:  # the floor is extra caution; a store that fails here is caught by the search above
            log.warning("memory cases per language could not be counted", exc_info=True)
            return {}

    def memory_languages(self) -> dict[str, int] | None:
        """The memory's cases per recorded language (those it holds any of), for `/readyz`; None when the
        language check is off or the memory records too few languages for it."""
        if self.min_language_cases <= 0:
            return None
        counts = self._language_cases(set(self.language_detector.languages()))
        return {lang: n for lang, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n} or None

    async def decide_many(self, batch: list[TicketFacts]) -> list[Decision]:
        if not batch:
            return []
        started_ns = time.time_ns()
        if self.micro_batcher is not None:
            prepared = await self.micro_batcher.submit(batch)
        else:
            prepared = await asyncio.to_thread(self.prepare, batch)
        decisions = list(await asyncio.gather(*(self.finish(p) for p in prepared)))
        self._notify(batch, decisions, started_ns=started_ns)
        return decisions

    def _notify(self, batch: list[TicketFacts], decisions: list[Decision], *, started_ns: int) -> None:
        ended_ns = time.time_ns()
        for observer in list(self.observers):
            try:
                observer.observe(batch, decisions, started_ns=started_ns, ended_ns=ended_ns)
            except Exception:  # instrumentation never costs a decision
                log.exception("a decision observer failed (%s)", type(observer).__name__)

    async def decide(self, facts: TicketFacts) -> Decision:
        return (await self.decide_many([facts]))[0]

    def warm_up(self) -> None:
        """Load lazily-built parts now (language model, fitted classifier) so the first ticket is fast."""
        self.language_detector.detect("warm up the language detector")
        self.classifier.ensure_fitted()

    # -- the decision, per ticket: a list of stages ------------------------------------------------
    async def finish(self, p: Prepared) -> Decision:
        policy = self.policy
        draft = stages.start_draft(p, policy, versions=self.versions)
        stages.note_local_evidence(draft, injection_suspected=self.signals.injection_suspected(p.facts.text))
        stages.note_language(draft)
        await self._ask_llm(draft)
        stages.apply_risk_floors(draft, policy)
        stages.apply_signals(draft, list(p.signals), policy, min_confidence=self.min_confidence)
        stages.apply_critical(draft, policy, min_confidence=self.min_confidence)
        stages.apply_no_evidence(draft, policy, level=self.no_evidence_risk, min_confidence=self.min_confidence,
                                 min_language_cases=self.min_language_cases)
        stages.apply_risk_floors(draft, policy)  # a category moved by a signal or the detector brings its floor
        stages.note_review_reasons(draft, policy, min_confidence=self.min_confidence)
        stages.note_partly_read(draft)
        self._route(draft)
        self._draft_reply(draft)
        self._guard(draft)
        return self._freeze(draft)

    async def _ask_llm(self, draft: DecisionDraft) -> None:
        """Cascade / llm modes: the LLM may decide category and raise risk; it never lowers risk."""
        if self.llm is None or self.mode not in ("llm", "cascade"):
            return
        p = draft.prepared
        ask, why = (True, "mode llm") if self.mode == "llm" else self.llm.wants(
            category_confidence=draft.confidence, risk=draft.risk)
        if not ask and p.unread:  # the local model read only the start: a confident answer is about that part
            ask, why = True, f"the local model did not read the last {p.unread} word pieces of the ticket"
        if not ask:
            draft.rationale.append(f"LLM not asked: {why}")
            return
        declined = self.llm.declines()
        if declined:  # decided locally, on purpose: the local rules say whether a person is needed
            draft.flags.append("llm_budget_spent")
            draft.rationale.append(f"LLM not asked: {declined}")
            return
        t = time.perf_counter()
        try:
            verdict = await self.llm.decide(facts=p.facts, redacted=p.redaction, language=p.language,
                                            hits=list(p.hits), local=p.local)
        except LlmError as exc:
            draft.path = DecisionPath.degraded
            draft.usage = {"error": type(exc).__name__}  # the kind only (metrics); the detail is in the reason
            draft.add_reason(ReasonCode.llm_unavailable, exc.detail)
            draft.rationale.append("the LLM could not decide; the local decision stands")
        else:
            draft.path = DecisionPath.llm
            draft.category, draft.confidence = verdict.category, verdict.category_confidence
            if verdict.runner_up:
                draft.runner_up = [{"label": c, "probability": round(pr, 4)} for c, pr in verdict.runner_up]
            # the LLM may raise risk, never lower it below what was found locally
            draft.risk = self.policy.max_risk(verdict.risk, draft.risk)
            draft.rationale.insert(0, verdict.rationale)
            draft.llm_draft = verdict.draft_reply
            draft.usage = verdict.usage
            draft.versions.update(verdict.versions)
        draft.timings["llm_ms"] = (time.perf_counter() - t) * 1000
        draft.rationale.append(f"LLM asked: {why}")

    def _route(self, draft: DecisionDraft) -> None:
        """Deterministic, from policy/routing.yaml; never from text."""
        p = draft.prepared
        t = time.perf_counter()
        route = self.router.route(
            category=draft.category, risk=draft.risk, channel=p.facts.channel, reporter_type=p.facts.reporter_type,
            language=p.language, region=p.facts.region, received_at=p.facts.received_at,
        )
        draft.queue, draft.priority, draft.sla_due_at = route.queue, route.priority, route.sla_due_at
        draft.timings["route_ms"] = (time.perf_counter() - t) * 1000
        draft.rationale.append(
            f"routed to {route.queue} ({route.priority}, {route.reporter_class} SLA {route.sla_minutes} min"
            + (f", rule: {route.rule})" if route.rule else ")"))

    def _template_reply(self, draft: DecisionDraft) -> tuple[str, str]:
        p = draft.prepared
        return self.drafter.draft(language=p.language, category=draft.category,
                                  reporter_type=p.facts.reporter_type, hits=list(p.hits))

    def _draft_reply(self, draft: DecisionDraft) -> None:
        """The LLM's draft (promises stripped) or the local template; personal data the reply may repeat is
        put back."""
        p = draft.prepared
        t = time.perf_counter()
        if draft.llm_draft:
            written = self.language_detector.detect(draft.llm_draft)
            # a reply goes out only in a language we can confirm is the ticket's: a model that answered in
            # another language, or wrote something no language fits (an echoed token, a fragment), gets the
            # template reply instead
            if not written.confident or written.language != p.language:
                what = repr(written.language) if written.confident else "no recognisable language"
                draft.rationale.append(f"the LLM drafted in {what}, not {p.language!r}: template reply")
                draft.llm_draft = None
        if draft.llm_draft:
            reply, draft.reply_language = strip_promises(draft.llm_draft), p.language
        else:
            reply, draft.reply_language = self._template_reply(draft)
        draft.reply = restore(reply, p.redaction.mapping, allowed_kinds=RESTORABLE)
        draft.timings["draft_ms"] = (time.perf_counter() - t) * 1000

    def _guard(self, draft: DecisionDraft) -> None:
        p = draft.prepared
        t = time.perf_counter()
        guard = check_reply(draft.reply, ticket_values=set(p.redaction.mapping.values()))
        if not guard.ok:
            if draft.llm_draft:  # fall back to the template reply, which the guard accepts
                reply, draft.reply_language = self._template_reply(draft)
                draft.reply = restore(reply, p.redaction.mapping, allowed_kinds=RESTORABLE)
            draft.add_reason(ReasonCode.draft_guard, ", ".join(guard.issues))
        if draft.reply_language != p.language:
            draft.add_reason(ReasonCode.draft_language,
                             f"no templates for {p.language!r}, drafted in {draft.reply_language!r}")
        draft.timings["guard_ms"] = (time.perf_counter() - t) * 1000

    def _freeze(self, draft: DecisionDraft) -> Decision:
        p = draft.prepared
        assert draft.sla_due_at is not None, "the route stage sets the SLA"
        return Decision(
            category=draft.category,
            category_confidence=round(float(draft.confidence), 4),
            runner_up=draft.runner_up,
            risk=draft.risk,
            risk_score=round(float(draft.risk_score), 4),
            risk_floor=self.policy.floor(draft.category),
            signals=list(dict.fromkeys(draft.signals)),
            queue=draft.queue,
            priority=draft.priority,
            sla_due_at=draft.sla_due_at,
            needs_human=bool(draft.reasons) or draft.path == DecisionPath.degraded,
            reasons=list(draft.reasons),
            flags=draft.flags,
            draft_reply=draft.reply,
            rationale="; ".join(b for b in draft.rationale if b) + ".",
            similar_cases=[
                {"id": h.case.id, "similarity": round(h.similarity, 4), "category": h.case.category,
                 "risk": h.case.risk, "queue": h.case.queue, "outcome": h.case.outcome, "language": h.case.language}
                for h in p.hits
            ],
            path=draft.path,
            versions=draft.versions,
            timings_ms={k: round(v, 2) for k, v in draft.timings.items()},
            usage=draft.usage,
            language=p.language,
            language_detected=p.language_detected,
            probabilities={k: dict(v) for k, v in p.local.probs.items()},
            critical=list(p.critical),
            also=[c for c in draft.also if c != draft.category],
        )
