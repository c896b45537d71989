"""One Settings class for the CLI, the API and the notebooks, read from the environment (and `.env`)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_PASSWORD = "icrm-dev-password"
AutomationLevelName = Literal["suggest_only", "rm_approval", "manager_approval", "automatic_offer"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: str = Field(default="development", alias="ICRM_ENV")

    # Neo4j connection (the names the Neo4j tools use)
    neo4j_uri: str = Field(default="bolt://localhost:7687", alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", alias="NEO4J_USER")
    neo4j_password: SecretStr = Field(default=SecretStr(PLACEHOLDER_PASSWORD), alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", alias="NEO4J_DATABASE")

    # the local server that `icrm neo4j start` runs
    neo4j_home: Path = Field(default=PROJECT_ROOT / ".neo4j", alias="ICRM_NEO4J_HOME")
    neo4j_jar_cache: Path = Field(default=PROJECT_ROOT / ".cache" / "neo4j-jars", alias="ICRM_NEO4J_JARS")
    neo4j_bolt_port: int = Field(default=7687, alias="ICRM_NEO4J_BOLT_PORT")
    neo4j_http_port: int = Field(default=7474, alias="ICRM_NEO4J_HTTP_PORT")
    neo4j_heap: str = Field(default="1g", alias="ICRM_NEO4J_HEAP")
    neo4j_pagecache: str = Field(default="512m", alias="ICRM_NEO4J_PAGECACHE")
    neo4j_start_timeout_s: float = Field(default=120.0, alias="ICRM_NEO4J_START_TIMEOUT")

    # project data
    var_dir: Path = Field(default=PROJECT_ROOT / "var", alias="ICRM_VAR_DIR")
    artifacts_dir: Path = Field(default=PROJECT_ROOT / "artifacts", alias="ICRM_ARTIFACTS_DIR")

    # model: torch threads (1 is fastest on a shared 2-core box), how often a loaded scorer re-reads the graph
    torch_threads: int = Field(default=1, alias="ICRM_TORCH_THREADS")
    scorer_refresh_s: float = Field(default=300.0, alias="ICRM_SCORER_REFRESH_S")

    # API
    api_host: str = Field(default="127.0.0.1", alias="ICRM_API_HOST")
    api_port: int = Field(default=8000, alias="ICRM_API_PORT")
    max_k: int = Field(default=50, alias="ICRM_MAX_K")
    # /matches answers kept in memory while the graph is unchanged (app/fresh_reads.py); 0 turns it off
    match_cache_mb: int = Field(default=64, ge=0, alias="ICRM_MATCH_CACHE_MB")
    max_page_size: int = Field(default=200, alias="ICRM_MAX_PAGE_SIZE")
    max_body_bytes: int = Field(default=1_000_000, alias="ICRM_MAX_BODY_BYTES")
    max_batch_rows: int = Field(default=500, alias="ICRM_MAX_BATCH_ROWS")
    rate_limit_per_minute: int = Field(default=6000, alias="ICRM_RATE_LIMIT_PER_MINUTE")
    # /docs and /openapi.json without a key: default only in development; elsewhere the spec needs a key too
    public_docs: bool | None = Field(default=None, alias="ICRM_PUBLIC_DOCS")
    # interaction text -> needs: cosine similarity to a category's description (MiniLM); at or above
    # `need_confidence` a need is written, between `need_review_floor` and it a person reviews it
    need_confidence: float = Field(default=0.45, alias="ICRM_NEED_CONFIDENCE")
    need_review_floor: float = Field(default=0.30, alias="ICRM_NEED_REVIEW_FLOOR")

    # introduction workflow: automation level per customer segment (JSON), and the level of any other segment
    automation_levels: dict[str, AutomationLevelName] = Field(default_factory=dict, alias="ICRM_AUTOMATION_LEVELS")
    default_automation_level: AutomationLevelName = Field(default="rm_approval", alias="ICRM_DEFAULT_AUTOMATION_LEVEL")

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> "Settings":
        if self.environment != "development" and self.neo4j_password.get_secret_value() == PLACEHOLDER_PASSWORD:
            raise ValueError("NEO4J_PASSWORD is the development placeholder; set a real one outside development")
        return self

    @property
    def docs_are_public(self) -> bool:
        return self.public_docs if self.public_docs is not None else self.environment == "development"

    @property
    def neo4j_auth(self) -> tuple[str, str]:
        return (self.neo4j_user, self.neo4j_password.get_secret_value())


@lru_cache
def get_settings() -> Settings:
    return Settings()
