"""Build every adapter once from the settings: the database, the case store, the embedder, the pipeline.

`create_app` (in its lifespan), the CLI and the eval runner call `build_components`; tests pass an
already-loaded embedder so the model loads once per test session.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from triage.adapters.edge_store import EdgeCaseStore
from triage.adapters.embedder import SentenceTransformerEmbedder
from triage.adapters.qdrant_store import QdrantCaseStore
from triage.adapters.store_migration import migrate_on_first_start
from triage.config import Settings
from triage.db.session import create_db_engine, make_session_factory, upgrade_database
from triage.domain.policy import Policy, load_policy
from triage.llm.decider import build_llm_decider
from triage.pipeline.classify import LocalClassifier
from triage.pipeline.critical import CriticalDetector, ExemplarIndex, load_exemplar_bank
from triage.pipeline.draft import LocalDrafter
from triage.pipeline.fit_cache import FitCache, fingerprint
from triage.pipeline.language import LanguageDetector
from triage.pipeline.lexicon import load_lexicon
from triage.pipeline.model_state import ModelRepository
from triage.pipeline.pipeline import LlmDecider, Pipeline
from triage.pipeline.route import Router
from triage.pipeline.signals import load_signals
from triage.ports import CaseStore, Embedder

__all__ = ["Components", "build_components", "build_exemplar_index", "build_pipeline", "language_detector",
           "load_embedder", "model_dir", "seed_if_empty"]

log = logging.getLogger(__name__)

REPLY_TEMPLATES = "reply_templates.v1.yaml"


def load_embedder(settings: Settings) -> Embedder:
    e = settings.embedding
    return SentenceTransformerEmbedder(e.model, device=e.device, batch_size=e.batch_size, cache_size=e.cache_size,
                                       backend=e.backend, onnx_dir=settings.data_dir / "onnx")


def edge_store_path(settings: Settings) -> Path:
    """Where the edge engine keeps a collection: beside the local-mode files it replaces."""
    return Path(settings.qdrant.path) / "edge" / settings.qdrant.collection


def open_store(settings: Settings, *, dimension: int, in_memory: bool = False) -> CaseStore:
    q = settings.qdrant
    if not q.url and q.engine == "edge":
        if in_memory:  # a fresh, isolated store in a temporary directory (removed on close)
            return EdgeCaseStore.temporary(dimension=dimension, collection=q.collection)
        return _open_edge_store(settings, dimension=dimension)
    return QdrantCaseStore(
        dimension=dimension,
        collection=q.collection,
        url=q.url,
        api_key=q.api_key.get_secret_value() if q.api_key else None,
        path=Path(q.path),
        in_memory=in_memory,
    )


def model_dir(settings: Settings) -> Path:
    """Where the fitted classifier's versions are kept: beside the case store, one directory per collection."""
    return Path(settings.qdrant.path) / "models" / settings.qdrant.collection


def language_detector(settings: Settings) -> LanguageDetector:
    """The detector with the configured default language, confidence floor and excluded codes (loads lazily)."""
    s = settings.language
    return LanguageDetector(default=s.default, min_confidence=s.min_confidence, exclude=s.exclude)


def _open_edge_store(settings: Settings, *, dimension: int) -> EdgeCaseStore:
    """Open the edge store; the first time, move in the cases of a local-mode store at the old path."""
    q = settings.qdrant
    store = EdgeCaseStore(edge_store_path(settings), dimension=dimension, collection=q.collection)
    try:
        migrate_on_first_start(Path(q.path), q.collection, store)
    except BaseException:
        store.close()
        raise
    return store


def build_llm(settings: Settings, policy: Policy) -> LlmDecider | None:
    """The LLM decider when an endpoint is configured (the LLM path plugs in here)."""
    if not settings.llm_configured:
        return None
    return build_llm_decider(settings, policy)


#: built exemplar indexes, by the bank file's bytes, the policy and the embedder: an index is immutable,
#: so pipelines in one process (a test session, the demo, eval folds) parse and n-gram the bank once
EXEMPLAR_INDEXES = FitCache(size=2)


def build_exemplar_index(settings: Settings, *, policy: Policy, embedder: Embedder) -> ExemplarIndex | None:
    """The critical detector's exemplar bank, embedded (cached under the data directory)."""
    if not settings.critical.enabled:
        return None
    path = settings.policy_dir / settings.critical.bank_file
    cache_dir = settings.data_dir / "cache"
    key = fingerprint(path.read_bytes() if path.is_file() else str(path), policy.version,
                      getattr(embedder, "name", type(embedder).__name__), embedder.dimension)

    def build() -> ExemplarIndex:
        return ExemplarIndex(load_exemplar_bank(path, policy=policy), embedder=embedder, cache_dir=cache_dir)

    return EXEMPLAR_INDEXES.get_or_fit(key, build)


def build_pipeline(
    settings: Settings, *, policy: Policy, embedder: Embedder, store: CaseStore,
    llm: LlmDecider | None = None, classifier_labels: tuple[str, ...] = ("category", "risk"),
    background_refit: bool = False, exemplars: ExemplarIndex | None = None, persist: bool = False,
) -> Pipeline:
    """The pipeline over a store. `exemplars` shares an already-built exemplar index (eval folds); `persist` saves
    and loads the fitted classifier beside the store (the service's store; never an eval fold's)."""
    c = settings.classifier
    lexicon = load_lexicon(settings.policy_dir / "lexicon.yaml", categories=policy.categories)
    index = exemplars if exemplars is not None else build_exemplar_index(settings, policy=policy, embedder=embedder)
    critical = None
    if index is not None and settings.critical.enabled:
        k = settings.critical
        critical = CriticalDetector(index, policy=policy, recall_target=k.recall_target,
                                    max_false_alarm_rate=k.max_false_alarm_rate, min_positives=k.min_positives,
                                    max_training_cases=k.max_training_cases)
    classifier = LocalClassifier(
        store, labels=classifier_labels, knn_weight=c.knn_weight, top_k=c.top_k, background_refit=background_refit,
        lexicon=lexicon, listener=critical, max_training_cases=c.max_training_cases,
        target_precision=c.target_precision,
        repository=ModelRepository(model_dir(settings)) if persist and c.persist else None)
    return Pipeline(
        policy=policy,
        embedder=embedder,
        store=store,
        classifier=classifier,
        router=Router(policy),
        drafter=LocalDrafter(settings.prompts_dir / REPLY_TEMPLATES),
        signals=load_signals(
            settings.policy_dir / "signals.yaml", categories=policy.categories, risk_levels=policy.risk_order
        ),
        language_detector=language_detector(settings),
        critical=critical,
        top_k=c.top_k,
        min_confidence=c.min_confidence,
        llm=llm,
        mode=settings.decision_mode if llm is not None else "local",
        min_memory_cases=c.min_memory_cases,
        min_cases_per_category=c.min_cases_per_category,
        no_evidence_risk=c.no_evidence_risk,
        micro_batch_max=settings.embedding.micro_batch_max if settings.embedding.micro_batch else 0,
        micro_batch_window_s=settings.embedding.micro_batch_window_ms / 1000,
    )


def seed_if_empty(settings: Settings, *, store: CaseStore, embedder: Embedder,
                  sessions: sessionmaker[Session] | None) -> int:
    """Load the bundled seed cases into an empty memory (TRIAGE_SEED__ON_EMPTY, on by default).

    Idempotent (case ids derive from the seed ids), so several processes starting at once cannot
    duplicate it. Returns how many cases were loaded.
    """
    if not settings.seed.on_empty or store.count() > 0:
        return 0
    if not settings.seed.file.exists():
        log.warning("the case memory is empty and the seed file %s does not exist", settings.seed.file)
        return 0
    from triage.services.cases import FieldMap, import_cases, read_rows

    report = import_cases(read_rows(settings.seed.file), fields=FieldMap(), store=store, embedder=embedder,
                          sessions=sessions, source="seed")
    log.info("the case memory was empty: loaded %d seed cases from %s", report.imported, settings.seed.file)
    return report.imported


@dataclass
class Components:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    policy: Policy
    embedder: Embedder
    store: CaseStore
    pipeline: Pipeline
    owns_embedder: bool = field(default=True)

    def close(self) -> None:
        self.store.close()
        self.engine.dispose()


def build_components(
    settings: Settings, *, embedder: Embedder | None = None, migrate: bool = True, seed: bool = True,
) -> Components:
    """Load the policy first (a bad policy file stops start-up with its line), then open everything.

    With `seed` (and TRIAGE_SEED__ON_EMPTY, the default) an empty case memory is loaded with the bundled
    seed cases before the classifier fits: a service never starts on nothing without saying so.
    """
    policy = load_policy(settings.policy_dir)
    engine = create_db_engine(settings.database.url, echo=settings.database.echo)
    if migrate:
        upgrade_database(engine)
    owns = embedder is None
    embedder = embedder or load_embedder(settings)
    store = open_store(settings, dimension=embedder.dimension)
    sessions = make_session_factory(engine)
    if seed:
        seed_if_empty(settings, store=store, embedder=embedder, sessions=sessions)
    pipeline = build_pipeline(
        settings, policy=policy, embedder=embedder, store=store, llm=build_llm(settings, policy),
        background_refit=True, persist=True,
    )
    pipeline.warm_up()
    return Components(
        settings=settings, engine=engine, sessions=sessions, policy=policy,
        embedder=embedder, store=store, pipeline=pipeline, owns_embedder=owns,
    )
