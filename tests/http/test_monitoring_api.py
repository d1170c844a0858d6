"""/api/health/services and heartbeats over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ops_agent.http.functions import metrics_app
from ops_agent.runtime import Runtime
from ops_agent.store import Role
from tests.targets import Targets


@pytest.fixture
async def health_client(runtime: Runtime, tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    settings = runtime.settings.model_copy(
        update={"monitor_allowed_hosts": "127.0.0.1", "monitor_config": tmp_path / "none.yaml"}
    )
    rt = Runtime(settings, store=await runtime.store(), kv=await runtime.kv())
    app = metrics_app(runtime=rt)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c
    await rt.close()


def auth(keys, role: Role) -> dict[str, str]:
    return {"authorization": f"Bearer {keys[role]}"}


async def test_declare_check_list_and_remove(health_client, keys, targets: Targets) -> None:
    op, viewer = auth(keys, Role.OPERATOR), auth(keys, Role.VIEWER)
    body = {
        "name": "api",
        "url": f"{targets.http}/ok",
        "conditions": ["[STATUS] == 200", "[BODY].status == UP"],
    }
    assert (
        await health_client.post("/api/health/services", json=body, headers=viewer)
    ).status_code == 403
    r = await health_client.post("/api/health/services", json=body, headers=op)
    assert r.status_code == 201, r.text
    r = await health_client.post("/api/health/services/api/check", headers=op)
    assert r.status_code == 200 and r.json()["last_result"]["ok"] is True
    r = await health_client.get("/api/health/services", headers=viewer)
    [service] = r.json()["services"]
    assert service["service"] == "api" and service["uptime"]["1h"]["checks"] == 1
    r = await health_client.get("/api/health/services/api", headers=viewer)
    assert r.status_code == 200 and len(r.json()["results"]) == 1
    assert service["paused"] is False
    assert (
        await health_client.post("/api/health/services/api/pause", headers=viewer)
    ).status_code == 403
    r = await health_client.post("/api/health/services/api/pause", headers=op)
    assert r.status_code == 200 and r.json()["paused"] is True
    [service] = (await health_client.get("/api/health/services", headers=viewer)).json()["services"]
    assert service["paused"] is True
    r = await health_client.post("/api/health/services/api/resume", headers=op)
    assert r.status_code == 200 and r.json()["paused"] is False
    assert (
        await health_client.post("/api/health/services/nope/pause", headers=op)
    ).status_code == 404
    assert (await health_client.delete("/api/health/services/api", headers=op)).status_code == 200
    assert (await health_client.get("/api/health/services/api", headers=viewer)).status_code == 404


async def test_bad_services_are_422_naming_the_condition(health_client, keys) -> None:
    op = auth(keys, Role.OPERATOR)
    for body in (
        {"name": "x", "url": "https://x.example", "conditions": ["[STATUS] = 200"]},
        {"name": "Bad Name", "url": "https://x.example"},
        {"name": "x", "url": "ftp://x.example"},
        {"name": "x"},
    ):
        r = await health_client.post("/api/health/services", json=body, headers=op)
        assert r.status_code == 422, body
        assert r.json()["error"]["message"]


async def test_heartbeat_endpoint(health_client, keys) -> None:
    op = auth(keys, Role.OPERATOR)
    body = {"name": "worker", "kind": "heartbeat", "interval_seconds": 60, "success_threshold": 1}
    assert (
        await health_client.post("/api/health/services", json=body, headers=op)
    ).status_code == 201
    r = await health_client.post("/api/health/heartbeat/worker", headers=op)
    assert r.status_code == 200 and r.json()["changes"][0]["to"] == "up"
    assert (await health_client.post("/api/health/heartbeat/nobody", headers=op)).status_code == 404
    assert (await health_client.post("/api/health/heartbeat/worker")).status_code == 401
