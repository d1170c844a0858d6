"""Auth on every mutating route, roles, and an audit row for every mutating request."""

from __future__ import annotations

import httpx

from ops_agent.runtime import Runtime
from ops_agent.store import Role


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def audit_rows(runtime: Runtime) -> list[dict[str, object]]:
    store = await runtime.store()
    return [e.model_dump() for e in await store.list_audit()]


async def test_mutating_route_without_key_is_401_and_audited(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    response = await client.post("/api/admin/keys", json={"name": "x", "role": "viewer"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["www-authenticate"].startswith("Bearer")
    [row] = await audit_rows(runtime)
    assert row["actor"] == "anonymous" and row["outcome"] == "denied"
    assert row["status_code"] == 401 and row["request_id"] == response.headers["x-request-id"]


async def test_wrong_and_malformed_keys_are_401(
    client: httpx.AsyncClient, keys: dict[Role, str]
) -> None:
    for header in ("Bearer nope", "Basic abc", "Bearer " + keys[Role.ADMIN][:-1] + "x", ""):
        response = await client.get("/api/admin/keys", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert set(response.json()["error"]) == {"code", "message", "details"}


async def test_too_low_a_role_is_403(client: httpx.AsyncClient, keys: dict[Role, str]) -> None:
    for role in (Role.VIEWER, Role.OPERATOR):
        response = await client.post(
            "/api/admin/keys", headers=bearer(keys[role]), json={"name": "x", "role": "viewer"}
        )
        assert response.status_code == 403
        assert response.json()["error"]["details"] == {"required": "admin", "granted": role.value}


async def test_admin_creates_and_revokes_keys_and_both_are_audited(
    client: httpx.AsyncClient, keys: dict[Role, str], runtime: Runtime
) -> None:
    admin = bearer(keys[Role.ADMIN])
    created = await client.post(
        "/api/admin/keys", headers=admin, json={"name": "deploy-bot", "role": "operator"}
    )
    assert created.status_code == 201
    new_key = created.json()["key"]
    who = await client.get("/api/admin/whoami", headers=bearer(new_key))
    assert who.json()["name"] == "deploy-bot" and who.json()["role"] == "operator"

    duplicate = await client.post(
        "/api/admin/keys", headers=admin, json={"name": "deploy-bot", "role": "viewer"}
    )
    assert duplicate.status_code == 409

    revoked = await client.delete("/api/admin/keys/deploy-bot", headers=admin)
    assert revoked.status_code == 200
    assert (await client.get("/api/admin/whoami", headers=bearer(new_key))).status_code == 401
    assert (await client.delete("/api/admin/keys/deploy-bot", headers=admin)).status_code == 404

    rows = await audit_rows(runtime)
    assert [(r["action"], r["outcome"], r["status_code"]) for r in reversed(rows)] == [
        ("keys.create", "ok", 201),
        ("keys.create", "rejected", 409),
        ("keys.revoke", "ok", 200),
        ("keys.revoke", "rejected", 404),
    ]
    assert all(r["actor"] == "admin-key" for r in rows)
    assert new_key not in str(rows)  # the key itself never reaches the audit log


async def test_audit_endpoint_pages(client: httpx.AsyncClient, keys: dict[Role, str]) -> None:
    admin = bearer(keys[Role.ADMIN])
    for i in range(3):
        await client.post(
            "/api/admin/keys", headers=admin, json={"name": f"k{i}", "role": "viewer"}
        )
    page = (await client.get("/api/admin/audit?limit=2", headers=admin)).json()
    assert len(page["entries"]) == 2 and page["next_before_id"] is not None
    rest = (
        await client.get(
            f"/api/admin/audit?limit=2&before_id={page['next_before_id']}", headers=admin
        )
    ).json()
    assert len(rest["entries"]) == 1 and rest["next_before_id"] is None


async def test_cron_tick_needs_the_cron_secret(
    client: httpx.AsyncClient, runtime: Runtime, keys: dict[Role, str]
) -> None:
    assert (await client.get("/api/cron/tick")).status_code == 401
    assert (await client.get("/api/cron/tick", headers=bearer("wrong-secret"))).status_code == 401
    assert (
        await client.get("/api/cron/tick", headers=bearer(keys[Role.VIEWER]))
    ).status_code == 403
    ran = await client.get("/api/cron/tick", headers=bearer("test-cron-secret-0123456789"))
    assert ran.status_code == 200
    body = ran.json()
    assert body["status"] == "ran"
    names = [phase["name"] for phase in body["phases"]]
    assert "housekeeping.audit_retention" in names and "observe" in names
    tick_rows = [r for r in await audit_rows(runtime) if r["action"] == "cron.tick"]
    assert tick_rows and tick_rows[0]["actor"] == "cron"


async def test_cron_tick_skips_while_another_holds_the_lock(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    kv = await runtime.kv()
    held = await kv.try_lock("lock:tick", ttl=30)
    assert held is not None
    try:
        response = await client.get("/api/cron/tick", headers=bearer("test-cron-secret-0123456789"))
        assert response.status_code == 200
        assert response.json()["status"] == "skipped"
    finally:
        await held.release()


async def test_a_whole_key_pasted_to_revoke_is_revoked_and_never_stored(
    client: httpx.AsyncClient, keys: dict[Role, str], runtime: Runtime
) -> None:
    admin = bearer(keys[Role.ADMIN])
    created = await client.post(
        "/api/admin/keys", headers=admin, json={"name": "leaked", "role": "viewer"}
    )
    leaked = created.json()["key"]
    r = await client.delete(f"/api/admin/keys/{leaked}", headers=admin)
    assert r.status_code == 200 and r.json()["name"] == "leaked"
    assert (await client.get("/api/admin/whoami", headers=bearer(leaked))).status_code == 401
    again = await client.delete(f"/api/admin/keys/{leaked}", headers=admin)
    assert again.status_code == 404 and leaked not in again.text
    rows = await audit_rows(runtime)
    assert leaked not in str(rows) and leaked[40:] not in str(rows)
    assert any(r["action"] == "keys.revoke" and r["target"] == leaked[:11] for r in rows)
