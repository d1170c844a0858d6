"""POST /api/drains/traces over HTTP, on real Postgres: OTLP JSON and protobuf, gzip or not,
signed like log drains, each span rolled up once; and log drain request counting by request
id, as Vercel writes one entry per log line."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest

from ops_agent.http.functions import log_drain_app
from ops_agent.runtime import Runtime
from ops_agent.sandbox.traffic import (
    Behaviour,
    Where,
    log_lines,
    requests,
    to_protobuf,
    trace_export,
)
from ops_agent.vercel.signature import sign
from tests.conftest import DRAIN_SECRET, DRAIN_VERIFY_TOKEN, clean_tables

TRACES = "/api/drains/traces"
WHERE = Where("prj_trace", "shop", "dpl_trace0001", "shop.example")


@pytest.fixture
async def drain(runtime: Runtime, pg_url: str) -> AsyncIterator[httpx.AsyncClient]:
    clean_tables(pg_url, "metric_rollups", "trace_spans_seen", "log_entries", "log_templates")
    app = log_drain_app(runtime=runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


def traffic(seconds: float = 120, behaviour: Behaviour | None = None) -> list:
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    return requests(
        WHERE,
        start=start,
        seconds=seconds,
        behaviour=behaviour or Behaviour(),
        rate_per_second=2,
        seed=3,
    )


def rollups(pg_url: str) -> tuple[int, int, int, int, int]:
    with psycopg.connect(pg_url) as conn:
        row = conn.execute(
            "select coalesce(sum(requests), 0), coalesce(sum(status_5xx), 0), "
            "coalesce(sum(spans), 0), coalesce(sum(span_5xx), 0), "
            "coalesce(sum(duration_count), 0) from metric_rollups"
        ).fetchone()
    assert row is not None
    return tuple(int(v) for v in row)  # type: ignore[return-value]


async def post(
    drain: httpx.AsyncClient, body: bytes, content_type: str, *, packed: bool = False
) -> httpx.Response:
    headers = {"content-type": content_type}
    if packed:
        body = gzip.compress(body)
        headers["content-encoding"] = "gzip"
    headers["x-vercel-signature"] = sign(body, DRAIN_SECRET)
    return await drain.post(TRACES, content=body, headers=headers)


@pytest.mark.parametrize(
    ("encoding", "packed"),
    [("json", False), ("json", True), ("proto", False), ("proto", True)],
)
async def test_each_encoding_rolls_spans_up_once(
    drain: httpx.AsyncClient, pg_url: str, encoding: str, packed: bool
) -> None:
    reqs = traffic()
    export = trace_export(WHERE, reqs)
    body, kind = (
        (json.dumps(export).encode(), "application/json")
        if encoding == "json"
        else (to_protobuf(export), "application/x-protobuf")
    )
    n = len(export["resourceSpans"][0]["scopeSpans"][0]["spans"])
    answers = await asyncio.gather(*(post(drain, body, kind, packed=packed) for _ in range(4)))
    assert {a.status_code for a in answers} == {200}
    assert answers[0].headers["x-vercel-verify"] == DRAIN_VERIFY_TOKEN
    assert sum(a.json()["accepted"] for a in answers) == n  # retries counted once
    _, _, spans, _, durations = rollups(pg_url)
    assert spans == n and durations == n


async def test_the_two_encodings_read_the_same() -> None:
    from ops_agent.logs.traces import read

    export = trace_export(WHERE, traffic(30))
    as_json = read(json.dumps(export).encode(), "application/json")
    as_proto = read(to_protobuf(export), "application/x-protobuf")
    assert as_json.rows == as_proto.rows and as_json.rows
    assert {r["route"] for r in as_json.rows} <= {
        "/api/products",
        "/api/cart",
        "/api/checkout",
        "/",
        "/api/search",
        "/api/orders/[id]",
    }


@pytest.mark.parametrize(
    ("body", "kind", "names"),
    [
        (b"not json", "application/json", "not JSON"),
        (b"\x0a\xff\xff", "application/x-protobuf", "protobuf"),
        (b'{"resourceSpans": {}}', "application/json", "resourceSpans"),
        (
            b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"kind": 2, "traceId": "zz", '
            b'"spanId": "0011223344556677", "startTimeUnixNano": "1", '
            b'"endTimeUnixNano": "2"}]}]}]}',
            "application/json",
            "spans[0].traceId",
        ),
        (b"{}", "text/plain", "Content-Type"),
    ],
)
async def test_bad_deliveries_are_400_naming_the_field(
    drain: httpx.AsyncClient, pg_url: str, body: bytes, kind: str, names: str
) -> None:
    r = await post(drain, body, kind)
    assert r.status_code == 400, r.text
    assert names in r.json()["error"]["message"]
    assert rollups(pg_url) == (0, 0, 0, 0, 0)


async def test_a_bad_span_keeps_nothing_of_its_delivery(
    drain: httpx.AsyncClient, pg_url: str
) -> None:
    export = trace_export(WHERE, traffic(30))
    export["resourceSpans"][0]["scopeSpans"][0]["spans"][-1]["spanId"] = "nope"
    r = await post(drain, json.dumps(export).encode(), "application/json")
    assert r.status_code == 400 and "spanId" in r.json()["error"]["message"]
    assert rollups(pg_url)[2] == 0


async def test_unsigned_is_401(drain: httpx.AsyncClient) -> None:
    r = await drain.post(TRACES, content=b"{}", headers={"content-type": "application/json"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_signature"


async def test_log_lines_count_requests_not_lines(drain: httpx.AsyncClient, pg_url: str) -> None:
    """Several lines per request, split over two deliveries (one redelivered): each request
    counts once; revalidations are not requests; crashes are 5xx."""
    reqs = traffic(behaviour=Behaviour(error_rate=0.3))
    lines = log_lines(WHERE, reqs)
    half = len(lines) // 2
    for part in (lines[:half], lines[half:], lines[:half]):
        body = json.dumps(part).encode()
        r = await drain.post(
            "/api/drains/logs",
            content=body,
            headers={"x-vercel-signature": sign(body, DRAIN_SECRET)},
        )
        assert r.status_code == 200, r.text
    served = [r for r in reqs if r.status != -1]
    failed = [r for r in served if r.status >= 500]
    requests_, errors, _, _, _ = rollups(pg_url)
    assert len(lines) > len(reqs) and requests_ == len(served) and errors == len(failed)
