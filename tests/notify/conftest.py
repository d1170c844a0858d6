from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterator

import pytest
import respx

from ops_agent.kv import KV
from ops_agent.kv.redis import RedisKV
from ops_agent.notify import NotificationService
from ops_agent.settings import Settings
from ops_agent.store import Store
from tests.conftest import clean_tables
from tests.notify.servers import WEBHOOK_SECRET, Receiver, webhook_receiver

SLACK_URL = "https://hooks.slack.com/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX"
MAILTRAP_TOKEN = "mailtrap-token-0123456789abcdef"


GENEROUS = {c: (1000, 1.0) for c in ("slack", "email", "smtp", "webhook")}


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
def notify_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "notify_allowed_hosts": "127.0.0.1",
            "notify_email_to": "oncall@example.com",
            "notify_email_from": "Ops Agent <ops@example.com>",
        }
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as r:
        yield r


@pytest.fixture
def saas() -> Iterator[respx.MockRouter]:
    """Slack and Mailtrap through respx; everything on 127.0.0.1 is real."""
    with respx.mock(assert_all_called=False) as router:
        router.route(host="127.0.0.1").pass_through()
        yield router


@pytest.fixture
async def redis_kv(redis_socket: str) -> AsyncIterator[KV]:
    import os

    kv = RedisKV(unix_socket_path=redis_socket, prefix=f"n{os.urandom(4).hex()}:")
    yield kv
    await kv.close()


@pytest.fixture
def notify_store(store: Store, pg_url: str) -> Store:
    clean_tables(pg_url, "notifications", "notification_endpoints")
    return store


@pytest.fixture
async def service(
    notify_settings: Settings, notify_store: Store, redis_kv: KV
) -> AsyncIterator[NotificationService]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = NotificationService(
            mailtrap_token=MAILTRAP_TOKEN,
            slack_webhook_url=SLACK_URL,
            webhook_secret=WEBHOOK_SECRET,
            store=notify_store,
            kv=redis_kv,
            settings=notify_settings,
            rate_limits=GENEROUS,
            sleep=_no_sleep,
        )
    yield s
    await s.aclose()
