"""POST /api/webhooks/sentry with real Sentry-Hook-Signature signatures, on real Postgres and
Redis: verification, observations linked to deployments by release, the sentry_events metric,
idempotent retries, and the tick consuming them."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from ops_agent.agent.observe import EVIDENCE_KINDS
from ops_agent.agent.orient import attach_evidence
from ops_agent.deployments.records import DeploymentHistory
from ops_agent.http.functions import webhooks_app
from ops_agent.monitoring.metrics import Metrics
from ops_agent.observations import ObservationLog
from ops_agent.runtime import Runtime
from ops_agent.vercel.signature import sign

SECRET = "sentry-client-secret-0123456789abcdef"
SHA = "de8b89f13b2bc164cf07e735921bf5513e17951d"


def error_event(event_id: str = "5b2e3c1a9f7d4e0b8c6a1d2e3f4a5b6c") -> dict[str, Any]:
    """An `error` resource delivery as in docs.sentry.io/organization/integrations/
    integration-platform/webhooks/errors/."""
    return {
        "action": "created",
        "installation": {"uuid": "7a485448-a9e2-4c85-8a3c-4f44175783c9"},
        "data": {
            "error": {
                "event_id": event_id,
                "project": 1,
                "release": SHA[:12],
                "level": "error",
                "title": "TypeError: Cannot read properties of undefined (reading 'price')",
                "culprit": "cart.js in computeTotal",
                "environment": "production",
                "web_url": f"https://sentry.io/organizations/acme/issues/1170820242/events/{event_id}/",
                "tags": [["release", SHA[:12]], ["environment", "production"]],
            }
        },
        "actor": {"type": "application", "id": "sentry", "name": "Sentry"},
    }


def signed(body: dict[str, Any], resource: str, secret: str = SECRET) -> dict[str, Any]:
    raw = json.dumps(body).encode()
    return {
        "content": raw,
        "headers": {
            "content-type": "application/json",
            "sentry-hook-resource": resource,
            "sentry-hook-timestamp": "1764374400",
            "sentry-hook-signature": sign(raw, secret, hashlib.sha256),
            "request-id": "0c1d8b6f-3f4e-4a7a-9b7e-2a1c5d6e7f80",
        },
    }


@pytest.fixture
async def sentry(runtime: Runtime) -> Runtime:
    return Runtime(
        runtime.settings.model_copy(update={"sentry_client_secret": SecretStr(SECRET)}),
        store=await runtime.store(),
        kv=await runtime.kv(),
    )


async def _client(rt: Runtime) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=webhooks_app(rt)), base_url="http://t"
    )


URL = "/api/webhooks/sentry"


async def test_error_event_is_observed_linked_to_its_deployment_once(sentry: Runtime) -> None:
    store = await sentry.store()
    await DeploymentHistory(store).record(
        {
            "id": "dpl_sentry1",
            "project_id": "prj_shop",
            "project_name": "shop",
            "target": "production",
            "commit_sha": SHA,
            "state": "READY",
            "at": "2026-11-29T00:00:00+00:00",
        }
    )
    async with await _client(sentry) as c:
        r = await c.post(URL, **signed(error_event(), "error"))
        assert r.status_code == 200, r.text
        assert r.json() == {
            "ok": True,
            "resource": "error",
            "observed": True,
            "kind": "sentry.error.created",
            "duplicate": False,
            "deployment_id": "dpl_sentry1",
        }
        again = await c.post(URL, **signed(error_event(), "error"))
        assert again.json()["duplicate"] is True
    pending = await ObservationLog(store).pending(kinds=["sentry.error.created"])
    assert len(pending) == 1
    payload = pending[0].payload
    assert payload["deployment_id"] == "dpl_sentry1" and payload["project_name"] == "shop"
    assert payload["release"] == SHA[:12] and payload["level"] == "error"
    later = datetime.now(UTC) + timedelta(minutes=2)  # the current minute is still filling
    result = await Metrics(store, clock=lambda: later).query(
        'sum(sentry_events{project="shop"})[1h]'
    )
    assert result.latest == 1.0  # counted once, however often Sentry retried
    pending = await ObservationLog(store).pending(kinds=EVIDENCE_KINDS)
    assert len(pending) == 2  # the error, and the release recorded above
    assert await attach_evidence(sentry, pending) == 0  # no open incident to join
    assert await ObservationLog(store).pending(kinds=["sentry.error.created"]) == []


async def test_issue_and_unobserved_resources(sentry: Runtime) -> None:
    issue = {
        "action": "created",
        "data": {
            "issue": {
                "id": "1170820242",
                "title": "ECONNREFUSED 10.0.3.12:5432",
                "level": "error",
                "status": "unresolved",
                "project": {"slug": "shop-web"},
                "web_url": "https://sentry.io/organizations/acme/issues/1170820242/",
            }
        },
    }
    async with await _client(sentry) as c:
        r = await c.post(URL, **signed(issue, "issue"))
        assert r.json()["kind"] == "sentry.issue.created" and r.json()["deployment_id"] is None
        r = await c.post(URL, **signed({"action": "created", "data": {}}, "installation"))
        assert r.status_code == 200 and r.json()["observed"] is False


@pytest.mark.parametrize(
    ("mutate", "status", "code"),
    [
        (
            lambda k: {**k, "headers": {**k["headers"], "sentry-hook-signature": "00" * 32}},
            401,
            "invalid_signature",
        ),
        (
            lambda k: {
                **k,
                "headers": {
                    k2: v for k2, v in k["headers"].items() if k2 != "sentry-hook-signature"
                },
            },
            401,
            "invalid_signature",
        ),
        (
            lambda k: {
                **k,
                "headers": {
                    k2: v for k2, v in k["headers"].items() if k2 != "sentry-hook-resource"
                },
            },
            400,
            "missing_resource",
        ),
    ],
)
async def test_bad_deliveries_are_refused(sentry: Runtime, mutate, status: int, code: str) -> None:
    async with await _client(sentry) as c:
        r = await c.post(URL, **mutate(signed(error_event(), "error")))
    assert r.status_code == status and r.json()["error"]["code"] == code


async def test_malformed_bodies_are_400_and_no_secret_is_503(
    sentry: Runtime, runtime: Runtime
) -> None:
    async with await _client(sentry) as c:
        raw = b"{not json"
        headers = {
            "sentry-hook-resource": "error",
            "sentry-hook-signature": sign(raw, SECRET, hashlib.sha256),
        }
        r = await c.post(URL, content=raw, headers=headers)
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"
        r = await c.post(URL, **signed({"action": "created", "data": {"error": {}}}, "error"))
        assert r.status_code == 400 and "event_id" in r.json()["error"]["message"]
    async with await _client(runtime) as c:  # SENTRY_CLIENT_SECRET unset
        r = await c.post(URL, **signed(error_event(), "error"))
        assert r.status_code == 503 and r.json()["error"]["code"] == "not_configured"
