"""The decision stages, in order. Each takes the draft (and what it needs) and updates the draft.

    start_draft            category and risk from the local prediction
    note_local_evidence    conflicting neighbours, injection markers
    (LLM stage)            async, in `Pipeline` (it needs the LLM decider)
    apply_risk_floors      the category's policy floor, plausible severe categories
    apply_signals          regex signals (policy/signals.yaml)
    apply_critical         the critical detector's hits (policy/critical.yaml)
    apply_no_evidence      an empty/tiny memory, unfitted model, store or LLM down: at least `high`
    note_review_reasons    low confidence, critical risk
    note_partly_read       a long ticket the local model read only the start of, and the LLM did not decide
    (route, draft, guard)  in `Pipeline` (they need the router and the drafter)

Every stage can raise risk; none lowers it (invariants 3 and 9). Pure functions: unit-tested without a
store, a model or an event loop.
"""

from __future__ import annotations

from triage.domain.policy import Policy
from triage.pipeline.decision import DecisionDraft, DecisionPath, Prepared, ReasonCode
from triage.pipeline.signals import Signal

__all__ = [
    "PLAUSIBLE_CATEGORY",
    "PLAUSIBLE_CRITICAL",
    "apply_critical",
    "apply_no_evidence",
    "apply_risk_floors",
    "apply_signals",
    "note_language",
    "note_local_evidence",
    "note_partly_read",
    "note_review_reasons",
    "risk_from_distribution",
    "start_draft",
]

RISK_CUMULATIVE_THRESHOLD = 0.4  # pick the most severe level L with P(risk >= L) >= this ...
CRITICAL_THRESHOLD = 0.25  # ... but critical already at this: a missed critical costs more than a false alarm
PLAUSIBLE_CATEGORY = 0.35  # a category this likely lends its risk floor
PLAUSIBLE_CRITICAL = 0.2  # ... and one whose floor is critical (child safety) already at this


def risk_from_distribution(dist: dict[str, float], policy: Policy) -> tuple[str, float]:
    """The most severe level whose cumulative probability reaches its threshold; and expected severity."""
    order = policy.risk_order  # most severe first
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
    expected = sum(dist.get(lv, 0.0) * policy.severity(lv) for lv in order) / max(1, top)
    return chosen, float(expected)


def _fallback_category(policy: Policy) -> str:
    return "no_violation" if "no_violation" in policy.categories else policy.categories[-1]


def raise_risk(draft: DecisionDraft, level: str, policy: Policy, why: str) -> bool:
    """Raise the draft's risk to `level` if that is higher; say why in the rationale. Never lowers."""
    if level in policy.risk_order and policy.severity(level) > policy.severity(draft.risk):
        draft.rationale.append(f"risk raised from {draft.risk} to {level} by {why}")
        draft.risk = level
        return True
    return False


def start_draft(p: Prepared, policy: Policy, *, versions: dict[str, str]) -> DecisionDraft:
    """Category and risk from the local classifier's calibrated distributions."""
    local = p.local
    ranked = local.ranked("category") if local.probs.get("category") else []
    draft = DecisionDraft(prepared=p, category=_fallback_category(policy), confidence=0.0, runner_up=[],
                          risk=policy.risk_order[-1], risk_score=0.0, versions=dict(versions),
                          timings=dict(p.timings))
    draft.reasons.extend(p.problems)
    if ranked:
        draft.category, draft.confidence = ranked[0]
    if draft.category not in policy.taxonomy.categories:  # memory carries labels the policy dropped
        draft.add_reason(ReasonCode.unknown_category_in_memory, draft.category)
        draft.category = _fallback_category(policy)
    draft.runner_up = [{"label": c, "probability": round(pr, 4)} for c, pr in ranked[1:4]]
    draft.risk, draft.risk_score = risk_from_distribution(local.probs.get("risk") or {}, policy)
    return draft


def note_language(draft: DecisionDraft) -> None:
    """A language the detector was unsure of is flagged, not a reason for a person: the default was kept."""
    p = draft.prepared
    if not p.language_confident:
        draft.flags.append("language_uncertain")
        draft.rationale.append(f"language not detected with confidence; {p.language} assumed")


def note_local_evidence(draft: DecisionDraft, *, injection_suspected: bool) -> None:
    p = draft.prepared
    agreeing = [h for h in p.hits if h.case.category == draft.category]
    if p.hits:
        draft.rationale.append(f"{len(agreeing)} of {len(p.hits)} similar past cases are {draft.category} "
                               f"(nearest similarity {p.hits[0].similarity:.2f})")
    vote, model = p.local.vote_top.get("category"), p.local.model_top.get("category")
    if vote and model and vote != model:
        draft.add_reason(ReasonCode.conflicting_evidence, f"similar cases say {vote}, memory model says {model}")
    # injection markers only flag; they never change a label (invariant 4)
    if injection_suspected:
        draft.flags.append("prompt_injection_suspected")
        draft.add_reason(ReasonCode.prompt_injection_suspected, "the ticket contains instructions aimed at a model")


def apply_risk_floors(draft: DecisionDraft, policy: Policy) -> None:
    """Risk at least the decided category's floor, and the floor of any plausible severe category."""
    floor = policy.floor(draft.category)
    raise_risk(draft, floor, policy, f"the {draft.category} policy floor")
    dist = draft.prepared.local.probs.get("category") or {}
    for other, pr in sorted(dist.items(), key=lambda kv: -kv[1]):
        if other == draft.category or other not in policy.taxonomy.categories:
            continue
        plausible = PLAUSIBLE_CRITICAL if policy.floor(other) == policy.risk_order[0] else PLAUSIBLE_CATEGORY
        if pr < plausible or policy.severity(policy.floor(other)) <= policy.severity(floor):
            continue
        # a plausible category more severe than the decided one is named in `also` whether or not it still raises
        # the risk: when the risk model has already put the ticket at that level, the reviewer must still see that
        # it may be child safety (named only on a raise, a memory that taught the risk model its floors lost 24%
        # of the child-safety posts' `also`: moderation S3 recall at the operating point 0.854 -> 0.610)
        if other not in draft.also:
            draft.also.append(other)
        if raise_risk(draft, policy.floor(other), policy, f"the {other} floor (p {pr:.2f})"):
            draft.add_reason(ReasonCode.possible_category,
                             f"{other}: probability {pr:.2f} lends its floor {policy.floor(other)}")
    # secondary categories of the one-vs-rest heads (above their threshold at the target precision): each
    # is kept in `also` and lends its floor, so the ticket takes the highest floor of its categories
    ovr = draft.prepared.local.ovr
    for other in draft.prepared.local.also:
        if other == draft.category or other not in policy.taxonomy.categories:
            continue
        if other not in draft.also:
            draft.also.append(other)
        if raise_risk(draft, policy.floor(other), policy, f"the {other} floor (one-vs-rest p {ovr[other]:.2f})"):
            draft.add_reason(ReasonCode.possible_category,
                             f"{other}: one-vs-rest probability {ovr[other]:.2f} lends its floor {policy.floor(other)}")


def _switch_category(draft: DecisionDraft, category: str, why: str) -> None:
    if category == draft.category:
        return
    draft.rationale.append(f"category changed from {draft.category} to {category} by {why}")
    if draft.category not in draft.also:
        draft.also.append(draft.category)
    draft.category = category
    draft.llm_draft = None  # it answered another category; the template for this one replies


def apply_signals(draft: DecisionDraft, signals: list[Signal], policy: Policy, *, min_confidence: float) -> None:
    """Regex signals raise risk; a critical one (or any, when the model is unsure) may set the category."""
    for sig in signals:
        if sig.category not in policy.taxonomy.categories or sig.min_risk not in policy.risk_order:
            continue
        draft.signals.append(sig.name)
        raise_risk(draft, sig.min_risk, policy, f"the local signal {sig.name}")
        critical_mismatch = sig.min_risk == policy.risk_order[0] and policy.severity(
            policy.floor(draft.category)) < policy.severity(sig.min_risk)
        # an unsure local model defers to what the ticket plainly says (signals only ever escalate)
        unsure_local = draft.path != DecisionPath.llm and draft.confidence < min_confidence and policy.severity(
            policy.floor(sig.category)) > policy.severity(policy.floor(draft.category))
        if critical_mismatch or unsure_local:
            _switch_category(draft, sig.category,
                             "critical signal" if critical_mismatch else f"signal {sig.name} (model unsure)")
        elif sig.category != draft.category and sig.category not in draft.also:
            draft.also.append(sig.category)
        if sig.min_risk == policy.risk_order[0]:
            draft.add_reason(ReasonCode.critical_signal, sig.name)


def apply_critical(draft: DecisionDraft, policy: Policy, *, min_confidence: float) -> None:
    """The critical detector's hits: raise risk to the group's level and say why (always: recall first); its near
    misses raise risk to at most `high`.

    The category moves to the hit's only when the decided one cannot carry that risk *and* the detector
    is the better-supported view: the classifier is unsure, or the detector's calibrated probability is
    higher than the classifier's confidence. Otherwise the hit's category is kept as a secondary one
    (`also`) and its risk still counts. Never lowers anything (invariant 3).
    """
    for hit in draft.prepared.critical:
        raise_risk(draft, hit.risk, policy, f"the critical detector ({hit.group})")
        cannot_carry = policy.severity(policy.floor(draft.category)) < policy.severity(hit.risk)
        better_supported = draft.confidence < min_confidence or hit.probability > draft.confidence
        if cannot_carry and better_supported and draft.path != DecisionPath.llm:
            _switch_category(draft, hit.category, f"the critical detector ({hit.group}, score {hit.score:.2f})")
        elif cannot_carry and better_supported and hit.signal:  # the LLM's category yields to a plain signal
            _switch_category(draft, hit.category, f"the critical detector ({hit.group}, signal {hit.signal})")
        elif hit.category != draft.category and hit.category not in draft.also:
            draft.also.append(hit.category)
        evidence = (f"{hit.group} ({hit.category}, {hit.risk}): score {hit.score:.2f} >= {hit.threshold:.2f}; "
                    f"nearest exemplar [{hit.exemplar_language}] \"{hit.exemplar[:120]}\" "
                    f"(cosine {hit.similarity:.2f}, n-gram {hit.ngram_similarity:.2f}); "
                    f"classifier p {hit.classifier_probability:.2f}"
                    + (f"; signal {hit.signal}" if hit.signal else ""))
        draft.add_reason(ReasonCode.critical_detector, evidence)
    # a head just below its threshold (the watch band): at least high and a person, but no category move and no
    # secondary category (its floor would make it a hit by another name); none when the category is already hit
    hit_categories = {hit.category for hit in draft.prepared.critical}
    for near in draft.prepared.near_misses:
        if near.category in hit_categories:
            continue
        raise_risk(draft, near.risk, policy, f"a near miss of the critical detector ({near.group})")
        draft.add_reason(ReasonCode.critical_near_miss,
                         f"{near.group} ({near.category}): score {near.score:.2f} >= watch {near.threshold:.2f}, "
                         f"below the hit threshold; nearest exemplar [{near.exemplar_language}] "
                         f"\"{near.exemplar[:120]}\" (cosine {near.similarity:.2f}, "
                         f"n-gram {near.ngram_similarity:.2f})")


def apply_no_evidence(draft: DecisionDraft, policy: Policy, *, level: str, min_confidence: float,
                      min_language_cases: int = 0) -> None:
    """No evidence is never "low": a decision that rests on nothing gets at least `level` and a person.

    That includes a ticket in a language the memory holds fewer than `min_language_cases` cases of: the packaged
    embedder is English, and what the heads learned was learned from the memory's languages, so a confident
    "low" on a language the memory has never shown them is a guess, not evidence."""
    p = draft.prepared
    why: list[str] = []
    if p.memory.tiny:
        why.append(f"the case memory holds {p.memory.cases} case(s), fewer than {p.memory.min_cases}")
    elif not p.memory.fitted:
        why.append("the local classifier has no fitted model")
    elif p.language_cases is not None and p.language_cases < min_language_cases:
        why.append(f"the case memory holds {p.language_cases} case(s) in the ticket's language ({p.language}), "
                   f"fewer than {min_language_cases}")
    if not p.memory.store_ok:
        why.append("the case store could not be searched")
    if p.vector is None:
        why.append("the embedding model failed")
    if draft.path == DecisionPath.degraded and draft.confidence < min_confidence:
        why.append(f"the LLM could not decide and the local classifier is unsure ({draft.confidence:.2f})")
    if not why:
        return
    raise_risk(draft, level, policy, "missing evidence")
    draft.add_reason(ReasonCode.no_evidence, "; ".join(why))


def note_partly_read(draft: DecisionDraft) -> None:
    """A ticket longer than the embedding model's window, decided without the LLM, goes to a person: the local
    classifier, the similar cases and the critical detector's embedding saw only its start, and a confident answer
    is about that part (a goodbye or a threat in the fourth paragraph of a login problem; docs/evals.md, long
    tickets). Risk is not raised: nothing was found, something was not read."""
    unread = draft.prepared.unread
    if not unread:
        return
    if draft.path != DecisionPath.llm:
        draft.add_reason(ReasonCode.partly_read, f"the local model did not read the last {unread} word pieces of "
                                                 "the ticket (longer than the embedding model's window)")
    elif draft.usage.get("ticket_cut"):  # the LLM's prompt bound cut it too: nobody read its end
        draft.add_reason(ReasonCode.partly_read, f"neither the local model (the last {unread} word pieces) nor the "
                                                 "LLM (its prompt bound) read the end of the ticket")


def note_review_reasons(draft: DecisionDraft, policy: Policy, *, min_confidence: float) -> None:
    """Low confidence and critical risk go to a person. On the local path the bar is the category's own threshold
    for the target automation precision (out of fold) when it is stricter than `min_confidence`.

    On the cascade's combined answer (the LLM's choice weighed with the local probabilities) the same bar is
    held against the lower of the combined confidence and the local probability of the chosen category: the
    LLM's agreement is not calibrated evidence (SmolLM2's agreement lifted a wrong `account_access` from 0.55
    to 0.75 on the seed suite), so asking it may change the category but never sends a ticket past a person
    that the local path would have shown one. An LLM answer alone (llm mode) is held to `min_confidence`."""
    bar = min_confidence
    confidence = draft.confidence
    category_bar = draft.prepared.local.auto_threshold.get(draft.category)
    combined = draft.path == DecisionPath.llm and bool(draft.usage.get("combined"))
    if (draft.path == DecisionPath.local or combined) and category_bar is not None and category_bar > bar:
        bar = category_bar
    if combined:
        confidence = min(confidence, (draft.prepared.local.probs.get("category") or {}).get(draft.category, 0.0))
    if confidence < bar:
        shown = "unreachable" if bar == float("inf") else f"{bar:.2f}"
        what = "local category probability" if confidence < draft.confidence else "category confidence"
        draft.add_reason(ReasonCode.low_confidence, f"{what} {confidence:.2f} < {shown}"
                         + (f" (the {draft.category} threshold for the target precision)" if bar > min_confidence
                            else ""))
    if draft.risk == policy.risk_order[0]:
        draft.add_reason(ReasonCode.critical_risk, "a person must confirm the escalation")
    top = len(policy.risk_order) - 1
    draft.risk_score = max(draft.risk_score, policy.severity(draft.risk) / max(1, top))
