"""Build every adapter once from the settings: the database, the case store, the embedder, the pipeline.

`create_app` (in its lifespan), the CLI and the eval runner call `build_components`; tests pass an
already-loaded embedder so the model loads once per test session.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from triage.adapters.edge_store import EdgeCaseStore
from triage.adapters.embedder import PACKAGED_MODEL, SentenceTransformerEmbedder
from triage.adapters.memory_collections import ActiveCollection, CollectionRegistry, copy_reembedded
from triage.adapters.qdrant_store import QdrantCaseStore, QdrantCollections
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
from triage.services.tickets import DecisionWriter

__all__ = ["Components", "build_components", "build_exemplar_index", "build_pipeline", "collection_registry",
           "language_detector", "load_embedder", "model_dir", "open_memory", "prime_seed_vectors", "qdrant_collections",
           "seed_if_empty", "seed_texts", "seed_vector_file"]

log = logging.getLogger(__name__)

REPLY_TEMPLATES = "reply_templates.v1.yaml"


def cache_dir_of(settings: Settings) -> Path:
    """Files derived from shipped ones (the exemplar bank's vectors, the ONNX export of the model)."""
    return settings.cache_dir or settings.data_dir / "cache"


def _embedder_from(settings: Settings, model: str) -> SentenceTransformerEmbedder:
    e = settings.embedding
    return SentenceTransformerEmbedder(model, device=e.device, batch_size=e.batch_size, cache_size=e.cache_size,
                                       backend=e.backend, onnx_dir=e.onnx_dir or cache_dir_of(settings) / "onnx")


def load_embedder(settings: Settings) -> Embedder:
    """The configured model. One that cannot be loaded (a damaged fine-tuned directory, a wrong path) is not
    served: the model of the memory's active collection is kept (or the packaged one), and the log says so."""
    model = settings.embedding.model
    try:
        return _embedder_from(settings, model)
    except Exception as exc:
        if model == PACKAGED_MODEL:
            raise
        previous = _previous_model(settings, besides=model)
        log.error("cannot load the embedding model %s (%s: %s); keeping the previous model %s", model,
                  type(exc).__name__, exc, previous)
        return _embedder_from(settings, previous)


def _previous_model(settings: Settings, *, besides: str) -> str:
    """The model whose vectors the active collection holds (when recorded and not `besides`), else the packaged."""
    q = settings.qdrant
    if not q.url and q.engine == "edge":
        source = collection_registry(settings).active().source
    else:
        try:
            collections = qdrant_collections(settings)
        except Exception as exc:  # the store's own opening reports it
            log.warning("cannot read which model embedded the case memory: %s", exc)
            return PACKAGED_MODEL
        try:
            active = collections.active()
            source = active.source if active is not None else None
        finally:
            collections.close()
    if source and source != besides:
        return source
    return PACKAGED_MODEL


def qdrant_collections(settings: Settings) -> QdrantCollections:
    """The physical collections of the case memory on a Qdrant server (or in local mode) and the alias naming the
    one in use."""
    q = settings.qdrant
    return QdrantCollections(collection=q.collection, url=q.url, api_key=q.api_key.get_secret_value() if q.api_key
                             else None, path=None if q.url else Path(q.path))


def collection_registry(settings: Settings) -> CollectionRegistry:
    """The embedded collections of the case memory and the pointer to the one in use."""
    return CollectionRegistry(Path(settings.qdrant.path) / "edge", settings.qdrant.collection)


def edge_store_path(settings: Settings) -> Path:
    """Where the edge engine keeps the collection in use: beside the local-mode files it replaces (the
    collection's own directory, or the re-embedded one the registry's pointer names)."""
    registry = collection_registry(settings)
    return registry.path_of(registry.active().directory)


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
    path = edge_store_path(settings)
    store = EdgeCaseStore(path, dimension=dimension, collection=q.collection)
    try:
        if path.name == q.collection:  # the collection's own directory; a re-embedded one never migrates
            migrate_on_first_start(Path(q.path), q.collection, store)
    except BaseException:
        store.close()
        raise
    return store


def open_memory(settings: Settings, embedder: Embedder,
                on_progress: Callable[[int, int], None] | None = None) -> tuple[Embedder, CaseStore]:
    """The case store whose vectors come from `embedder`, and the embedder to serve with.

    When the active collection was embedded by another model (a fine-tuned one, or the packaged one again after a
    roll-back), the memory is re-embedded into a new collection named by this model, and the switch to it is
    atomic once it is complete. Embedded (edge) store: a pointer file names the active collection directory
    (`adapters/memory_collections.py`). Qdrant server or local mode: the collection alias
    `TRIAGE_QDRANT__COLLECTION` names the active physical collection and moves in one `update_collection_aliases`
    call, so every process reading the alias follows (`adapters/qdrant_store.py`; a store from before the alias
    is switched in two steps that a restart finishes). When re-embedding fails, the previous model and its
    collection are kept and the log says so: a half-built collection never serves.
    """
    q = settings.qdrant
    if q.url or q.engine != "edge":
        return _open_qdrant_memory(settings, embedder, on_progress)
    name = getattr(embedder, "name", "unknown")
    registry = collection_registry(settings)
    active = registry.active()
    if registry.matches(active, name):
        store = _open_edge_store(settings, dimension=embedder.dimension)
        if active.embedder is None:  # record which model made these vectors, so a later switch knows
            registry.record(_collection_of(embedder, active.directory, cases=store.count(),
                                           switched_at=registry.now()))
        return embedder, store
    try:
        return embedder, _reembed_memory(settings, registry, active, embedder, on_progress)
    except Exception as exc:
        kept = _keep_previous_model(settings, name, active, exc)
        return kept, _open_edge_store(settings, dimension=kept.dimension)


def _keep_previous_model(settings: Settings, name: str, active: ActiveCollection, exc: Exception) -> Embedder:
    """After re-embedding for `name` failed: say so, and load the model whose vectors `active` holds."""
    previous = active.source or PACKAGED_MODEL
    log.error("re-embedding the case memory with %s failed (%s: %s); keeping the previous model %s and its "
              "collection %s", name, type(exc).__name__, exc, previous, active.directory, exc_info=True)
    return _embedder_from(settings, previous)


def _collection_of(embedder: Embedder, directory: str, **fields: object) -> ActiveCollection:
    """The record of a collection whose vectors `embedder` made."""
    return ActiveCollection(directory=directory, embedder=getattr(embedder, "name", "unknown"),
                            source=getattr(embedder, "source", None), dimension=embedder.dimension,
                            **fields)  # type: ignore[arg-type]


def _log_switched(name: str, directory: str, active: ActiveCollection, copied: int, started: float) -> None:
    log.warning("the case memory was re-embedded for a new embedding model and switched to its collection",
                extra={"embedder": name, "collection": directory, "previous": active.directory,
                       "previous_embedder": active.embedder, "cases": copied,
                       "seconds": round(time.perf_counter() - started, 2)})


def _reembed_memory(settings: Settings, registry: CollectionRegistry, active: ActiveCollection, embedder: Embedder,
                    on_progress: Callable[[int, int], None] | None) -> EdgeCaseStore:
    """Build the new collection from the active one, then switch the pointer; returns the new store, open."""
    q = settings.qdrant
    name = getattr(embedder, "name", "unknown")
    directory = registry.directory_for(name)
    started = time.perf_counter()
    source_path = registry.path_of(active.directory)
    target = EdgeCaseStore(registry.prepare_directory(directory), dimension=embedder.dimension,
                           collection=q.collection)
    try:
        if EdgeCaseStore.exists_at(source_path):
            # the old collection's own dimension: it may differ from the new model's
            dimension = active.dimension or embedder.dimension
            source = EdgeCaseStore(source_path, dimension=dimension, collection=q.collection, background=False)
            try:
                copied = copy_reembedded(source, target, embedder, on_progress=on_progress)
            finally:
                source.close()
        else:
            copied = 0
        registry.record(_collection_of(embedder, directory, cases=copied, switched_at=registry.now()))
        registry.prune(q.keep_collections)
    except BaseException:
        target.close()
        shutil.rmtree(registry.path_of(directory), ignore_errors=True)
        raise
    _log_switched(name, directory, active, copied, started)
    return target


def _open_qdrant_memory(settings: Settings, embedder: Embedder,
                        on_progress: Callable[[int, int], None] | None) -> tuple[Embedder, QdrantCaseStore]:
    """`open_memory` on a Qdrant server or local mode: the store reads and writes the alias."""
    name = getattr(embedder, "name", "unknown")
    collections = qdrant_collections(settings)
    try:
        collections.finish_interrupted_switch()
        active = collections.active()
        if active is None:  # a new store: its first collection, named by the model, behind the alias
            collections.create_first(_collection_of(embedder, collections.name_for(name), cases=0,
                                                    switched_at=CollectionRegistry.now()))
        elif collections.matches(active, name):
            if active.embedder is None:  # record which model made these vectors, so a later switch knows
                _record_unrecorded(collections, active, embedder)
        else:
            try:
                _reembed_qdrant_memory(settings, collections, active, embedder, on_progress)
            except Exception as exc:
                now = collections.active()
                if now is not None and now.directory != active.directory and collections.matches(now, name):
                    log.warning("re-embedding the case memory with %s ended with an error after the switch (%s: %s); "
                                "the new collection %s serves", name, type(exc).__name__, exc, now.directory)
                    return embedder, collections.serving_store(dimension=embedder.dimension)
                if collections.pending_switch() is not None:
                    raise  # the old collection may be gone: the next start finishes the switch
                kept = _keep_previous_model(settings, name, active, exc)
                return kept, collections.serving_store(dimension=kept.dimension)
        return embedder, collections.serving_store(dimension=embedder.dimension)
    except BaseException:
        collections.close()
        raise


def _record_unrecorded(collections: QdrantCollections, active: ActiveCollection, embedder: Embedder) -> None:
    record = replace(active, embedder=getattr(embedder, "name", "unknown"), source=getattr(embedder, "source", None),
                     dimension=embedder.dimension, switched_at=active.switched_at or CollectionRegistry.now())
    try:
        collections.record(record)
    except Exception as exc:  # a server that keeps no collection metadata: the name stays the record
        log.warning("cannot record the embedding model in the metadata of the collection %s: %s",
                    active.directory, exc)


def _reembed_qdrant_memory(settings: Settings, collections: QdrantCollections, active: ActiveCollection,
                           embedder: Embedder, on_progress: Callable[[int, int], None] | None) -> None:
    """Build the new physical collection from the active one, then move the alias to it."""
    q = settings.qdrant
    name = getattr(embedder, "name", "unknown")
    directory = collections.name_for(name)
    started = time.perf_counter()
    target = collections.create(_collection_of(embedder, directory))
    try:
        # read the active physical collection (its own dimension), not the alias: another process may move it
        source = collections.store(active.directory, dimension=active.dimension or embedder.dimension)
        copied = copy_reembedded(source, target, embedder, on_progress=on_progress)
        collections.switch_to(directory, cases=copied)
    except BaseException:
        try:
            collections.drop_unused(directory)  # never the collection in use or being switched to
        except Exception as exc:
            log.warning("cannot remove the half-built collection %s: %s", directory, exc)
        raise
    try:
        collections.prune(q.keep_collections)
    except Exception as exc:  # the switch is done; an old collection left behind is removed at the next one
        log.warning("cannot remove old collections of the case memory: %s", exc)
    _log_switched(name, directory, active, copied, started)


def build_llm(settings: Settings, policy: Policy) -> LlmDecider | None:
    """The LLM decider when an endpoint is configured (the LLM path plugs in here)."""
    if not settings.llm_configured:
        return None
    return build_llm_decider(settings, policy)


#: built exemplar indexes, by the bank file's bytes, the policy and the embedder: an index is immutable,
#: so pipelines in one process (a test session, the demo, eval folds) parse and n-gram the bank once
EXEMPLAR_INDEXES = FitCache(size=2)


BUNDLED_VECTORS_DIR = "vectors"  # beside the bank: its vectors under the default model, shipped


def build_exemplar_index(settings: Settings, *, policy: Policy, embedder: Embedder) -> ExemplarIndex | None:
    """The critical detector's exemplar bank, embedded (cached under the data directory)."""
    if not settings.critical.enabled:
        return None
    path = settings.policy_dir / settings.critical.bank_file
    cache_dir = cache_dir_of(settings)
    key = fingerprint(path.read_bytes() if path.is_file() else str(path), policy.version,
                      getattr(embedder, "name", type(embedder).__name__), embedder.dimension)

    def build() -> ExemplarIndex:
        return ExemplarIndex(load_exemplar_bank(path, policy=policy), embedder=embedder, cache_dir=cache_dir,
                             bundled_dir=path.parent / BUNDLED_VECTORS_DIR)

    return EXEMPLAR_INDEXES.get_or_fit(key, build)


def _encoder_trained(embedder: Embedder) -> np.ndarray | None:
    """The cases a fine-tuned embedder was trained on (`triage-trained.npy` in its directory); None for any other."""
    from triage.adapters.embedder_training import read_trained_ids

    source = getattr(embedder, "source", None)
    if not source or not Path(str(source)).is_dir():
        return None
    return read_trained_ids(str(source))


def limit_blas_threads(threads: int) -> None:
    """Cap the BLAS libraries loaded in this process (numpy's and scipy's OpenBLAS) at `threads` (TRIAGE_BLAS_THREADS;
    0 leaves them alone). Process-wide, and lasting: threadpoolctl (a scikit-learn dependency) sets the libraries'
    own limit. ONNX Runtime and torch keep their thread pools (not BLAS)."""
    if threads <= 0:
        return
    from threadpoolctl import threadpool_info, threadpool_limits

    before = sorted({int(lib["num_threads"]) for lib in threadpool_info() if lib["user_api"] == "blas"})
    threadpool_limits(limits=threads, user_api="blas")
    if before != [threads]:
        log.info("BLAS threads capped (TRIAGE_BLAS_THREADS)", extra={"threads": threads, "were": before})


def build_pipeline(
    settings: Settings, *, policy: Policy, embedder: Embedder, store: CaseStore,
    llm: LlmDecider | None = None, classifier_labels: tuple[str, ...] = ("category", "risk"),
    background_refit: bool = False, exemplars: ExemplarIndex | None = None, persist: bool = False,
) -> Pipeline:
    """The pipeline over a store. `exemplars` shares an already-built exemplar index (eval folds); `persist` saves
    and loads the fitted classifier beside the store (the service's store; never an eval fold's)."""
    limit_blas_threads(settings.blas_threads)
    c = settings.classifier
    lexicon = load_lexicon(settings.policy_dir / "lexicon.yaml", categories=policy.categories)
    index = exemplars if exemplars is not None else build_exemplar_index(settings, policy=policy, embedder=embedder)
    critical = None
    if index is not None and settings.critical.enabled:
        k = settings.critical
        critical = CriticalDetector(index, policy=policy, recall_target=k.recall_target,
                                    max_false_alarm_rate=k.max_false_alarm_rate, min_positives=k.min_positives,
                                    max_training_cases=k.max_training_cases,
                                    watch_false_alarm_rate=k.watch_false_alarm_rate)
    classifier = LocalClassifier(
        store, labels=classifier_labels, knn_weight=c.knn_weight, top_k=c.top_k, background_refit=background_refit,
        lexicon=lexicon, listener=critical, max_training_cases=c.max_training_cases,
        incremental_share=c.incremental_share,
        target_precision=c.target_precision, embedder_name=getattr(embedder, "name", type(embedder).__name__),
        repository=ModelRepository(model_dir(settings)) if persist and c.persist else None,
        encoder_trained=_encoder_trained(embedder))
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
        min_language_cases=c.min_cases_per_language,
        review_partly_read=c.review_partly_read,
        micro_batch_max=settings.embedding.micro_batch_max if settings.embedding.micro_batch else 0,
        micro_batch_window_s=settings.embedding.micro_batch_window_ms / 1000,
    )


def seed_vector_file(seed_file: Path, embedder_name: str) -> Path:
    """Where the vectors of a seed file's cases under one embedding model are shipped: `vectors/` beside it,
    named by the file's bytes and the model, so a vector file of an edited seed file is never used."""
    key = hashlib.sha256(seed_file.read_bytes() + f"|{embedder_name}".encode()).hexdigest()[:16]
    return seed_file.parent / BUNDLED_VECTORS_DIR / f"cases-{key}.npy"


def seed_texts(seed_file: Path) -> list[str]:
    """The text of each seed case as an import embeds it, in file order."""
    from triage.services.cases import FieldMap, read_rows, row_to_case

    return [row_to_case(row, FieldMap(), source="seed").text for row in read_rows(seed_file)]


def prime_seed_vectors(seed_file: Path, embedder: Embedder) -> bool:
    """Give the embedder the shipped vectors of the seed cases (scripts/bundle_exemplar_vectors.py writes them
    for the packaged model), so loading the seed embeds nothing: a first start on the packaged model skips
    ~350 encodes (several seconds on two cores). False when there are none for this file and model."""
    remember = getattr(embedder, "remember", None)
    name = getattr(embedder, "name", None)
    if remember is None or not isinstance(name, str) or not seed_file.is_file():
        return False
    path = seed_vector_file(seed_file, name)
    if not path.is_file():
        return False
    texts = seed_texts(seed_file)
    vectors = np.load(path)
    if vectors.shape != (len(texts), embedder.dimension):
        log.warning("ignoring %s: %s vectors for %d seed cases", path, vectors.shape, len(texts))
        return False
    remember(texts, vectors)
    return True


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

    prime_seed_vectors(settings.seed.file, embedder)
    report = import_cases(read_rows(settings.seed.file), fields=FieldMap(), store=store, embedder=embedder,
                          sessions=sessions, source="seed", detector=language_detector(settings))
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
    #: writes concurrent requests' first decisions together (None: each request writes its own)
    decision_writer: DecisionWriter | None = None

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
    embedder, store = open_memory(settings, embedder or load_embedder(settings))
    sessions = make_session_factory(engine)
    if seed:
        seed_if_empty(settings, store=store, embedder=embedder, sessions=sessions)
    pipeline = build_pipeline(
        settings, policy=policy, embedder=embedder, store=store, llm=build_llm(settings, policy),
        background_refit=True, persist=True,
    )
    pipeline.warm_up()
    writer = DecisionWriter(sessions, max_items=settings.embedding.micro_batch_max) \
        if settings.embedding.micro_batch else None
    return Components(
        settings=settings, engine=engine, sessions=sessions, policy=policy,
        embedder=embedder, store=store, pipeline=pipeline, owns_embedder=owns, decision_writer=writer,
    )
