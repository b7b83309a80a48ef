"""The one pipeline: redact → embed → retrieve → classify → risk floors → route → draft → guard.

The HTTP API, the CLI and the eval runner all call `Pipeline.decide_many`. It knows nothing of HTTP or
the database: it takes `TicketFacts` and returns `Decision`s; the service layer persists both.
CPU work (embedding, retrieval, classification) runs in a worker thread so the event loop keeps
serving; an optional `LlmDecider` (the LLM path) plugs in after the local classifier.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from triage.domain.cases import CaseHit
from triage.domain.policy import Policy
from triage.pipeline.classify import LocalClassifier, LocalPrediction
from triage.pipeline.draft import LocalDrafter
from triage.pipeline.guard import check_reply, strip_promises
from triage.pipeline.language import LanguageDetector
from triage.pipeline.redact import Redaction, redact, restore
from triage.pipeline.route import Router
from triage.pipeline.signals import Signal, SignalScanner
from triage.ports import CaseStore, Embedder

__all__ = ["Decision", "LlmDecider", "LlmVerdict", "Pipeline", "TicketFacts"]

log = logging.getLogger(__name__)

RISK_CUMULATIVE_THRESHOLD = 0.4  # pick the most severe level L with P(risk >= L) >= this ...
CRITICAL_THRESHOLD = 0.25  # ... but critical already at this: a missed critical costs more than a false alarm
PLAUSIBLE_CATEGORY = 0.35  # a category this likely lends its risk floor
PLAUSIBLE_CRITICAL = 0.2  # ... and one whose floor is critical (child safety) already at this
# kinds of personal data a reply may repeat back to the person who gave them
RESTORABLE = {"EMAIL", "HANDLE", "PHONE"}


@dataclass(frozen=True)
class TicketFacts:
    """What the pipeline needs of a ticket (already validated and persisted)."""

    id: str
    subject: str
    body: str
    channel: str
    reporter_type: str
    language: str | None
    region: str | None
    received_at: datetime

    @property
    def text(self) -> str:
        return f"{self.subject}\n\n{self.body}".strip()


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


@dataclass
class Decision:
    category: str
    category_confidence: float
    runner_up: list[dict[str, float | str]]
    risk: str
    risk_score: float
    risk_floor: str
    signals: list[str]
    queue: str
    priority: str
    sla_due_at: datetime
    needs_human: bool
    reasons: list[str]
    flags: list[str]
    draft_reply: str
    rationale: str
    similar_cases: list[dict[str, Any]]
    path: str
    versions: dict[str, str]
    timings_ms: dict[str, float]
    usage: dict[str, Any]
    language: str
    language_detected: bool
    probabilities: dict[str, dict[str, float]] = field(default_factory=dict)


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
        top_k: int = 8,
        min_confidence: float = 0.55,
        llm: LlmDecider | None = None,
        mode: str = "local",
    ) -> None:
        self.policy = policy
        self.embedder = embedder
        self.store = store
        self.classifier = classifier
        self.router = router
        self.drafter = drafter
        self.signals = signals
        self.language_detector = language_detector
        self.top_k = top_k
        self.min_confidence = min_confidence
        self.llm = llm
        self.mode = mode

    @property
    def versions(self) -> dict[str, str]:
        return {
            "embedder": getattr(self.embedder, "name", "unknown"),
            "policy": f"{self.policy.version}+{self.signals.version}" + (
                f"+{self.classifier.lexicon_version}" if self.classifier.lexicon_version else ""),
            "classifier": self.classifier.version,
            "prompt": self.drafter.version,
        }

    # -- the CPU-bound half, in a worker thread ---------------------------------------------
    def _prepare(self, batch: list[TicketFacts]) -> list[dict[str, Any]]:
        t0 = time.perf_counter()
        redactions = [redact(f.text) for f in batch]
        tl = time.perf_counter()
        languages: list[tuple[str, bool]] = []
        for f in batch:
            if f.language:
                languages.append((f.language, False))
            else:
                lang, _ = self.language_detector.detect(f.text)
                languages.append((lang, True))
        t1 = time.perf_counter()
        # instructions aimed at a model are taken out of what the classifier sees (invariant 4)
        classified_texts = [self.signals.strip_injection(r.text) for r in redactions]
        vectors = self.embedder.embed(classified_texts)
        t2 = time.perf_counter()
        hits_per = self.store.search_many(vectors, limit=self.top_k)
        t3 = time.perf_counter()
        self.classifier.ensure_fitted()
        prepared = []
        n = max(1, len(batch))
        for f, r, (lang, detected), v, hits, ctext in zip(
            batch, redactions, languages, vectors, hits_per, classified_texts, strict=True
        ):
            tc = time.perf_counter()
            prediction = self.classifier.predict(v, hits, ctext)
            prepared.append({
                "facts": f, "redaction": r, "language": lang, "language_detected": detected,
                "vector": v, "hits": hits, "local": prediction,
                "timings": {
                    "redact_ms": (tl - t0) * 1000 / n,
                    "language_ms": (t1 - tl) * 1000 / n,
                    "embed_ms": (t2 - t1) * 1000 / n,
                    "retrieve_ms": (t3 - t2) * 1000 / n,
                    "classify_ms": (time.perf_counter() - tc) * 1000,
                },
            })
        return prepared

    async def decide_many(self, batch: list[TicketFacts]) -> list[Decision]:
        if not batch:
            return []
        prepared = await asyncio.to_thread(self._prepare, batch)
        return list(await asyncio.gather(*(self._finish(p) for p in prepared)))

    def warm_up(self) -> None:
        """Load lazily-built parts now (language model, fitted classifier) so the first ticket is fast."""
        self.language_detector.detect("warm up the language detector")
        self.classifier.ensure_fitted()

    async def decide(self, facts: TicketFacts) -> Decision:
        return (await self.decide_many([facts]))[0]

    # -- the decision, per ticket ----------------------------------------------------------
    def _risk_from(self, local: LocalPrediction) -> tuple[str, float]:
        dist = local.probs.get("risk") or {}
        order = self.policy.risk_order  # most severe first
        if not dist:
            return order[-1], 0.0
        cumulative = 0.0
        chosen = order[-1]
        for i, level in enumerate(order):
            cumulative += dist.get(level, 0.0)
            if cumulative >= (CRITICAL_THRESHOLD if i == 0 else RISK_CUMULATIVE_THRESHOLD):
                chosen = level
                break
        top = len(order) - 1
        expected = sum(dist.get(lv, 0.0) * self.policy.severity(lv) for lv in order) / max(1, top)
        return chosen, float(expected)

    async def _finish(self, p: dict[str, Any]) -> Decision:
        facts: TicketFacts = p["facts"]
        redaction: Redaction = p["redaction"]
        local: LocalPrediction = p["local"]
        hits: list[CaseHit] = p["hits"]
        timings: dict[str, float] = p["timings"]
        reasons: list[str] = []
        flags: list[str] = []
        policy = self.policy

        # category
        ranked = local.ranked("category") if local.probs.get("category") else []
        if ranked:
            category, confidence = ranked[0]
        else:
            category, confidence = "no_violation" if "no_violation" in policy.categories else policy.categories[-1], 0.0
            reasons.append("empty_case_memory: no past cases to learn from")
        if category not in policy.taxonomy.categories:  # memory carries labels the policy dropped
            reasons.append(f"unknown_category_in_memory: {category}")
            category = "no_violation" if "no_violation" in policy.categories else policy.categories[-1]
        runner_up: list[dict[str, float | str]] = [
            {"label": c, "probability": round(pr, 4)} for c, pr in ranked[1:4]]
        risk, score = self._risk_from(local)
        path = "local"
        rationale_bits: list[str] = []
        usage: dict[str, Any] = {}
        versions = dict(self.versions)
        llm_draft: str | None = None

        # local evidence for the rationale
        agreeing = [h for h in hits if h.case.category == category]
        if hits:
            rationale_bits.append(
                f"{len(agreeing)} of {len(hits)} similar past cases are {category} "
                f"(nearest similarity {hits[0].similarity:.2f})"
            )
        vote, model = local.vote_top.get("category"), local.model_top.get("category")
        if vote and model and vote != model:
            reasons.append(f"conflicting_evidence: similar cases say {vote}, memory model says {model}")

        # injection markers only flag; they never change a label (invariant 4)
        if self.signals.injection_suspected(facts.text):
            flags.append("prompt_injection_suspected")
            reasons.append("prompt_injection_suspected: the ticket contains instructions aimed at a model")

        # LLM path (cascade / llm)
        if self.llm is not None and self.mode in ("llm", "cascade"):
            ask, why = (True, "mode llm") if self.mode == "llm" else self.llm.wants(
                category_confidence=confidence, risk=risk)
            if ask:
                from triage.errors import LlmError

                t = time.perf_counter()
                try:
                    verdict = await self.llm.decide(
                        facts=facts, redacted=redaction, language=p["language"], hits=hits, local=local)
                except LlmError as exc:
                    path = "degraded"
                    reasons.append(f"llm_unavailable: {exc.detail}")
                    rationale_bits.append("the LLM could not decide; the local decision stands")
                else:
                    path = "llm"
                    local_risk = risk
                    category, confidence = verdict.category, verdict.category_confidence
                    if verdict.runner_up:
                        runner_up = [{"label": c, "probability": round(pr, 4)} for c, pr in verdict.runner_up]
                    # the LLM may raise risk, never lower it below what was found locally
                    risk = policy.max_risk(verdict.risk, local_risk)
                    rationale_bits.insert(0, verdict.rationale)
                    llm_draft = verdict.draft_reply
                    usage = verdict.usage
                    versions.update(verdict.versions)
                timings["llm_ms"] = (time.perf_counter() - t) * 1000
                rationale_bits.append(f"LLM asked: {why}")
            else:
                rationale_bits.append(f"LLM not asked: {why}")

        # risk floors (invariant 3): policy floor, plausible categories, local critical signals
        floor = policy.floor(category)
        if policy.severity(floor) > policy.severity(risk):
            rationale_bits.append(f"risk raised from {risk} to the {category} policy floor {floor}")
            risk = floor
        for other, pr in ranked[1:]:
            if other not in policy.taxonomy.categories:
                continue
            plausible = PLAUSIBLE_CRITICAL if policy.floor(other) == policy.risk_order[0] else PLAUSIBLE_CATEGORY
            if pr >= plausible:
                other_floor = policy.floor(other)
                if policy.severity(other_floor) > policy.severity(risk):
                    risk = other_floor
                    reasons.append(f"possible_{other}: probability {pr:.2f} lends its floor {other_floor}")
        found: list[Signal] = self.signals.scan(facts.text)
        for sig in found:
            if sig.category not in policy.taxonomy.categories or sig.min_risk not in policy.risk_order:
                continue
            if policy.severity(sig.min_risk) > policy.severity(risk):
                rationale_bits.append(f"risk raised to {sig.min_risk} by the local signal {sig.name}")
                risk = sig.min_risk
            critical_mismatch = sig.min_risk == policy.risk_order[0] and policy.severity(
                policy.floor(category)) < policy.severity(sig.min_risk)
            # an unsure local model defers to what the ticket plainly says (signals only ever escalate)
            unsure_local = path != "llm" and confidence < self.min_confidence and policy.severity(
                policy.floor(sig.category)) > policy.severity(policy.floor(category))
            if (critical_mismatch or unsure_local) and sig.category != category:
                kind = "critical signal" if critical_mismatch else f"signal {sig.name} (model unsure)"
                rationale_bits.append(f"category changed from {category} to {sig.category} by {kind}")
                category = sig.category
                llm_draft = None  # it answered another category; the template for this one replies
            if sig.min_risk == policy.risk_order[0]:
                reasons.append(f"critical_signal: {sig.name}")
        top = len(policy.risk_order) - 1
        score = max(score, policy.severity(risk) / max(1, top))

        if confidence < self.min_confidence:
            reasons.append(f"low_confidence: category confidence {confidence:.2f} < {self.min_confidence:.2f}")
        if risk == policy.risk_order[0]:
            reasons.append("critical_risk: a person must confirm the escalation")

        # route (deterministic, never from text)
        t = time.perf_counter()
        route = self.router.route(
            category=category, risk=risk, channel=facts.channel, reporter_type=facts.reporter_type,
            language=p["language"], region=facts.region, received_at=facts.received_at,
        )
        timings["route_ms"] = (time.perf_counter() - t) * 1000
        rationale_bits.append(
            f"routed to {route.queue} ({route.priority}, {route.reporter_class} SLA {route.sla_minutes} min"
            + (f", rule: {route.rule})" if route.rule else ")")
        )

        # draft, then restore the personal data the reply may repeat, then guard
        t = time.perf_counter()
        if llm_draft:
            reply = strip_promises(llm_draft)
            reply_lang = p["language"]
        else:
            reply, reply_lang = self.drafter.draft(
                language=p["language"], category=category, reporter_type=facts.reporter_type, hits=hits)
        reply = restore(reply, redaction.mapping, allowed_kinds=RESTORABLE)
        timings["draft_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        guard = check_reply(reply, ticket_values=set(redaction.mapping.values()))
        if not guard.ok:
            if llm_draft:  # fall back to the template reply, which the guard accepts
                reply, reply_lang = self.drafter.draft(
                    language=p["language"], category=category, reporter_type=facts.reporter_type, hits=hits)
            reasons.append("draft_guard: " + ", ".join(guard.issues))
        if reply_lang != p["language"]:
            reasons.append(f"draft_language: no templates for {p['language']!r}, drafted in {reply_lang!r}")
        timings["guard_ms"] = (time.perf_counter() - t) * 1000

        needs_human = bool(reasons) or path == "degraded"
        similar = [
            {
                "id": h.case.id, "similarity": round(h.similarity, 4), "category": h.case.category,
                "risk": h.case.risk, "queue": h.case.queue, "outcome": h.case.outcome,
                "language": h.case.language,
            }
            for h in hits
        ]
        probabilities = {k: dict(v) for k, v in local.probs.items()}
        return Decision(
            category=category,
            category_confidence=round(float(confidence), 4),
            runner_up=runner_up,
            risk=risk,
            risk_score=round(float(score), 4),
            risk_floor=policy.floor(category),
            signals=[s.name for s in found],
            queue=route.queue,
            priority=route.priority,
            sla_due_at=route.sla_due_at,
            needs_human=needs_human,
            reasons=reasons,
            flags=flags,
            draft_reply=reply,
            rationale="; ".join(b for b in rationale_bits if b) + ".",
            similar_cases=similar,
            path=path,
            versions=versions,
            timings_ms={k: round(v, 2) for k, v in timings.items()},
            usage=usage,
            language=p["language"],
            language_detected=p["language_detected"],
            probabilities=probabilities,
        )
