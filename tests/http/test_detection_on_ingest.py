"""Detection that does not wait for the cron: a drain delivery evaluates its project's rules
at once, at most once per project per EVALUATE_ON_INGEST_SECONDS; a burst costs one."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ops_agent.alerts.rules import AlertRule
from ops_agent.http.functions import log_drain_app
from ops_agent.runtime import Runtime
from ops_agent.vercel.signature import sign
from tests.conftest import DRAIN_SECRET
from tests.logs.payloads import entry


@pytest.fixture
async def drain(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    alerts = await runtime.alerts()
    await alerts.save_rule(
        AlertRule.model_validate(
            {
                "name": "shop-errors-now",
                "condition": 'error_rate{project="shop"}[5m] > 5%',
                "severity": "critical",
                "labels": {"project": "shop"},
            }
        )
    )
    await alerts.save_rule(
        AlertRule.model_validate(
            {
                "name": "blog-errors",
                "condition": 'error_rate{project="blog"}[5m] > 5%',
                "labels": {"project": "blog"},
            }
        )
    )
    app = log_drain_app(runtime=runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


def failing(start: int, n: int = 60) -> bytes:
    """`n` entries, every other one a 500, all in the last complete minute or before: queries
    leave the minute still being filled to the next evaluation (Metrics.query)."""
    now = datetime.now(UTC)
    last_minute = now.replace(second=0, microsecond=0) - timedelta(seconds=1)
    rows = [
        entry(start + i, at=last_minute - timedelta(seconds=i), status=500 if i % 2 else 200)
        for i in range(n)
    ]
    return json.dumps(rows).encode()


async def post(drain: httpx.AsyncClient, body: bytes) -> dict:
    r = await drain.post(
        "/api/drains/logs", content=body, headers={"x-vercel-signature": sign(body, DRAIN_SECRET)}
    )
    assert r.status_code == 200, r.text
    return r.json()["detection"]


async def test_a_delivery_evaluates_its_projects_rules_once_per_bound(
    drain: httpx.AsyncClient, runtime: Runtime
) -> None:
    first = await post(drain, failing(0))
    assert first["evaluated"] is True and "shop" in first["projects"]
    assert first["rules"] == 1  # shop's rule only, not blog's
    assert first["fired"] == ["shop-errors-now"]  # no `for`: firing at once, before any tick
    burst = [await post(drain, failing(100 * k)) for k in range(1, 4)]
    assert all(b["evaluated"] is False and "within" in b["reason"] for b in burst)
    [alert] = await (await runtime.alerts()).get_active_alerts()
    assert alert.rule == "shop-errors-now" and alert.state == "firing"


async def test_a_redelivery_evaluates_nothing(drain: httpx.AsyncClient) -> None:
    body = failing(0)
    await post(drain, body)
    kv_free = await post(drain, body)  # nothing new was stored
    assert kv_free == {"evaluated": False}
