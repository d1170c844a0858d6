"""/api/deployments: roles, audit, Vercel through respx, history in real Postgres."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from ops_agent.runtime import Runtime
from ops_agent.store import Role
from tests.vercel.payloads import API, PROJECT_ID, deployment, list_item, page, project


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


def auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


async def _seed(runtime: Runtime, n: int) -> None:
    tool = await runtime.deployments()
    now = datetime.now(UTC)
    for i in range(n):
        await tool.history.record(
            {
                "id": f"dpl_{i:02d}",
                "project_id": PROJECT_ID,
                "project_name": "shop",
                "target": "production",
                "state": "READY" if i % 4 else "ERROR",
                "source": "test",
                "created_at": (now - timedelta(hours=1) + timedelta(minutes=i)).isoformat(),
            }
        )


async def test_viewer_reads_pages_and_stats(client: httpx.AsyncClient, keys, runtime) -> None:
    await _seed(runtime, 5)
    r = await client.get("/api/deployments?project=shop&limit=2", headers=auth(keys[Role.VIEWER]))
    assert r.status_code == 200
    body = r.json()
    assert [d["id"] for d in body["deployments"]] == ["dpl_04", "dpl_03"]
    ids = []
    cursor = body["next_cursor"]
    while cursor:
        r = await client.get(
            f"/api/deployments?project=shop&limit=2&cursor={cursor}",
            headers=auth(keys[Role.VIEWER]),
        )
        ids += [d["id"] for d in r.json()["deployments"]]
        cursor = r.json()["next_cursor"]
    assert ids == ["dpl_02", "dpl_01", "dpl_00"]
    r = await client.get("/api/deployments?state=error", headers=auth(keys[Role.VIEWER]))
    assert [d["id"] for d in r.json()["deployments"]] == ["dpl_04", "dpl_00"]
    r = await client.get(
        "/api/deployments/stats?project=shop&environment=production&hours=24",
        headers=auth(keys[Role.VIEWER]),
    )
    assert r.json()["success_rate"] == pytest.approx(3 / 5) and r.json()["total"] == 5
    r = await client.get("/api/deployments/dpl_01", headers=auth(keys[Role.VIEWER]))
    assert r.status_code == 200 and r.json()["timeline"][0]["state"] == "READY"


async def test_bad_reads_are_4xx(client: httpx.AsyncClient, keys) -> None:
    h = auth(keys[Role.VIEWER])
    assert (await client.get("/api/deployments?cursor=!!!", headers=h)).json()["error"][
        "code"
    ] == "invalid_cursor"
    assert (await client.get("/api/deployments?limit=0", headers=h)).status_code == 422
    r = await client.get("/api/deployments/dpl_missing", headers=h)
    assert r.status_code == 404 and "refresh" in r.json()["error"]["message"]
    assert (await client.get("/api/deployments")).status_code == 401


async def test_viewer_cannot_mutate(client: httpx.AsyncClient, keys, api) -> None:
    h = auth(keys[Role.VIEWER])
    for path in (
        "/api/deployments/dpl_1/rollback",
        "/api/deployments/dpl_1/promote",
        "/api/deployments/dpl_1/cancel",
    ):
        assert (await client.post(path, headers=h)).status_code == 403
    assert (
        await client.post("/api/deployments", json={"project": "shop"}, headers=h)
    ).status_code == 403
    assert not api.calls


async def test_operator_deploys_and_it_is_audited(
    client: httpx.AsyncClient, keys, api, runtime
) -> None:
    api.get("/v9/projects/shop").respond(json=project("dpl_live"))
    api.post("/v13/deployments").respond(json=deployment("dpl_new", "QUEUED"))
    r = await client.post(
        "/api/deployments",
        json={"project": "shop", "branch": "main", "reason": "release"},
        headers=auth(keys[Role.OPERATOR]),
    )
    assert r.status_code == 201, r.text
    assert r.json()["id"] == "dpl_new" and r.json()["state"] == "QUEUED"
    store = await runtime.store()
    entries = await store.list_audit(actor="operator-key")
    # One row, written by the tool, as the key's owner: not a second one by the middleware.
    [entry] = [e for e in entries if e.action == "deployments.deploy"]
    assert entry.target == "dpl_new" and entry.outcome == "ok" and entry.actor_key_id
    assert entry.details["branch"] == "main" and entry.request_id


async def test_rollback_endpoint(client: httpx.AsyncClient, keys, api) -> None:
    api.get("/v13/deployments/dpl_4").respond(json=deployment("dpl_4"))
    api.get(f"/v9/projects/{PROJECT_ID}").respond(json=project("dpl_4"))
    api.get("/v6/deployments").respond(
        json=page([list_item("dpl_4", created=4), list_item("dpl_2", created=2)])
    )
    call = api.post(f"/v1/projects/{PROJECT_ID}/rollback/dpl_2").respond(201)
    r = await client.post(
        "/api/deployments/dpl_4/rollback",
        json={"reason": "errors"},
        headers=auth(keys[Role.OPERATOR]),
    )
    assert r.status_code == 200, r.text
    assert r.json()["to_deployment"] == "dpl_2" and r.json()["actor"] == "operator-key"
    assert call.called


async def test_rollback_refused_is_409(client: httpx.AsyncClient, keys, api) -> None:
    api.get("/v13/deployments/dpl_2").respond(json=deployment("dpl_2"))
    api.get(f"/v9/projects/{PROJECT_ID}").respond(json=project("dpl_4"))
    api.get("/v6/deployments").respond(
        json=page([list_item("dpl_4", created=4), list_item("dpl_2", created=2)])
    )
    r = await client.post("/api/deployments/dpl_2/rollback", headers=auth(keys[Role.OPERATOR]))
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_serving"


async def test_vercel_failures_map_to_clear_statuses(client: httpx.AsyncClient, keys, api) -> None:
    h = auth(keys[Role.OPERATOR])
    api.patch("/v12/deployments/dpl_nf/cancel").respond(
        404, json={"error": {"code": "not_found", "message": "Deployment not found"}}
    )
    api.patch("/v12/deployments/dpl_500/cancel").respond(
        500, json={"error": {"code": "internal_server_error", "message": "boom"}}
    )
    api.patch("/v12/deployments/dpl_400/cancel").respond(
        400, json={"error": {"code": "bad_request", "message": "already done"}}
    )
    r = await client.post("/api/deployments/dpl_nf/cancel", headers=h)
    assert r.status_code == 404 and "Deployment not found" in r.json()["error"]["message"]
    r = await client.post("/api/deployments/dpl_500/cancel", headers=h)
    assert (
        r.status_code == 502
        and r.json()["error"]["details"]["vercel_code"] == "internal_server_error"
    )
    r = await client.post("/api/deployments/dpl_400/cancel", headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "vercel_rejected"


async def test_deploy_body_is_validated(client: httpx.AsyncClient, keys, api) -> None:
    h = auth(keys[Role.OPERATOR])
    for body in (
        {},
        {"project": ""},
        {"project": "shop", "environment": "Prod Env"},
        {"project": "a/b"},
    ):
        r = await client.post("/api/deployments", json=body, headers=h)
        assert r.status_code == 422, body
    assert not api.calls
