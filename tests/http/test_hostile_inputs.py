"""A hostile world: drain entries and webhooks carrying what Postgres refuses (NUL, lone
surrogates, integers past their columns, non-finite numbers) cost only themselves, never the
batch; an unsigned delivery is refused before it is inflated."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ops_agent.http.functions import log_drain_app, webhooks_app
from ops_agent.http.routes import drains
from ops_agent.runtime import Runtime
from ops_agent.textclean import clean_json, clean_text
from ops_agent.vercel.signature import sign
from tests.conftest import DRAIN_SECRET, WEBHOOK_SECRET, clean_tables
from tests.logs.payloads import entry, gz

HOSTILE_TEXT = st.one_of(
    st.text(alphabet=st.characters(codec=None), max_size=40),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfff", "\x00\ud83d", "\u2028\u2029\x85"]),
)
HOSTILE_NUMBER = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([math.inf, -math.inf, math.nan, 2**31, -(2**31) - 1, 1e308]),
)


def test_clean_text_and_json() -> None:
    assert clean_text("a\x00b\ud800c") == "ab\ufffdc"
    cleaned, changed = clean_json({"k\x00": ["\udfff", 2**70, math.nan, 1.5, True, None]})
    assert cleaned == {"k": ["\ufffd", str(2**70), None, 1.5, True, None]} and changed == 4


@pytest.fixture
async def drain(runtime: Runtime, pg_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = log_drain_app(runtime=runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


def count(pg_url: str) -> int:
    with psycopg.connect(pg_url) as conn:
        return int(conn.execute("select count(*) from log_entries").fetchone()[0])  # type: ignore[index]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    text=HOSTILE_TEXT,
    number=HOSTILE_NUMBER,
    field=st.sampled_from(["message", "path", "host", "branch"]),
)
async def test_one_hostile_entry_never_costs_the_good_ones(
    drain: httpx.AsyncClient, pg_url: str, text: str, number: float, field: str
) -> None:
    clean_tables(pg_url, "log_entries", "log_templates", "metric_rollups")
    now = datetime.now(UTC)
    good = [entry(i, at=now - timedelta(seconds=i)) for i in range(5)]
    bad = entry(99, at=now)
    bad[field] = text
    bad["statusCode"] = number
    bad["proxy"]["statusCode"] = number
    body = json.dumps([*good, bad], allow_nan=True).encode()
    r = await drain.post(
        "/api/drains/logs", content=body, headers={"x-vercel-signature": sign(body, DRAIN_SECRET)}
    )
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] >= 5 and count(pg_url) == r.json()["accepted"]


async def test_unsigned_deliveries_are_refused_before_inflation(
    drain: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_inflate(*_: object) -> bytes:
        raise AssertionError("inflated an unsigned body")

    monkeypatch.setattr(drains, "decompress", must_not_inflate)
    bomb = gz(b"[" + b" " * (8 * 1024 * 1024) + b"]")
    for headers in ({}, {"x-vercel-signature": ""}):
        r = await drain.post(
            "/api/drains/logs", content=bomb, headers={"content-encoding": "gzip", **headers}
        )
        assert r.status_code == 401


async def test_a_webhook_with_what_postgres_refuses_is_accepted(
    runtime: Runtime, pg_url: str
) -> None:
    clean_tables(pg_url, "vercel_webhook_deliveries", "deployments")
    app = webhooks_app(runtime=runtime)
    envelope = {
        "id": "uev_hostile_1",
        "type": "deployment.created",
        "createdAt": int(datetime.now(UTC).timestamp() * 1000),
        "payload": {
            "deployment": {"id": "dpl_hostile", "name": "shop\x00", "meta": {"x": "\ud800"}},
            "project": {"id": "prj_1"},
            "huge": 2**80,
        },
    }
    body = json.dumps(envelope).encode()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.post(
            "/api/webhooks/vercel",
            content=body,
            headers={"x-vercel-signature": sign(body, WEBHOOK_SECRET)},
        )
    assert r.status_code == 200, r.text
    with psycopg.connect(pg_url) as conn:
        [(name,)] = conn.execute(
            "select payload->'deployment'->>'name' from vercel_webhook_deliveries"
        ).fetchall()
    assert name == "shop"


@pytest.mark.parametrize("age", [timedelta(days=6, hours=1), timedelta(hours=-2)])
async def test_a_webhook_outside_the_replay_window_is_flagged_not_acted_on(
    runtime: Runtime, pg_url: str, age: timedelta
) -> None:
    """Vercel signs no time: a captured delivery replayed after its id was forgotten (7 days)
    checks out. One stamped older than 6 days, or hours ahead, is answered 200 (retrying
    cannot help) with the reason, and changes nothing."""
    clean_tables(pg_url, "vercel_webhook_deliveries", "deployments")
    envelope = {
        "id": f"uev_replay_{age.total_seconds():.0f}",
        "type": "deployment.created",
        "createdAt": int((datetime.now(UTC) - age).timestamp() * 1000),
        "payload": {"deployment": {"id": "dpl_replayed", "name": "shop"}, "project": {"id": "p"}},
    }
    body = json.dumps(envelope).encode()
    app = webhooks_app(runtime=runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.post(
            "/api/webhooks/vercel",
            content=body,
            headers={"x-vercel-signature": sign(body, WEBHOOK_SECRET)},
        )
    assert r.status_code == 200 and r.json()["ignored"] and r.json()["deployments"] == []
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("select count(*) from deployments").fetchone() == (0,)


async def test_drain_entries_outside_the_window_are_rejected_with_the_reason(
    drain: httpx.AsyncClient, pg_url: str
) -> None:
    clean_tables(pg_url, "log_entries", "log_templates", "metric_rollups")
    now = datetime.now(UTC)
    rows = [
        entry(0, at=now),
        entry(1, at=now - timedelta(days=30)),
        entry(2, at=now + timedelta(days=1)),
    ]
    body = json.dumps(rows).encode()
    r = await drain.post(
        "/api/drains/logs", content=body, headers={"x-vercel-signature": sign(body, DRAIN_SECRET)}
    )
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 1 and count(pg_url) == 1
    assert r.json()["rejected"] == 2
