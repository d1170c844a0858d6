"""Sharing what was learned with the FAQ Agent after an incident resolves: signed, delivered
to a real receiver on 127.0.0.1, retried on the next tick until accepted, and sent once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from ops_agent.agent.learnings import learning, share_learnings
from ops_agent.alerts.records import AlertRecords
from ops_agent.kv.redis import RedisKV
from ops_agent.runtime import Runtime
from ops_agent.sandbox.servers import Receiver, Served, new_secret
from ops_agent.settings import Settings
from ops_agent.store.postgres import PostgresStore
from tests.conftest import ALL_TABLES, clean_tables


@pytest.fixture
async def store_and_kv(pg_url: str, redis_socket: str) -> AsyncIterator[tuple]:
    clean_tables(pg_url, *ALL_TABLES)
    store = PostgresStore(pg_url)
    kv = RedisKV(unix_socket_path=redis_socket, prefix=f"faq{uuid.uuid4().hex[:6]}:")
    yield store, kv
    await store.close()
    await kv.close()


async def test_resolved_incident_is_shared_once_and_retried_until_accepted(
    settings: Settings, store_and_kv: tuple, tmp_path
) -> None:
    store, kv = store_and_kv
    records = AlertRecords(store)
    t = datetime.now(UTC) - timedelta(minutes=20)
    incident = await records.attach_incident(
        str(uuid.uuid4()), "project=shop", "shop-error-rate: errors above 5%", "critical", t, t
    )
    await records.incident_event(
        str(incident["id"]), "action", t + timedelta(minutes=1), "agent", {"action": "rollback"}
    )
    await records.incident_event(str(incident["id"]), "resolved", t + timedelta(minutes=9), "agent")

    secret = new_secret()
    right, wrong = Receiver(secret), Receiver(new_secret())  # wrong: refuses our signature
    async with Served(right.app) as good, Served(wrong.app) as bad:

        def runtime(url: str) -> Runtime:
            s = settings.model_copy(
                update={
                    "faq_agent_url": url,
                    "notify_webhook_secret": SecretStr(secret),
                    "notify_allowed_hosts": "127.0.0.1",
                    "monitor_config": tmp_path / "none.yaml",
                }
            )
            return Runtime(s, store=store, kv=kv)

        first = runtime(f"{bad.url}/hooks/faq")
        assert (await share_learnings(first))["failed"] == 1
        await first.close_tools()
        second = runtime(f"{good.url}/hooks/faq")
        assert (await share_learnings(second))["shared"] == 1
        assert (await share_learnings(second))["shared"] == 0  # consumed: not sent again
        await second.close_tools()
    assert len(right.received) == 1 and wrong.rejected >= 1
    body = right.received[0]["body"]
    assert body["type"] == "ops_agent.learning"
    data = body["data"]
    assert data["incident"]["id"] == str(incident["id"])
    assert data["what_fixed_it"] == ["rollback"]
    assert [e["kind"] for e in data["timeline"]] == ["detected", "action", "resolved"]
    audit = await store.list_audit(action_prefix="faq.")
    assert [e.outcome for e in audit] == ["ok", "failed"]  # newest first


def test_learning_is_built_from_the_incident_and_patterns() -> None:
    out = learning(
        {"id": "i1", "title": "t", "timeline": [{"kind": "action", "action": "rollback"}]},
        [{"template": "ECONNREFUSED <*>", "cause": "the database refused", "fix": "check DB"}],
    )
    assert out["root_causes"] == ["the database refused"]
    assert out["recommendations"] == ["check DB"] and out["what_fixed_it"] == ["rollback"]


async def test_without_faq_agent_url_nothing_is_sent(
    settings: Settings, store_and_kv: tuple, tmp_path
) -> None:
    store, kv = store_and_kv
    rt = Runtime(
        settings.model_copy(update={"monitor_config": tmp_path / "x.yaml"}), store=store, kv=kv
    )
    report = await share_learnings(rt)
    assert report["shared"] == 0 and "FAQ_AGENT_URL" in report["reason"]
    await rt.close_tools()
