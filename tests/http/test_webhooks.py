"""POST /api/webhooks/vercel with real signatures, on real Postgres and Redis."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import httpx
import psycopg
import pytest

from ops_agent.runtime import Runtime
from ops_agent.vercel.signature import sign
from tests.conftest import WEBHOOK_SECRET, WEBHOOK_SECRET_OLD
from tests.vercel.payloads import PROJECT_ID, T0, signed, webhook

URL = "/api/webhooks/vercel"


@pytest.fixture(autouse=True)
def clock_at_t0(runtime: Runtime) -> None:
    """The webhooks here are stamped around T0: the agent's clock reads just after it, so
    they are inside the replay window (plausible.py)."""
    runtime.now = lambda: datetime.fromtimestamp(T0 / 1000 + 300, UTC)


def count(pg_url: str, sql: str) -> int:
    with psycopg.connect(pg_url) as conn:
        row = conn.execute(sql).fetchone()
        return int(row[0]) if row else 0


async def test_created_then_error_builds_the_timeline_and_an_observation(
    client: httpx.AsyncClient, pg_url: str
) -> None:
    for kind, at in (("deployment.created", T0), ("deployment.error", T0 + 90_000)):
        raw, headers = signed(webhook(kind, "dpl_9", created=at), WEBHOOK_SECRET)
        r = await client.post(URL, content=raw, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["duplicate"] is False and r.json()["deployments"] == ["dpl_9"]
    r = await client.get("/api/deployments/dpl_9", headers={"authorization": "Bearer x"})
    assert r.status_code == 401
    with psycopg.connect(pg_url) as conn:
        state, target, project, branch, timeline = conn.execute(
            "select state, target, project_id, branch, timeline from deployments where id = 'dpl_9'"
        ).fetchone()
        kinds = conn.execute("select kind from observations").fetchall()
    assert (state, target, project, branch) == ("ERROR", "production", PROJECT_ID, "main")
    assert [e["state"] for e in timeline] == ["QUEUED", "ERROR"]
    assert kinds == [("deployment.error",)]


async def test_old_secret_still_works_during_rotation(client: httpx.AsyncClient) -> None:
    raw, headers = signed(webhook("deployment.ready", "dpl_r"), WEBHOOK_SECRET_OLD)
    assert (await client.post(URL, content=raw, headers=headers)).status_code == 200


@pytest.mark.parametrize(
    "signature", [None, "", "deadbeef", sign(b"other body", WEBHOOK_SECRET), "sha1=" + "0" * 40]
)
async def test_bad_or_missing_signature_is_401(
    client: httpx.AsyncClient, pg_url: str, signature: str | None
) -> None:
    raw = json.dumps(webhook("deployment.ready", "dpl_s")).encode()
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["x-vercel-signature"] = signature
    r = await client.post(URL, content=raw, headers=headers)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_signature"
    assert count(pg_url, "select count(*) from vercel_webhook_deliveries") == 0
    assert count(pg_url, "select count(*) from audit_log where outcome = 'denied'") == 1


async def test_signed_garbage_is_400(client: httpx.AsyncClient) -> None:
    for raw in (b"{not json", b'{"type": "deployment.ready"}', b"[1, 2]"):
        r = await client.post(
            URL, content=raw, headers={"x-vercel-signature": sign(raw, WEBHOOK_SECRET)}
        )
        assert r.status_code == 400, raw
        assert r.json()["error"]["code"] in ("invalid_json", "invalid_payload")
        assert r.json()["error"]["message"]


async def test_oversized_is_413(client: httpx.AsyncClient, runtime: Runtime) -> None:
    raw = b"x" * (runtime.settings.max_body_bytes + 1)
    r = await client.post(
        URL, content=raw, headers={"x-vercel-signature": sign(raw, WEBHOOK_SECRET)}
    )
    assert r.status_code == 413


async def test_unknown_types_are_stored_and_acknowledged(
    client: httpx.AsyncClient, pg_url: str
) -> None:
    body = {
        "id": "uev_new",
        "type": "observability.anomaly-detected",
        "createdAt": T0,
        "region": None,
        "payload": {"whatever": [1, 2, 3]},
    }
    raw, headers = signed(body, WEBHOOK_SECRET)
    r = await client.post(URL, content=raw, headers=headers)
    assert r.status_code == 200 and r.json()["deployments"] == []
    assert (
        count(
            pg_url,
            "select count(*) from vercel_webhook_deliveries"
            " where type = 'observability.anomaly-detected'",
        )
        == 1
    )
    assert count(pg_url, "select count(*) from deployments") == 0


async def test_twenty_concurrent_redeliveries_change_the_store_once(
    client: httpx.AsyncClient, pg_url: str
) -> None:
    raw, headers = signed(webhook("deployment.ready", "dpl_c", delivery="uev_same"), WEBHOOK_SECRET)
    responses = await asyncio.gather(
        *(client.post(URL, content=raw, headers=headers) for _ in range(20))
    )
    assert {r.status_code for r in responses} == {200}
    assert sum(not r.json()["duplicate"] for r in responses) == 1
    assert count(pg_url, "select count(*) from vercel_webhook_deliveries") == 1
    assert (
        count(pg_url, "select jsonb_array_length(timeline) from deployments where id = 'dpl_c'")
        == 1
    )
    assert count(pg_url, "select count(*) from observations") == 1
    # and once more, later, still a duplicate
    again = await client.post(URL, content=raw, headers=headers)
    assert again.json()["duplicate"] is True


async def test_unconfigured_secret_refuses_with_503(runtime: Runtime) -> None:
    from ops_agent.http.app import create_app
    from ops_agent.http.routes import webhooks

    unconfigured = Runtime(
        runtime.settings.model_copy(update={"vercel_webhook_secret": None}),
        store=await runtime.store(),
        kv=await runtime.kv(),
    )
    app = create_app("t", [webhooks.router], runtime=unconfigured)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        raw, headers = signed(webhook("deployment.ready", "dpl_u"), WEBHOOK_SECRET)
        r = await c.post(URL, content=raw, headers=headers)
    assert r.status_code == 503 and r.json()["error"]["code"] == "not_configured"
