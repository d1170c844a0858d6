"""POST /api/drains/logs and /api/logs/* over HTTP, on real Postgres and Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest

from ops_agent.http.functions import log_drain_app
from ops_agent.runtime import Runtime
from ops_agent.store import Role
from ops_agent.vercel.signature import sign
from tests.conftest import DRAIN_SECRET, DRAIN_VERIFY_TOKEN
from tests.logs.payloads import as_json, as_ndjson, entry, gz

URL = "/api/drains/logs"


@pytest.fixture
async def drain(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The drain function's own app (with its x-vercel-verify middleware)."""
    app = log_drain_app(runtime=runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


def signed(body: bytes, **headers: str) -> dict[str, str]:
    return {"x-vercel-signature": sign(body, DRAIN_SECRET), **headers}


def recent(n: int, start: int = 0) -> list[dict]:
    now = datetime.now(UTC)
    return [entry(start + i, at=now - timedelta(seconds=i)) for i in range(n)]


def count(pg_url: str) -> int:
    with psycopg.connect(pg_url) as conn:
        return int(conn.execute("select count(*) from log_entries").fetchone()[0])  # type: ignore[index]


async def test_json_array_is_stored_and_acknowledged(drain: httpx.AsyncClient, pg_url: str) -> None:
    body = as_json(recent(50))
    r = await drain.post(
        URL, content=body, headers=signed(body, **{"content-type": "application/json"})
    )
    assert r.status_code == 200, r.text
    assert r.headers["x-vercel-verify"] == DRAIN_VERIFY_TOKEN
    assert r.json()["accepted"] == 50 and r.json()["rejected"] == 0
    assert count(pg_url) == 50


async def test_gzip_ndjson_signed_either_way(drain: httpx.AsyncClient, pg_url: str) -> None:
    plain = as_ndjson(recent(20))
    packed = gz(plain)
    r = await drain.post(
        URL, content=packed, headers=signed(packed, **{"content-encoding": "gzip"})
    )
    assert r.status_code == 200 and r.json()["accepted"] == 20
    inner = as_ndjson(recent(5, start=100))
    again = gz(inner)  # signed over the inflated body this time
    r = await drain.post(
        URL,
        content=again,
        headers={"content-encoding": "gzip", "x-vercel-signature": sign(inner, DRAIN_SECRET)},
    )
    assert r.status_code == 200 and r.json()["accepted"] == 5
    assert count(pg_url) == 25


async def test_bad_entries_are_reported_and_good_ones_kept(
    drain: httpx.AsyncClient, pg_url: str
) -> None:
    good = recent(3)
    body = as_ndjson(good[:2]) + b'{"id": "no-timestamp"}\n{broken\n' + as_ndjson(good[2:])
    r = await drain.post(URL, content=body, headers=signed(body))
    assert r.status_code == 200
    data = r.json()
    assert data["accepted"] == 3 and data["rejected"] == 2 and len(data["rejections"]) == 2
    assert count(pg_url) == 3


async def test_redelivery_under_concurrency_stores_once(
    drain: httpx.AsyncClient, pg_url: str
) -> None:
    body = as_json(recent(200))
    responses = await asyncio.gather(
        *(drain.post(URL, content=body, headers=signed(body)) for _ in range(8))
    )
    assert {r.status_code for r in responses} == {200}
    assert sum(r.json()["accepted"] for r in responses) == 200
    assert count(pg_url) == 200


@pytest.mark.parametrize("signature", [None, "", "deadbeef", sign(b"other", DRAIN_SECRET)])
async def test_wrong_signature_is_401_with_the_verify_header(
    drain: httpx.AsyncClient, pg_url: str, signature: str | None
) -> None:
    body = as_json(recent(2))
    headers = {} if signature is None else {"x-vercel-signature": signature}
    r = await drain.post(URL, content=body, headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_signature"
    assert r.headers["x-vercel-verify"] == DRAIN_VERIFY_TOKEN
    assert count(pg_url) == 0


@pytest.mark.parametrize("body", [b"not a delivery", b"[1, 2", b"{broken\n"])
async def test_garbage_is_400(drain: httpx.AsyncClient, body: bytes) -> None:
    r = await drain.post(URL, content=body, headers=signed(body))
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_body"


async def test_too_big_is_413(drain: httpx.AsyncClient) -> None:
    bomb = gz(b"[" + b" " * (70 * 1024 * 1024) + b"]")
    r = await drain.post(URL, content=bomb, headers=signed(bomb, **{"content-encoding": "gzip"}))
    assert r.status_code == 413 and r.headers["x-vercel-verify"] == DRAIN_VERIFY_TOKEN


async def test_verification_probes(drain: httpx.AsyncClient) -> None:
    for r in (await drain.get(URL), await drain.post(URL, content=b"")):
        assert r.status_code == 200 and r.headers["x-vercel-verify"] == DRAIN_VERIFY_TOKEN


async def test_logs_api(drain: httpx.AsyncClient, client: httpx.AsyncClient, keys) -> None:
    rows = recent(5)
    rows[0].update(level="error", message="Task timed out after 10.01 seconds", statusCode=504)
    body = as_json(rows)
    assert (await drain.post(URL, content=body, headers=signed(body))).status_code == 200
    viewer = {"authorization": f"Bearer {keys[Role.VIEWER]}"}
    r = await client.get(
        "/api/logs/search", params={"q": "level:error timed", "range": "1h"}, headers=viewer
    )
    assert r.status_code == 200 and [h["id"] for h in r.json()["hits"]] == [rows[0]["id"]]
    r = await client.get("/api/logs/search", params={"q": "level:error (timed"}, headers=viewer)
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "invalid_query" and err["details"]["position"] == 18
    r = await client.get("/api/logs/search", params={"range": "forever"}, headers=viewer)
    assert r.status_code == 422
    r = await client.get("/api/logs/patterns", params={"range": "1h"}, headers=viewer)
    assert (
        r.status_code == 200
        and r.json()["patterns"][0]["diagnosis"] == "FUNCTION_INVOCATION_TIMEOUT"
    )
    r = await client.get("/api/logs/anomalies", params={"range": "1h"}, headers=viewer)
    assert r.status_code == 200 and isinstance(r.json()["anomalies"], list)
    assert (await client.get("/api/logs/search")).status_code == 401
