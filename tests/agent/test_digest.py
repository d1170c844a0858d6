"""The daily digest: once a day after its hour, low-severity alerts included, retried when a
channel fails for now, never sent twice; to a real webhook receiver that verifies signatures
with the Standard Webhooks library."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from ops_agent.agent.digest import daily_digest, digest_context
from ops_agent.alerts import AlertManagementTool
from ops_agent.kv.redis import RedisKV
from ops_agent.runtime import Runtime
from ops_agent.settings import Settings
from ops_agent.store.postgres import PostgresStore
from tests.alerts.conftest import Clock, level
from tests.conftest import ALL_TABLES, clean_tables
from tests.notify.servers import WEBHOOK_SECRET, Receiver, webhook_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as r:
        yield r


async def test_digest_once_a_day_with_low_alerts(
    settings: Settings, pg_url: str, redis_socket: str, receiver: Receiver, tmp_path
) -> None:
    clean_tables(pg_url, *ALL_TABLES)
    clock = Clock()  # 2026-11-24 12:00 UTC
    s = settings.model_copy(
        update={
            "monitor_config": tmp_path / "none.yaml",
            "notify_webhook_url": receiver.url + "/digest",
            "notify_webhook_secret": WEBHOOK_SECRET,
            "notify_allowed_hosts": "127.0.0.1",
            "alert_channels": "webhook",
            "alert_digest_hour": 9,
            "notify_max_attempts": 1,  # a failed delivery is the tick's to retry, not the send's
        }
    )
    runtime = Runtime(
        s,
        store=PostgresStore(pg_url),
        kv=RedisKV(unix_socket_path=redis_socket, prefix=f"d{uuid.uuid4().hex[:6]}:"),
        clock=clock,
    )
    try:
        store = await runtime.store()
        alerts = AlertManagementTool(
            await runtime.notifier(),
            store=store,
            kv=await runtime.kv(),
            clock=clock,
            available_channels=["webhook"],
        )
        await alerts.create_alert_rule(
            name="disk-filling", condition="max(disk_pct[1m]) > 80", severity="low"
        )
        await level(store, clock, "disk_pct", 91)
        await alerts.evaluate()  # fires; low severity notifies nobody now
        assert receiver.deliveries == []

        clock.advance(hours=14)  # 02:00 the next day: not yet
        assert (await daily_digest(runtime)) == {"due": False}
        clock.advance(hours=8)  # 10:00
        receiver.answer(503)  # the first attempts fail for now: retried next tick
        first = await daily_digest(runtime)
        assert first["sent"] is False
        second = await daily_digest(runtime)
        assert second == {"due": True, "sent": True, "days": ["2026-11-24"]}
        third = await daily_digest(runtime)
        assert third["sent"] is False and "was sent" in third["reason"]
        digests = [
            d for d in receiver.verified if d["payload"]["type"] == "ops_agent.daily_summary"
        ]
        assert len([d for d in receiver.deliveries if d["verified"]]) >= 2
        body = digests[-1]["payload"]["data"]["body"]
        assert "Low-severity alerts:" in body and "disk-filling" in body
        assert "1 alerts fired" in body
    finally:
        await runtime.close()


def test_digest_context_counts() -> None:
    ctx = digest_context(
        "2026-11-24",
        [
            {"rule": "a", "severity": "critical", "state": "resolved", "auto_actions": 1},
            {"rule": "b", "severity": "low", "state": "firing", "summary": "disk 91%"},
        ],
        {"mttd_minutes": {"value": 2.5}, "deployment_success_rate": {"value": 0.96, "n": 25}},
    )
    assert (ctx["alerts_fired"], ctx["alerts_resolved"], ctx["auto_fixed"]) == (2, 1, 1)
    assert ctx["mttd"] == "2.5 min" and ctx["mttr"] == "n/a" and ctx["deployments"] == 25
    assert ctx["low_alerts"] == "- b: disk 91% (firing)"
