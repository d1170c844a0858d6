from __future__ import annotations

import os
import warnings
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import respx

from ops_agent.alerts import AlertManagementTool
from ops_agent.kv.redis import RedisKV
from ops_agent.monitoring.metrics import Metrics, Sample
from ops_agent.notify import NotificationService
from ops_agent.settings import Settings
from ops_agent.store import Store
from tests.conftest import clean_tables
from tests.notify.servers import WEBHOOK_SECRET, Receiver, webhook_receiver

SLACK = "https://hooks.slack.com/services/T0001/B0002/ALERTSALERTSALERTS"
START = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def alert_store(store: Store, pg_url: str) -> Store:
    clean_tables(
        pg_url,
        "alert_rules",
        "alerts",
        "alert_events",
        "silences",
        "maintenance_windows",
        "incidents",
        "metric_samples",
        "notifications",
        "notification_endpoints",
        "deployments",
        "audit_log",
    )
    return store


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as r:
        yield r


@pytest.fixture
def slack() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        router.route(host="127.0.0.1").pass_through()
        router.post(SLACK).respond(200, text="ok")
        yield router


@pytest.fixture
async def kv(redis_socket: str) -> AsyncIterator[RedisKV]:
    k = RedisKV(unix_socket_path=redis_socket, prefix=f"al{os.urandom(4).hex()}:")
    yield k
    await k.close()


@pytest.fixture
async def notifier(
    settings: Settings, alert_store: Store, kv: RedisKV, receiver: Receiver
) -> AsyncIterator[NotificationService]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        service = NotificationService(
            slack_webhook_url=SLACK,
            webhook_url=receiver.url + "/alerts",
            webhook_secret=WEBHOOK_SECRET,
            store=alert_store,
            kv=kv,
            allowed_hosts="127.0.0.1",
            settings=settings,
            rate_limits={c: (1000, 1.0) for c in ("slack", "email", "smtp", "webhook")},
        )
    yield service
    await service.aclose()


@pytest.fixture
def tool(
    notifier: NotificationService, alert_store: Store, kv: RedisKV, clock: Clock
) -> AlertManagementTool:
    return AlertManagementTool(
        notifier, store=alert_store, kv=kv, clock=clock, available_channels=["webhook", "slack"]
    )


async def level(store: Store, clock: Clock, name: str, value: float, **labels: str) -> None:
    """A sample just before the clock's current minute ends, so `[1m]` windows see it."""
    at = clock.now - timedelta(seconds=5)
    await Metrics(store).ingest([Sample(name=name, value=value, labels=labels, ts=at)])
