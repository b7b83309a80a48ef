"""The LLM decider: classify (and draft) one ticket through an OpenAI-compatible server.

The pipeline calls `wants` (cascade: should the LLM be asked?) and `decide` (returns an `LlmVerdict`
or raises an `LlmError`, after which the pipeline keeps the local decision, marked degraded). Risk
floors and critical signals are applied by the pipeline after this, so the LLM can raise risk but
never lower it.

Only redacted text leaves the process: the ticket as `Redaction.text`, past cases as stored (redacted
at import) and their replies redacted again here.

Category confidence:
* with logprobs: the probability the model gave to the tokens of the category value it wrote
  (exp of their summed logprobs); runner-up labels come from the alternatives at the value's first
  token that name exactly one category;
* without: the mean of the model's stated confidence and the local classifier's probability for the
  LLM's category, so an LLM label that the case memory does not support lands below the
  `min_confidence` line and goes to a person.

The classify prompt is bounded (`TRIAGE_LLM__MAX_PROMPT_TOKENS`, estimated from its length): past cases
are shortened, then dropped from the least similar, then the ticket is cut, so a small local model reads
it within the timeout. The decision's usage records the estimate and how many cases were shown.

Prompt styles (`TRIAGE_LLM__PROMPT_STYLE`):
* compact (default): the definitions of the local classifier's most likely categories only (its top
  `TRIAGE_LLM__CANDIDATES`, plus its one-vs-rest secondary ones) and a few short past cases. In `llm`
  mode the other categories are listed by name and stay allowed; in `cascade` mode the answer may only
  be a candidate (the schema's enum is narrowed).
* full: every definition and up to `MAX_EXAMPLES` past cases with their replies.

Cascade mode asks the LLM only when the local classifier is unsure, so the LLM's answer is evidence that
is combined with the local classifier's calibrated distribution (`combine_with_local`), not a verdict
that replaces it. In `llm` mode the LLM's category stands. Either way the pipeline's risk floors, signals
and critical detector run afterwards, and the LLM's risk only ever raises the local one.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import time
from dataclasses import dataclass
from typing import Any

from triage.config import Settings
from triage.domain.cases import CaseHit
from triage.domain.policy import Policy
from triage.errors import LlmError
from triage.llm.client import ChatClient, Usage, usage_dict
from triage.llm.prompts import Fence, PromptRenderer, RenderedPrompt, new_fence
from triage.llm.schema import OutputModels, build_output_models
from triage.llm.wrappers import BudgetedLlm, ConcurrencyLimitedLlm, DailyBudget
from triage.pipeline.classify import LocalPrediction
from triage.pipeline.pipeline import LlmVerdict, TicketFacts
from triage.pipeline.redact import Redaction, redact
from triage.pipeline.stages import risk_from_distribution
from triage.ports import Llm

__all__ = ["ClassifyRequest", "LlmTicketDecider", "build_llm_decider", "combine_risk_with_local",
           "combine_with_local", "confidence_from_logprobs"]

log = logging.getLogger(__name__)

MAX_CASE_CHARS = 700
MAX_REPLY_CHARS = 500
# past cases as shown when the prompt is over its bound, before cases are dropped
SHORT_CASE_CHARS = 280
SHORT_REPLY_CHARS = 0
# a deliberately low estimate of UTF-8 bytes per token: byte-level tokenisers split markup and non-Latin
# scripts densely (a Hindi or Japanese character is 3 bytes and often a token of its own), so bytes, not
# characters, keep the estimate above the real count in every language
BYTES_PER_TOKEN = 3.2
# the compact style: a few short excerpts of past cases, without replies (labels are what the model needs)
COMPACT_EXAMPLES = 3
COMPACT_CASE_CHARS = 160
# a ticket cut to fit the bound keeps at least this much of its start
MIN_TICKET_CHARS = 400
TICKET_CUT_MARK = " [... the rest of the ticket is left out]"
DRAFT_EXAMPLES = 3
# without logprobs: weight of the model's stated confidence against the local probability
STATED_WEIGHT = 0.5
# without logprobs and without any local distribution (empty case memory): discount stated confidence
STATED_ONLY_DISCOUNT = 0.8


def confidence_from_logprobs(
    tokens: list[Any], content: str, category: str, categories: list[str]
) -> tuple[float, list[tuple[str, float]]] | None:
    """P(category value) from the token logprobs, and runner-ups from the first token's alternatives.

    `tokens` are openai `ChatCompletionTokenLogprob`s (token, logprob, top_logprobs). Returns None when
    the tokens do not spell the content or the value cannot be found.
    """
    if not tokens or "".join(t.token for t in tokens) != content:
        return None
    match = re.search(r'"category"\s*:\s*"(' + re.escape(category) + r')"', content)
    if not match:
        return None
    start, end = match.span(1)
    total, offset, first = 0.0, 0, None
    for tok in tokens:
        tok_start, tok_end = offset, offset + len(tok.token)
        offset = tok_end
        if tok_end <= start or tok_start >= end:
            continue
        if first is None:
            first = (tok, start - tok_start)
        total += float(tok.logprob)
    if first is None:
        return None
    confidence = min(1.0, max(0.0, math.exp(total)))
    tok, skip = first
    before = tok.token[:max(0, skip)]
    runner_up: dict[str, float] = {}
    for alt in tok.top_logprobs or []:
        if alt.token == tok.token or not alt.token.startswith(before):
            continue
        prefix = alt.token[len(before):].strip('"')
        candidates = [c for c in categories if prefix and c.startswith(prefix) and c != category]
        if len(candidates) == 1:
            runner_up[candidates[0]] = max(runner_up.get(candidates[0], 0.0), math.exp(float(alt.logprob)))
    ranked = sorted(runner_up.items(), key=lambda kv: -kv[1])[:3]
    return confidence, ranked


def estimate_tokens(prompt: RenderedPrompt) -> int:
    return int(sum(len(m["content"].encode("utf-8")) for m in prompt.messages) / BYTES_PER_TOKEN) + 1


def _posterior(prior: dict[str, float], allowed: list[str], pick: str,
               llm_probability: float) -> tuple[dict[str, float], float]:
    """Prior (restricted to `allowed`, renormalised) times the LLM's likelihood: `q` for its pick, an equal
    share of `1 - q` for every other label. Returns the posterior and the prior's mass on `allowed`."""
    if pick not in allowed:
        raise ValueError(f"the LLM's answer {pick!r} is not one of the allowed {allowed}")
    k = len(allowed)
    if k == 1:
        return {pick: 1.0}, min(1.0, max(0.0, prior.get(pick, 1.0)))
    # an answer is never evidence against itself, and no answer is certain
    q = min(0.99, max(1.0 / k, llm_probability))
    known = sum(prior.get(c, 0.0) for c in allowed)
    if known <= 0.0:  # no local distribution: a flat prior over what the LLM could choose
        base, mass = {c: 1.0 / k for c in allowed}, 1.0
    else:
        base, mass = {c: max(prior.get(c, 0.0), 1e-6) / known for c in allowed}, min(1.0, known)
    unnormalised = {c: base[c] * (q if c == pick else (1.0 - q) / (k - 1)) for c in allowed}
    total = sum(unnormalised.values())
    return {c: v / total for c, v in unnormalised.items()}, mass


def combine_with_local(prior: dict[str, float], allowed: list[str], pick: str,
                       llm_probability: float) -> tuple[str, float, list[tuple[str, float]]]:
    """Cascade: the LLM's category as evidence on top of the local classifier's distribution.

    The local calibrated distribution, restricted to the categories the LLM could answer (`allowed`), is
    the prior. The LLM's answer is a likelihood: its pick gets `llm_probability`, every other allowed
    category an equal share of the rest. The decision is the posterior's most likely category, so the
    LLM moves the local top choice only when the local classifier itself finds the pick nearly as
    likely (how near depends on how sure the LLM is); a pick the local classifier thinks unlikely does
    not win. The confidence is the posterior times the prior's mass on `allowed`: the chance that the
    decided category is right, counting the mass the LLM could not choose as wrong.

    Returns (category, confidence, runner-ups by posterior).
    """
    posterior, mass = _posterior(prior, allowed, pick, llm_probability)
    ranked = sorted(posterior.items(), key=lambda kv: (-kv[1], allowed.index(kv[0])))
    best, p_best = ranked[0]
    return best, p_best * mass, [(c, p * mass) for c, p in ranked[1:4]]


def combine_risk_with_local(prior: dict[str, float], policy: Policy, llm_risk: str, llm_probability: float) -> str:
    """Cascade: the LLM's risk as evidence on top of the local risk distribution, by the same rule as the
    category; the level is then read off the posterior the way the local one is (`risk_from_distribution`).

    The pipeline keeps the higher of this and the local risk, so the LLM still never lowers risk; what
    this adds is that an LLM's alarm counts in proportion to how plausible the local evidence finds it.
    With no local risk distribution the LLM's level stands.
    """
    if not prior:
        return llm_risk
    posterior, _ = _posterior(prior, list(policy.risk_order), llm_risk, llm_probability)
    return risk_from_distribution(posterior, policy)[0]


@dataclass(frozen=True)
class ClassifyRequest:
    """The classify prompt as sent, and what it offered."""

    prompt: RenderedPrompt
    cases: list[dict[str, Any]]  # the retrieved cases with their replies (the draft's examples)
    estimate: int  # estimated prompt tokens
    allowed: list[str]  # the categories the answer may take (the schema's enum)
    defined: list[str]  # the categories whose definitions the prompt shows
    ticket_cut: bool  # the ticket's text was cut to fit the bound


class LlmTicketDecider:
    """Implements `triage.pipeline.pipeline.LlmDecider` over one `triage.ports.Llm` (a wrapped client)."""

    def __init__(self, *, settings: Settings, policy: Policy, client: Llm, prompts: PromptRenderer,
                 budget: DailyBudget | None = None) -> None:
        self.settings = settings
        self.policy = policy
        self.client = client
        self.prompts = prompts
        self.budget = budget
        self.models: OutputModels = build_output_models(policy)
        # one output model per candidate list the cascade offers; bounded, since the local classifier's top
        # candidates (in their order) can come in many combinations over a long-running service
        self._models_for = functools.lru_cache(maxsize=256)(
            lambda allowed: build_output_models(policy, list(allowed)))
        cascade_max = settings.classifier.cascade_max_risk
        if cascade_max not in policy.risk_order:
            raise ValueError(f"TRIAGE_CLASSIFIER__CASCADE_MAX_RISK={cascade_max!r} is not one of {policy.risk_order}")

    # -- cascade ----------------------------------------------------------------------------------
    def wants(self, *, category_confidence: float, risk: str) -> tuple[bool, str]:
        c = self.settings.classifier
        if category_confidence < c.cascade_min_confidence:
            return True, f"local confidence {category_confidence:.2f} < {c.cascade_min_confidence:.2f}"
        if risk in self.policy.risk_order and self.policy.severity(risk) > self.policy.severity(c.cascade_max_risk):
            return True, f"local risk {risk} is above {c.cascade_max_risk}"
        return False, (f"the local classifier is confident ({category_confidence:.2f} >= "
                       f"{c.cascade_min_confidence:.2f}) and the risk is {risk}")

    def declines(self) -> str | None:
        """Why the LLM must not be asked now (the day's budget is spent), or None."""
        return self.budget.spent() if self.budget is not None else None

    async def aclose(self) -> None:
        await self.client.aclose()

    def candidates(self, local: LocalPrediction) -> list[str] | None:
        """The local classifier's most likely categories (top `candidates`, then its secondary ones), or None
        when it has no distribution (nothing learned yet)."""
        dist = local.probs.get("category") or {}
        known = self.policy.taxonomy.categories
        ranked = [c for c, _ in sorted(dist.items(), key=lambda kv: -kv[1]) if c in known]
        if not ranked:
            return None
        chosen = ranked[:self.settings.llm.candidates]
        chosen += [c for c in local.also if c in known and c not in chosen]
        return chosen

    def _classify_prompt(self, *, fence: Fence, ticket: dict[str, Any], hits: list[CaseHit],
                         local: LocalPrediction | None = None, mode: str = "llm") -> ClassifyRequest:
        """The classify prompt within the bound: all cases, then shortened ones, then fewer, then the ticket cut."""
        s = self.settings.llm
        bound = s.prompt_token_bound
        dist = (local.probs.get("category") or {}) if local is not None else {}
        # most likely first, then the policy's order (which lists the most severe categories first). Measured
        # on the seed sample, this order did not change what a 135M model answers (child_safety for half the
        # tickets in either order); it is kept because it puts the likely labels where a reader looks first
        everything = sorted(self.policy.categories, key=lambda c: -dist.get(c, 0.0))
        found = self.candidates(local) if local is not None and s.prompt_style == "compact" else None
        defined = found if found is not None else list(self.policy.categories)
        # cascade: the LLM re-ranks the local classifier's candidates; llm: it may answer any category
        others = [c for c in everything if c not in defined] if mode != "cascade" else []
        allowed = defined if mode == "cascade" else [*defined, *others]
        categories = {c: self.policy.taxonomy.categories[c] for c in defined}

        def cases_of(n: int, case_chars: int, reply_chars: int) -> list[dict[str, Any]]:
            return [
                {
                    "similarity": h.similarity, "category": h.case.category, "risk": h.case.risk,
                    "outcome": h.case.outcome, "text": h.case.text[:case_chars],
                    "reply": redact(h.case.final_reply).text[:reply_chars]
                    if h.case.final_reply and reply_chars else "",
                }
                for h in hits[:n]
            ]

        def render(cases: list[dict[str, Any]], shown_ticket: dict[str, Any]) -> RenderedPrompt:
            return self.prompts.render(
                "classify", fence=fence, ticket=shown_ticket, cases=cases, categories=categories,
                other_categories=others, risk_levels=dict(self.policy.taxonomy.risk_levels),
            )

        if s.prompt_style == "compact":
            n = min(len(hits), s.max_examples, COMPACT_EXAMPLES)
            cases = cases_of(n, COMPACT_CASE_CHARS, 0)
        else:
            n = min(len(hits), s.max_examples)
            cases = cases_of(n, MAX_CASE_CHARS, MAX_REPLY_CHARS)
        prompt = render(cases, ticket)
        if estimate_tokens(prompt) > bound:
            short = COMPACT_CASE_CHARS if s.prompt_style == "compact" else SHORT_CASE_CHARS
            cases = cases_of(n, short, SHORT_REPLY_CHARS)
            prompt = render(cases, ticket)
            while n > 0 and estimate_tokens(prompt) > bound:
                n -= 1
                cases = cases[:n]
                prompt = render(cases, ticket)
        cut = False
        over = estimate_tokens(prompt) - bound
        if over > 0:  # a long ticket: the model reads its start; the local path and the floors read it all
            data = ticket["text"].encode("utf-8")
            keep = max(len(ticket["text"][:MIN_TICKET_CHARS].encode("utf-8")),
                       len(data) - int(over * BYTES_PER_TOKEN) - len(TICKET_CUT_MARK) - 8)
            if keep < len(data):
                cut = True
                kept = data[:keep].decode("utf-8", errors="ignore").rstrip()  # never half a character
                prompt = render(cases, {**ticket, "text": kept + TICKET_CUT_MARK})
        # the draft's examples are the full replies of the retrieved cases
        full = cases_of(min(len(hits), s.max_examples), MAX_CASE_CHARS, MAX_REPLY_CHARS)
        return ClassifyRequest(prompt=prompt, cases=full, estimate=estimate_tokens(prompt), allowed=allowed,
                               defined=defined, ticket_cut=cut)

    def _output_models(self, allowed: list[str]) -> OutputModels:
        if allowed == self.policy.categories:
            return self.models
        return self._models_for(tuple(allowed))  # type: ignore[no-any-return]

    # -- the decision ------------------------------------------------------------------------------
    async def decide(
        self, *, facts: TicketFacts, redacted: Redaction, language: str, hits: list[CaseHit],
        local: LocalPrediction,
    ) -> LlmVerdict:
        s = self.settings.llm
        deadline = time.monotonic() + s.deadline_s
        usage = Usage()
        ticket = {
            "text": redacted.text, "channel": facts.channel, "reporter_type": facts.reporter_type,
            "language": language,
        }
        fence = new_fence()
        mode = self.settings.decision_mode
        request = self._classify_prompt(fence=fence, ticket=ticket, hits=hits, local=local, mode=mode)
        classify, cases = request.prompt, request.cases
        shown = classify.messages[-1]["content"].count(fence.open("CASE"))
        models = self._output_models(request.allowed)
        answer = await self.client.complete(
            messages=classify.messages, output=models.classification, name="classification",
            max_tokens=s.max_tokens, deadline=deadline, usage=usage,
        )
        value: Any = answer.value
        category, risk = value.category.value, value.risk.value
        rationale = value.rationale or f"the LLM chose {category}"
        extra: dict[str, Any] = {}
        if mode == "cascade":
            llm_probability, source = self._llm_probability(answer.logprobs, answer.content, category,
                                                            value.confidence, len(request.allowed))
            chosen, confidence, runner_up = combine_with_local(
                local.probs.get("category") or {}, request.allowed, category, llm_probability)
            extra.update(llm_category=category, llm_risk=risk, llm_probability=round(llm_probability, 4),
                         combined=True)
            if chosen != category:
                rationale = (f"the LLM chose {category} (p {llm_probability:.2f}), but with the local "
                             f"probabilities {chosen} is more likely")
                # its risk judged a reading of the ticket that was not taken; the local risk and every floor
                # still hold (the pipeline keeps the higher of this and the local risk)
                risk = self.policy.floor(chosen)
            else:
                risk = combine_risk_with_local(local.probs.get("risk") or {}, self.policy, risk, llm_probability)
            category = chosen
            source = f"{source}*local"
        else:
            confidence, runner_up, source = self._confidence(answer.logprobs, answer.content, category,
                                                             value.confidence, local)
        prompt_ids = [f"{classify.id}-{s.prompt_style}"]

        draft: str | None = None
        if s.draft:
            draft_risk = self.policy.max_risk(risk, self.policy.floor(category))
            examples = [c["reply"] for c in cases if c["reply"] and c["category"] == category][:DRAFT_EXAMPLES]
            prompt = self.prompts.render(
                "draft", fence=fence, ticket=ticket, language=language, category=category,
                category_definition=self.policy.taxonomy.categories[category].definition, risk=draft_risk,
                examples=examples,
            )
            try:
                drafted = await self.client.complete(
                    messages=prompt.messages, output=self.models.draft, name="draft",
                    max_tokens=s.draft_max_tokens, deadline=deadline, usage=usage,
                )
            except LlmError as exc:  # the classification stands; the local template drafts the reply
                log.warning("llm draft failed, using the template reply: %s", exc.detail)
                extra["draft_error"] = exc.detail
            else:
                draft = drafted.value.reply  # type: ignore[attr-defined]
                prompt_ids.append(prompt.id)

        log.info("llm decided ticket %s: %s/%s (confidence %.2f from %s, %d tokens)", facts.id, category, risk,
                 confidence, source, usage.prompt_tokens + usage.completion_tokens)
        return LlmVerdict(
            category=category,
            category_confidence=confidence,
            risk=risk,
            rationale=rationale,
            draft_reply=draft,
            versions={"prompt": "+".join(prompt_ids), "model": self.client.model},
            usage={
                **usage_dict(usage, self.client.cost_of(usage)), "model": self.client.model,
                "prompt_tokens_estimate": request.estimate, "examples_shown": shown,
                "prompt_style": s.prompt_style, "categories_defined": len(request.defined),
                "categories_allowed": len(request.allowed), "ticket_cut": request.ticket_cut,
                "structured_output": answer.mode, "confidence_source": source, "prompts": prompt_ids,
                "stated_confidence": round(float(value.confidence), 4), **extra,
            },
            runner_up=runner_up,
        )

    def _llm_probability(self, logprobs: list[Any] | None, content: str, category: str, stated: float,
                         allowed: int) -> tuple[float, str]:
        """How sure the LLM is of its category, for `combine_with_local`: the probability it gave the value's
        tokens when logprobs are served; else its stated confidence, shrunk halfway to chance, because a
        stated number is not a measured probability (a small model says 0.9 of anything)."""
        if logprobs:
            found = confidence_from_logprobs(logprobs, content, category, self.policy.categories)
            if found is not None:
                return found[0], "logprobs"
        return STATED_WEIGHT * stated + (1 - STATED_WEIGHT) / max(1, allowed), "stated"

    def _confidence(
        self, logprobs: list[Any] | None, content: str, category: str, stated: float, local: LocalPrediction
    ) -> tuple[float, list[tuple[str, float]], str]:
        if logprobs:
            found = confidence_from_logprobs(logprobs, content, category, self.policy.categories)
            if found is not None:
                return found[0], found[1], "logprobs"
        dist = local.probs.get("category") or {}
        runner_up = [(c, p) for c, p in sorted(dist.items(), key=lambda kv: -kv[1]) if c != category][:3]
        if not dist:
            return STATED_ONLY_DISCOUNT * stated, runner_up, "stated"
        combined = STATED_WEIGHT * stated + (1 - STATED_WEIGHT) * dist.get(category, 0.0)
        return combined, runner_up, "stated+local_agreement"


def build_llm_decider(settings: Settings, policy: Policy) -> LlmTicketDecider:
    """Called by `triage.components.build_llm` when an endpoint is configured: the client, wrapped."""
    s = settings.llm
    client = ChatClient(s, environment=settings.environment)
    budget = DailyBudget(max_tokens=s.daily_token_budget, max_cost_usd=s.daily_cost_budget_usd)
    llm = ConcurrencyLimitedLlm(BudgetedLlm(client, budget=budget), limit=s.max_concurrency)
    prompts = PromptRenderer(settings.prompts_dir, version=s.prompt_version)
    prompts.check("classify", "draft")
    log.info("LLM path on: model %s at %s, mode %s, at most %d calls at once", client.model, client.base_url,
             settings.decision_mode, s.max_concurrency)
    return LlmTicketDecider(settings=settings, policy=policy, client=llm, prompts=prompts, budget=budget)
