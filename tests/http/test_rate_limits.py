"""Inbound rate limits: per API key by role, per client address for what proves nothing,
per signing secret for drains and webhooks; 429 with Retry-After, documented."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from ops_agent.apikeys import issue_key
from ops_agent.http.app import create_app
from ops_agent.http.ratelimit import client_address, limits
from ops_agent.kv.redis import RedisKV
from ops_agent.runtime import Runtime
from ops_agent.settings import Settings, SettingsError, load_settings
from ops_agent.store import Role
from ops_agent.store.postgres import PostgresStore
from ops_agent.vercel.signature import sign
from tests.conftest import ALL_TABLES, DRAIN_SECRET, clean_tables
from tests.http.conftest import routers
from tests.logs.payloads import entry


@pytest.fixture
async def tight(
    settings: Settings, pg_url: str, redis_socket: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    import os

    clean_tables(pg_url, *ALL_TABLES)
    config = settings.model_copy(
        update={"api_rate_limits": "viewer=3/60,operator=5/60,anonymous=2/60,ingest=2/60"}
    )
    runtime = Runtime(
        config,
        store=PostgresStore(pg_url),
        kv=RedisKV(unix_socket_path=redis_socket, prefix=f"rl{os.urandom(3).hex()}:"),
    )
    app = create_app("t", routers(), runtime=runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c, runtime
    await runtime.close()


async def _key(runtime: Runtime, role: Role, name: str) -> dict[str, str]:
    key, _ = await issue_key(await runtime.store(), name=name, role=role, created_by="t")
    return {"Authorization": f"Bearer {key}"}


async def test_each_key_has_its_own_bucket_sized_by_its_role(
    tight: tuple[httpx.AsyncClient, Runtime],
) -> None:
    client, runtime = tight
    viewer = await _key(runtime, Role.VIEWER, "v1")
    other = await _key(runtime, Role.VIEWER, "v2")
    operator = await _key(runtime, Role.OPERATOR, "o1")
    statuses = [(await client.get("/api/alerts", headers=viewer)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = await client.get("/api/alerts", headers=viewer)
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["error"]["details"]["limit"] == 3
    # Another key, and a role with a larger bucket, are not held back by it.
    assert (await client.get("/api/alerts", headers=other)).status_code == 200
    assert [(await client.get("/api/alerts", headers=operator)).status_code for _ in range(5)] == [
        200
    ] * 5


async def test_guessing_keys_meets_429_by_address(
    tight: tuple[httpx.AsyncClient, Runtime],
) -> None:
    client, runtime = tight
    wrong = {"Authorization": "Bearer oa_guess0000_notarealkeyatallnotarealkeyatall0000"}
    statuses = [(await client.get("/api/alerts", headers=wrong)).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    assert (await client.get("/api/alerts")).status_code == 429  # no key: the same address
    # A caller that proves itself is judged by its key, not the address.
    assert (
        await client.get("/api/alerts", headers=await _key(runtime, Role.VIEWER, "v"))
    ).status_code == 200


async def test_signed_deliveries_count_per_secret_and_forgeries_per_address(
    tight: tuple[httpx.AsyncClient, Runtime],
) -> None:
    client, _ = tight

    def delivery(i: int, secret: str = DRAIN_SECRET) -> dict[str, object]:
        body = json.dumps([entry(i)]).encode()
        return {"content": body, "headers": {"x-vercel-signature": sign(body, secret)}}

    signed = [(await client.post("/api/drains/logs", **delivery(i))).status_code for i in range(3)]  # type: ignore[arg-type]
    assert signed == [200, 200, 429]
    forged = [
        (await client.post("/api/drains/logs", **delivery(10 + i, "wrong"))).status_code  # type: ignore[arg-type]
        for i in range(3)
    ]
    assert forged == [401, 401, 429]


def test_client_address_trusts_x_real_ip_only_on_vercel(settings: Settings) -> None:
    from starlette.requests import Request

    scope = {
        "type": "http",
        "headers": [(b"x-real-ip", b"203.0.113.7"), (b"x-forwarded-for", b"198.51.100.1")],
        "client": ("10.0.0.2", 5000),
    }
    assert client_address(Request(scope), settings) == "10.0.0.2"
    on_vercel = settings.model_copy(update={"vercel": True})
    assert client_address(Request(scope), on_vercel) == "203.0.113.7"


def test_limits_are_configured_by_name(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    custom = settings.model_copy(update={"api_rate_limits": "admin=10/1"})
    assert limits(custom)["admin"] == (10, 1.0) and limits(custom)["viewer"] == (1200, 60.0)
    monkeypatch.setenv("API_RATE_LIMITS", "root=1/1")
    with pytest.raises(SettingsError, match="API_RATE_LIMITS: no limit called root"):
        load_settings()
    monkeypatch.setenv("API_RATE_LIMITS", "viewer=lots")
    with pytest.raises(SettingsError, match="API_RATE_LIMITS"):
        load_settings()
