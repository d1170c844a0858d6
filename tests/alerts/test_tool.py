"""AlertManagementTool on real Postgres and Redis, with a controllable clock, a real webhook
receiver and respx-recorded Slack."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from ops_agent.alerts import AlertManagementTool, MaintenanceWindow, RuleConflict, RuleError
from ops_agent.errors import Conflict
from ops_agent.store import Store
from tests.alerts.conftest import Clock, level
from tests.notify.servers import Receiver


async def test_lifecycle_pending_firing_ack_resolve(
    tool: AlertManagementTool, alert_store: Store, clock: Clock, receiver: Receiver
) -> None:
    await tool.create_alert_rule(
        name="queue-deep",
        condition="max(queue_depth[1m]) > 10",
        severity="high",
        channels=["webhook"],
        for_="2m",
        labels={"project": "web"},
        description="emails pile up",
        keep_firing_for="2m",
    )
    await level(alert_store, clock, "queue_depth", 50)
    report = await tool.evaluate()
    assert report.opened == ["queue-deep"] and report.fired == []
    assert await tool.get_active_alerts() == []  # pending is not an alert yet
    for _ in range(2):
        clock.advance(minutes=1)
        await level(alert_store, clock, "queue_depth", 60)
        report = await tool.evaluate()
    assert report.fired == ["queue-deep"] and report.notified == 1
    [active] = await tool.get_active_alerts(severity="high", labels={"project": "web"})
    assert active["state"] == "firing" and active["onset_at"] is not None
    assert len(receiver.verified) == 1
    payload = receiver.verified[0]["payload"]
    assert (
        payload["type"] == "alert.firing" and payload["data"]["alerts"][0]["rule"] == "queue-deep"
    )

    acked = await tool.acknowledge_alert(str(active["id"]), by="alice", note="looking")
    assert acked["state"] == "acknowledged" and acked["acknowledged_by"] == "alice"
    with pytest.raises(Conflict, match="only a firing alert"):
        await tool.acknowledge_alert(str(active["id"]), by="bob")

    clock.advance(minutes=1)  # the queue drains: within keep_firing_for it stays
    report = await tool.evaluate()
    assert report.resolved == []
    clock.advance(minutes=2)
    report = await tool.evaluate()
    assert report.resolved == ["queue-deep"]
    assert [d["payload"]["type"] for d in receiver.verified] == ["alert.firing", "alert.resolved"]
    detail = await tool.get_alert(str(active["id"]))
    kinds = [e["kind"] for e in detail["events"]]
    assert kinds == ["pending", "firing", "notified", "acknowledged", "resolved"]
    [incident] = await tool.incidents()
    assert (
        incident["state"] == "resolved" and incident["acknowledged_at"] and incident["notified_at"]
    )
    history = await tool.get_alert_history(rule="queue-deep")
    assert history[0]["state"] == "resolved"


async def test_flapping_condition_clears_while_pending(
    tool: AlertManagementTool, alert_store: Store, clock: Clock, receiver: Receiver
) -> None:
    await tool.create_alert_rule(
        name="blip", condition="max(queue_depth[1m]) > 10", channels=["webhook"], for_="5m"
    )
    await level(alert_store, clock, "queue_depth", 50)
    await tool.evaluate()
    clock.advance(minutes=2)
    report = await tool.evaluate()
    assert report.resolved == [] and receiver.deliveries == []
    assert await tool.get_alert_history() == []  # it never fired


async def test_grouping_silences_inhibition_and_maintenance(
    tool: AlertManagementTool, alert_store: Store, clock: Clock, receiver: Receiver
) -> None:
    for name in ("web-5xx", "web-latency"):
        await tool.create_alert_rule(
            name=name,
            condition=f"max({name.replace('-', '_')}[1m]) > 1",
            severity="high",
            channels=["webhook"],
            labels={"project": "web"},
        )
    await level(alert_store, clock, "web_5xx", 5)
    await level(alert_store, clock, "web_latency", 5)
    report = await tool.evaluate()
    assert sorted(report.fired) == ["web-5xx", "web-latency"] and report.notified == 2
    assert len(receiver.verified) == 1  # one notification for the group
    assert {a["rule"] for a in receiver.verified[0]["payload"]["data"]["alerts"]} == {
        "web-5xx",
        "web-latency",
    }

    # a critical alert on the project mutes lower-severity symptoms
    await tool.create_alert_rule(
        name="web-down",
        condition="max(web_up[1m]) < 1",
        severity="critical",
        channels=["webhook"],
        labels={"project": "web"},
    )
    await tool.create_alert_rule(
        name="web-slow",
        condition="max(web_slow[1m]) > 1",
        severity="medium",
        channels=["webhook"],
        labels={"project": "web"},
    )
    clock.advance(minutes=1)
    await level(alert_store, clock, "web_up", 0)
    await tool.evaluate()
    clock.advance(minutes=1)
    await level(alert_store, clock, "web_up", 0)
    await level(alert_store, clock, "web_slow", 3)
    report = await tool.evaluate()
    assert report.fired == ["web-slow"] and report.quieted == 1

    # silences and maintenance windows keep things quiet
    await tool.create_silence(
        [{"label": "project", "value": "blog"}],
        ends_at=clock.now + timedelta(hours=1),
        comment="migration",
        by="alice",
    )
    await tool.create_maintenance_window(
        MaintenanceWindow(
            name="docs-upgrade",
            matchers=[{"label": "project", "value": "docs"}],
            starts_at=clock.now,
            ends_at=clock.now + timedelta(hours=2),
        ),
        by="alice",
    )
    await tool.create_alert_rule(
        name="blog-5xx",
        condition="max(blog_5xx[1m]) > 1",
        channels=["webhook"],
        labels={"project": "blog"},
    )
    await tool.create_alert_rule(
        name="docs-5xx",
        condition="max(docs_5xx[1m]) > 1",
        channels=["webhook"],
        labels={"project": "docs"},
    )
    clock.advance(minutes=1)
    before = len(receiver.deliveries)
    await level(alert_store, clock, "blog_5xx", 9)
    await level(alert_store, clock, "docs_5xx", 9)
    await level(alert_store, clock, "web_up", 0)
    report = await tool.evaluate()
    assert sorted(report.fired) == ["blog-5xx", "docs-5xx"] and report.quieted == 2
    assert len(receiver.deliveries) == before


async def test_reminders_and_escalation(
    tool: AlertManagementTool, alert_store: Store, clock: Clock, receiver: Receiver, slack
) -> None:
    await tool.create_alert_rule(
        name="db-down",
        condition="max(db_up[1m]) < 1",
        severity="critical",
        channels=["webhook"],
        escalate_after="5m",
        escalation=[["slack"]],
        repeat_interval="30m",
    )

    def slack_calls() -> list:
        return [c for c in slack.calls if c.request.url.host == "hooks.slack.com"]

    async def tick(minutes: int) -> object:
        clock.advance(minutes=minutes)
        await level(alert_store, clock, "db_up", 0)
        return await tool.evaluate()

    await tick(0)
    assert len(receiver.verified) == 1 and not slack_calls()
    report = await tick(5)
    assert report.escalations == 1 and len(slack_calls()) == 1
    assert "[ESCALATED]" in slack_calls()[-1].request.content.decode()
    report = await tick(5)
    assert report.escalations == 0  # the chain has one step
    report = await tick(25)  # 30 minutes after the escalation: a reminder
    assert report.reminders == 1
    [alert] = await tool.get_active_alerts()
    acked = await tool.acknowledge_alert(alert["id"])  # the caller: "python" outside a request
    assert acked.state == "acknowledged" and acked.acknowledged_by == "python"
    report = await tick(60)
    assert report.reminders == 0 and report.escalations == 0


async def test_two_evaluators_at_once_fire_and_notify_once(
    notifier, alert_store: Store, clock: Clock, receiver: Receiver
) -> None:
    first = AlertManagementTool(
        notifier, store=alert_store, kv=None, clock=clock, available_channels=["webhook"]
    )
    second = AlertManagementTool(
        notifier, store=alert_store, kv=None, clock=clock, available_channels=["webhook"]
    )
    await first.create_alert_rule(name="hot", condition="max(cpu[1m]) > 90", channels=["webhook"])
    await level(alert_store, clock, "cpu", 99)
    reports = await asyncio.gather(*(t.evaluate() for t in (first, second, first, second)))
    assert sum(len(r.opened) for r in reports) == 1
    assert sum(r.notified for r in reports) == 1
    assert len(receiver.verified) == 1


async def test_kv_lock_skips_a_concurrent_evaluation(tool: AlertManagementTool, kv) -> None:
    lock = await kv.try_lock("lock:alerts:evaluate", ttl=30)
    try:
        report = await tool.evaluate()
    finally:
        await lock.release()
    assert report.skipped


async def test_actions_incidents_and_kpis(
    tool: AlertManagementTool, alert_store: Store, clock: Clock
) -> None:
    await tool.create_alert_rule(
        name="err",
        condition="max(errors[1m]) > 1",
        channels=["webhook"],
        labels={"project": "shop"},
    )
    await level(alert_store, clock, "errors", 5)
    await tool.evaluate()
    [alert] = await tool.get_active_alerts()
    clock.advance(minutes=2)
    await tool.record_action(str(alert["id"]), "rollback dpl_bad", by="agent")
    clock.advance(minutes=3)
    await tool.resolve_alert(str(alert["id"]), by="agent", note="rolled back")
    [incident] = await tool.incidents()
    assert incident["mitigated_at"] and incident["resolved_at"] and incident["state"] == "resolved"
    kinds = [e["kind"] for e in incident["timeline"]]
    assert kinds[0] == "detected" and "action" in kinds and kinds[-1] == "resolved"
    kpis = await tool.kpis(timedelta(days=1))
    assert kpis["auto_fix_rate"]["value"] == 1.0 and kpis["mttr_minutes"]["value"] == pytest.approx(
        5
    )
    assert kpis["false_positive_rate"]["value"] == 0.0 and kpis["alert_volume"]["value"] == {
        "high": 1
    }


async def test_rules_crud_and_file_rules(
    notifier, alert_store: Store, clock: Clock, tmp_path: Path
) -> None:
    config = tmp_path / "ops-agent.yaml"
    config.write_text(
        "alerts:\n  - name: from-file\n    condition: 'error_rate > 5%'\n"
        "    severity: critical\n    for: 5m\n"
    )
    tool = AlertManagementTool(
        notifier, store=alert_store, kv=None, clock=clock, config_path=config
    )
    rules = {r["name"]: r for r in await tool.list_rules()}
    assert rules["from-file"]["source"] == "file" and rules["from-file"]["for_seconds"] == 300
    with pytest.raises(RuleConflict):
        await tool.create_alert_rule(name="from-file", condition="error_rate > 1%")
    with pytest.raises(RuleError) as info:
        await tool.create_alert_rule(name="bad", condition="rate(requests[5m]")
    assert info.value.position == 17
    await tool.create_alert_rule(name="mine", condition="error_rate > 1%")
    updated = await tool.update_alert_rule("mine", severity="critical", **{"for": "10m"})
    assert updated.severity == "critical" and updated.for_seconds == 600
    await tool.set_rule_enabled("mine", False)
    assert {r["name"]: r["enabled"] for r in await tool.list_rules()}["mine"] is False
    assert await tool.delete_alert_rule("mine")
    emptied = AlertManagementTool(
        notifier, store=alert_store, kv=None, clock=clock, config_rules=[]
    )
    assert [r["name"] for r in await emptied.list_rules()] == []


async def test_a_rule_that_stops_running_leaves_no_alert_open(
    tool: AlertManagementTool, alert_store: Store, clock: Clock
) -> None:
    """Disabling or deleting a rule resolves its open alerts, with the reason in their
    history."""
    for name in ("to-disable", "to-delete"):
        await tool.create_alert_rule(name=name, condition="max(depth_" + name[3:6] + "[1m]) > 10")
    await level(alert_store, clock, "depth_dis", 50)
    await level(alert_store, clock, "depth_del", 50)
    report = await tool.evaluate()
    assert sorted(report.fired) == ["to-delete", "to-disable"]
    await tool.set_rule_enabled("to-disable", False, actor="alice")
    assert await tool.delete_alert_rule("to-delete", actor="bob")
    assert await tool.get_active_alerts() == []
    history = {a.rule: a for a in await tool.get_alert_history()}
    for name, why, who in (
        ("to-disable", "rule disabled", "alice"),
        ("to-delete", "rule deleted", "bob"),
    ):
        alert = history[name]
        assert alert.state == "resolved" and alert.resolved_by == who
        events = (await tool.get_alert(alert.id))["events"]
        assert any((e.get("detail") or {}).get("note") == why for e in events), events
