"""Auto-remediation under its guards, on real Postgres and Redis, Vercel through respx, a
real webhook receiver for pages, and a controllable clock."""

from __future__ import annotations

import os
import warnings
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import respx

from ops_agent.agent.act import Policy, Recent, RemediationEngine, guard
from ops_agent.agent.act.tools import Tools
from ops_agent.alerts import AlertManagementTool
from ops_agent.deployments.records import DeploymentHistory
from ops_agent.kv.redis import RedisKV
from ops_agent.runtime import Runtime
from ops_agent.settings import Settings
from ops_agent.store import Store
from ops_agent.store.postgres import PostgresStore
from tests.alerts.conftest import Clock, level
from tests.conftest import clean_tables
from tests.notify.servers import WEBHOOK_SECRET, Receiver, webhook_receiver
from tests.vercel.payloads import API, PROJECT_ID, deployment, list_item, page, project


def test_guards() -> None:
    quiet = Recent(0, 0)
    assert guard(Policy(), "rollback", "production", quiet) == ("approved", "within policy")
    assert guard(Policy(mode="off"), "rollback", "production", quiet)[0] == "skipped"
    assert guard(Policy(mode="dry_run"), "rollback", "production", quiet)[0] == "dry_run"
    assert guard(Policy(max_per_hour=3), "rollback", "production", Recent(3, 0))[0] == "skipped"
    assert guard(Policy(), "rollback", "production", Recent(1, 1))[1].startswith("cooldown")
    assert (
        guard(Policy(approval=frozenset({"rollback:production"})), "rollback", "production", quiet)[
            0
        ]
        == "pending_approval"
    )
    assert (
        guard(Policy(approval=frozenset({"rollback:production"})), "rollback", "preview", quiet)[0]
        == "approved"
    )
    assert (
        guard(Policy(), "rollback", "production", quiet, rule_requires_approval=True)[0]
        == "pending_approval"
    )
    assert guard(Policy(), "reboot_the_world", "production", quiet)[0] == "skipped"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as r:
        yield r


@pytest.fixture
def vercel() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False) as router:
        router.route(host="127.0.0.1").pass_through()
        router.get(f"/v9/projects/{PROJECT_ID}").respond(json=project("dpl_bad"))
        router.get("/v9/projects/shop").respond(json=project("dpl_bad"))
        router.get("/v13/deployments/dpl_bad").respond(json=deployment("dpl_bad", created=2_000))
        router.get("/v6/deployments").respond(
            json=page([list_item("dpl_bad", created=2_000), list_item("dpl_good", created=1_000)])
        )
        yield router


@pytest.fixture
async def make(
    settings: Settings, pg_url: str, redis_socket: str, receiver: Receiver, tmp_path
) -> AsyncIterator[Any]:
    clean_tables(
        pg_url,
        "alert_rules",
        "alerts",
        "alert_events",
        "incidents",
        "remediation_actions",
        "metric_samples",
        "deployments",
        "deployment_actions",
        "audit_log",
        "notifications",
    )
    runtimes: list[Runtime] = []

    async def build(
        clock: Clock, **overrides: Any
    ) -> tuple[Runtime, AlertManagementTool, RemediationEngine]:
        s = settings.model_copy(
            update={
                "vercel_project": "shop",
                "monitor_config": tmp_path / "none.yaml",
                "notify_webhook_url": receiver.url + "/pages",
                "notify_webhook_secret": WEBHOOK_SECRET,
                "notify_allowed_hosts": "127.0.0.1",
                "alert_channels": "webhook",
                **overrides,
            }
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            runtime = Runtime(
                s,
                store=PostgresStore(pg_url),
                kv=RedisKV(unix_socket_path=redis_socket, prefix=f"r{os.urandom(3).hex()}:"),
            )
        runtimes.append(runtime)
        alerts = AlertManagementTool(
            await runtime.notifier(),
            store=await runtime.store(),
            kv=await runtime.kv(),
            clock=clock,
            available_channels=["webhook"],
        )
        tools = await Tools.of(runtime, alerts=alerts)
        return runtime, alerts, RemediationEngine(tools, clock=clock)

    yield build
    for r in runtimes:
        await r.close()


async def released(
    store: Store, at: datetime, dpl: str = "dpl_bad", project_name: str = "shop"
) -> None:
    """A production deployment went live at `at` (what the webhook would record)."""
    await DeploymentHistory(store).record(
        {
            "id": dpl,
            "project_id": PROJECT_ID if project_name == "shop" else f"prj_{project_name}",
            "project_name": project_name,
            "target": "production",
            "state": "READY",
            "created_at": (at - timedelta(minutes=2)).isoformat(),
            "ready_at": at.isoformat(),
            "at": at.isoformat(),
        }
    )


async def fire(
    alerts: AlertManagementTool,
    store: Store,
    clock: Clock,
    *,
    release_minutes_before: float | None = 5,
    **remediation: Any,
) -> dict:
    if release_minutes_before is not None:
        await released(store, clock() - timedelta(minutes=release_minutes_before))
    await alerts.create_alert_rule(
        name="shop-5xx",
        condition="max(shop_5xx[1m]) > 1",
        severity="critical",
        channels=["webhook"],
        labels={"project": "shop"},
        remediation={"playbook": "rollback", **remediation},
    )
    await level(store, clock, "shop_5xx", 30)
    await alerts.evaluate()
    [alert] = await alerts.get_active_alerts()
    return alert


async def test_rollback_runs_once_is_recorded_and_verified(
    make, vercel: respx.MockRouter, receiver: Receiver
) -> None:
    clock = Clock()
    rollback = vercel.post(f"/v1/projects/{PROJECT_ID}/rollback/dpl_good").respond(201)
    runtime, alerts, engine = await make(clock)
    store = await runtime.store()
    alert = await fire(alerts, store, clock)
    first = await engine.run()
    assert [a["status"] for a in first["planned"]] == ["approved"] and first["executed"][0][
        "status"
    ] == "succeeded"
    assert rollback.call_count == 1
    second = await engine.run()  # the alert still fires: no second rollback for the incident
    assert second["planned"] == [] and second["executed"] == [] and rollback.call_count == 1
    detail = await alerts.get_alert(str(alert["id"]))
    assert any(e["kind"] == "action" and e["actor"] == "agent" for e in detail["events"])
    [incident] = await alerts.incidents()
    assert incident["mitigated_at"] is not None
    # the condition clears; after the verification window the action is verified
    clock.advance(minutes=3)
    await alerts.evaluate()
    clock.advance(minutes=10)
    verified = await engine.run()
    assert verified["verified"] == [{"id": first["executed"][0]["id"], "recovered": True}]
    kpis = await alerts.kpis(timedelta(days=1))
    assert kpis["auto_fix_rate"]["value"] == 1.0
    audit = await store.list_audit(action_prefix="remediation.")
    assert {e.action for e in audit} >= {"remediation.rollback.plan", "remediation.rollback"}


async def test_unrecovered_signal_pages_people(
    make, vercel: respx.MockRouter, receiver: Receiver
) -> None:
    clock = Clock()
    vercel.post(f"/v1/projects/{PROJECT_ID}/rollback/dpl_good").respond(201)
    runtime, alerts, engine = await make(clock)
    store = await runtime.store()
    await fire(alerts, store, clock)
    await engine.run()
    for _ in range(11):  # the errors go on for the whole verification window
        clock.advance(minutes=1)
        await level(store, clock, "shop_5xx", 30)
        await alerts.evaluate()
    result = await engine.run()
    assert result["verified"][0]["recovered"] is False
    titles = [
        d["payload"]["data"].get("title") for d in receiver.verified if d["payload"].get("data")
    ]
    assert "shop-5xx needs a person" in titles


async def test_approval_gate(make, vercel: respx.MockRouter) -> None:
    clock = Clock()
    rollback = vercel.post(f"/v1/projects/{PROJECT_ID}/rollback/dpl_good").respond(201)
    runtime, alerts, engine = await make(clock, remediation_approval="rollback:production")
    await fire(alerts, await runtime.store(), clock)
    planned = await engine.run()
    assert planned["planned"][0]["status"] == "pending_approval" and rollback.call_count == 0
    assert (await engine.run())["planned"] == []  # still one plan, still waiting
    approved = await engine.approve(planned["planned"][0]["id"], by="alice")
    assert approved is not None and approved.decided_by == "alice"
    done = await engine.run()
    assert done["executed"][0]["status"] == "succeeded" and rollback.call_count == 1
    assert await engine.approve(planned["planned"][0]["id"], by="bob") is None


async def test_dry_run_and_off(make, vercel: respx.MockRouter) -> None:
    clock = Clock()
    rollback = vercel.post(f"/v1/projects/{PROJECT_ID}/rollback/dpl_good").respond(201)
    runtime, alerts, engine = await make(clock, remediation_mode="dry_run")
    await fire(alerts, await runtime.store(), clock)
    result = await engine.run()
    assert result["planned"][0]["status"] == "dry_run" and rollback.call_count == 0


async def test_failed_action_is_recorded_and_pages(
    make, vercel: respx.MockRouter, receiver: Receiver
) -> None:
    clock = Clock()
    vercel.post(f"/v1/projects/{PROJECT_ID}/rollback/dpl_good").respond(
        500, json={"error": {"code": "internal", "message": "boom"}}
    )
    runtime, alerts, engine = await make(clock)
    await fire(alerts, await runtime.store(), clock)
    result = await engine.run()
    assert result["executed"][0]["status"] == "failed"
    titles = [
        d["payload"]["data"].get("title") for d in receiver.verified if d["payload"].get("data")
    ]
    assert "shop-5xx needs a person" in titles


async def test_no_release_before_the_onset_means_no_rollback(
    make, vercel: respx.MockRouter
) -> None:
    clock = Clock()
    runtime, alerts, engine = await make(clock)
    store = await runtime.store()
    await released(store, clock() - timedelta(hours=3), "dpl_old")  # long before
    await fire(alerts, store, clock, release_minutes_before=None)
    out = await engine.run()
    assert [a["status"] for a in out["planned"]] == ["skipped"]
    assert "guess" in out["planned"][0]["reason"] and out["executed"] == []
    assert not [c for c in vercel.calls if "/rollback/" in c.request.url.path]


async def test_the_most_severe_alert_gets_the_last_slot_of_the_hour(
    make, vercel: respx.MockRouter
) -> None:
    clock = Clock()
    vercel.post(f"/v1/projects/{PROJECT_ID}/rollback/dpl_good").respond(201)
    runtime, alerts, engine = await make(clock, remediation_max_per_hour=1)
    store = await runtime.store()
    await released(store, clock() - timedelta(minutes=5))
    await released(store, clock() - timedelta(minutes=5), "dpl_blog", "blog")
    for name, severity, target in (("blog-5xx", "high", "blog"), ("shop-5xx", "critical", "shop")):
        await alerts.create_alert_rule(
            name=name,
            condition="max(shop_5xx[1m]) > 1",
            severity=severity,
            channels=["webhook"],
            labels={"project": target},
            remediation={"playbook": "rollback"},
        )
    await level(store, clock, "shop_5xx", 30)
    await alerts.evaluate()
    out = await engine.run()
    verdicts = {a["reason"].split(":")[0]: a["status"] for a in out["planned"]}
    assert verdicts == {"shop-5xx": "approved", "blog-5xx": "skipped"}, out["planned"]
    [blog] = [a for a in out["planned"] if a["reason"].startswith("blog")]
    assert "hourly cap" in blog["reason"]
