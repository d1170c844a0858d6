"""/api/alerts and /api/kpis over HTTP: roles, validation, the act-on-alert flow, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from ops_agent.monitoring.metrics import Metrics, Sample
from ops_agent.runtime import Runtime
from ops_agent.store import Role


def auth(keys, role: Role) -> dict[str, str]:
    return {"authorization": f"Bearer {keys[role]}"}


async def test_rules_validation_and_roles(client: httpx.AsyncClient, keys) -> None:
    op, viewer = auth(keys, Role.OPERATOR), auth(keys, Role.VIEWER)
    rule = {"name": "errors", "condition": "error_rate > 5%", "severity": "critical", "for": "5m"}
    assert (await client.post("/api/alerts/rules", json=rule, headers=viewer)).status_code == 403
    r = await client.post("/api/alerts/rules", json=rule, headers=op)
    assert r.status_code == 201 and r.json()["for_seconds"] == 300
    bad = await client.post(
        "/api/alerts/rules", json={**rule, "condition": "error_rate >"}, headers=op
    )
    error = bad.json()["error"]
    assert bad.status_code == 422 and error["code"] == "invalid_rule"
    assert error["details"]["position"] == 12 and "Value error" not in error["message"]
    unknown = await client.post(
        "/api/alerts/rules", json={**rule, "severity": "apocalyptic"}, headers=op
    )
    assert unknown.status_code == 422
    r = await client.put("/api/alerts/rules/errors", json={"severity": "high"}, headers=op)
    assert r.status_code == 200 and r.json()["severity"] == "high"
    assert (await client.post("/api/alerts/rules/errors/disable", headers=op)).json()[
        "enabled"
    ] is False
    listed = (await client.get("/api/alerts/rules", headers=viewer)).json()["rules"]
    assert [(x["name"], x["enabled"]) for x in listed] == [("errors", False)]
    assert (await client.delete("/api/alerts/rules/errors", headers=op)).status_code == 200
    assert (await client.delete("/api/alerts/rules/errors", headers=op)).status_code == 404


async def test_fire_ack_resolve_silence_and_kpis(
    client: httpx.AsyncClient, keys, runtime: Runtime
) -> None:
    op, viewer = auth(keys, Role.OPERATOR), auth(keys, Role.VIEWER)
    store = await runtime.store()
    rule = {
        "name": "cpu",
        "condition": "max(cpu[10m]) > 90",
        "severity": "low",
        "labels": {"project": "web"},
    }
    assert (await client.post("/api/alerts/rules", json=rule, headers=op)).status_code == 201
    await Metrics(store).ingest(
        [Sample(name="cpu", value=99, ts=datetime.now(UTC) - timedelta(minutes=2))]
    )
    r = await client.post("/api/alerts/evaluate", headers=op)
    assert r.status_code == 200 and r.json()["fired"] == ["cpu"]
    [alert] = (
        await client.get("/api/alerts?severity=low&label=project=web", headers=viewer)
    ).json()["alerts"]
    r = await client.post(f"/api/alerts/{alert['id']}/ack", json={"note": "on it"}, headers=op)
    assert r.status_code == 200 and r.json()["acknowledged_by"] == "operator-key"
    assert (await client.post(f"/api/alerts/{alert['id']}/ack", headers=op)).status_code == 409
    r = await client.post(
        f"/api/alerts/{alert['id']}/resolve", json={"false_positive": True}, headers=op
    )
    assert r.status_code == 200 and r.json()["false_positive"] is True
    detail = (await client.get(f"/api/alerts/{alert['id']}", headers=viewer)).json()
    assert [e["kind"] for e in detail["events"]][:2] == ["pending", "firing"]
    assert (
        await client.get("/api/alerts/00000000-0000-0000-0000-000000000000", headers=viewer)
    ).status_code == 404
    assert len((await client.get("/api/alerts/history", headers=viewer)).json()["alerts"]) == 1
    assert len((await client.get("/api/alerts/incidents", headers=viewer)).json()["incidents"]) == 1

    ends = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    r = await client.post(
        "/api/alerts/silences",
        json={
            "matchers": [{"label": "project", "value": "web"}],
            "ends_at": ends,
            "comment": "deploy",
        },
        headers=op,
    )
    assert r.status_code == 201
    assert (
        len(
            (await client.get("/api/alerts/silences?active=true", headers=viewer)).json()[
                "silences"
            ]
        )
        == 1
    )
    assert (
        await client.delete(f"/api/alerts/silences/{r.json()['id']}", headers=op)
    ).status_code == 200
    bad = await client.post(
        "/api/alerts/silences", json={"matchers": [], "ends_at": ends, "comment": "x"}, headers=op
    )
    assert bad.status_code == 422
    r = await client.post(
        "/api/alerts/maintenance",
        json={"name": "nightly", "cron": "0 2 * * *", "duration_seconds": 3600},
        headers=op,
    )
    assert r.status_code == 201
    assert (
        await client.post(
            "/api/alerts/maintenance",
            json={"name": "x", "cron": "nope", "duration_seconds": 60},
            headers=op,
        )
    ).status_code == 422

    kpis = (await client.get("/api/kpis?window=7d", headers=viewer)).json()
    assert kpis["false_positive_rate"]["value"] == 1.0 and kpis["alert_volume"]["value"] == {
        "low": 1
    }
    assert all("how" in v for v in kpis.values() if isinstance(v, dict))
    assert (await client.get("/api/kpis?window=forever", headers=viewer)).status_code == 422
    entries = await store.list_audit(actor="operator-key", action_prefix="alerts.")
    assert {"alerts.acknowledge", "alerts.resolve", "alerts.silence.create"} <= {
        e.action for e in entries
    }


async def test_remediation_endpoints(client: httpx.AsyncClient, keys, runtime: Runtime) -> None:
    store = await runtime.store()
    viewer, op = auth(keys, Role.VIEWER), auth(keys, Role.OPERATOR)
    r = await client.get("/api/alerts/remediation", headers=viewer)
    assert r.status_code == 200 and isinstance(r.json()["actions"], list)
    action = await store.rpc(
        "ops_remediation_plan",
        {
            "p_action": {
                "alert_id": None,
                "incident_id": None,
                "playbook": "webhook",
                "target": "shop",
                "status": "pending_approval",
                "reason": "test",
                "decided_by": "policy",
            }
        },
    )
    missing = "00000000-0000-0000-0000-000000000000"
    assert (
        await client.post(f"/api/alerts/remediation/{missing}/approve", headers=op)
    ).status_code == 409
    assert (
        await client.post(f"/api/alerts/remediation/{action['id']}/approve", headers=viewer)
    ).status_code == 403
    r = await client.post(f"/api/alerts/remediation/{action['id']}/reject", headers=op)
    assert (
        r.status_code == 200
        and r.json()["status"] == "rejected"
        and r.json()["decided_by"] == "operator-key"
    )


async def test_every_request_leaves_one_audit_row_spelled_one_way(
    client: httpx.AsyncClient, keys, runtime: Runtime
) -> None:
    """Tools write the rows of what they do; the middleware only for requests no tool audited
    (refusals, failures), under the same action name."""
    op = auth(keys, Role.OPERATOR)
    rule = {"name": "errors", "condition": "error_rate > 5%", "severity": "low"}
    answers = [
        await client.post("/api/alerts/rules", json=rule, headers=op),
        await client.post("/api/alerts/rules", json={**rule, "condition": "x >"}, headers=op),
        await client.put("/api/alerts/rules/errors", json={"severity": "high"}, headers=op),
        await client.post("/api/alerts/rules/errors/disable", headers=op),
        await client.delete("/api/alerts/rules/errors", headers=op),
        await client.delete("/api/alerts/rules/errors", headers=op),
    ]
    assert [r.status_code for r in answers] == [201, 422, 200, 200, 200, 404]
    rows = await (await runtime.store()).list_audit(action_prefix="alerts.rule")
    by_request = {r.headers["x-request-id"]: r.status_code for r in answers}
    assert sorted(e.request_id or "" for e in rows) == sorted(by_request)
    outcomes = {(e.action, e.outcome) for e in rows}
    assert outcomes == {
        ("alerts.rule.save", "ok"),
        ("alerts.rule.save", "rejected"),
        ("alerts.rule.disable", "ok"),
        ("alerts.rule.delete", "ok"),
        ("alerts.rule.delete", "rejected"),
    }
    assert all(e.actor == "operator-key" and e.actor_key_id for e in rows)
