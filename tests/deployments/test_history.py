"""The deployment history's SQL contract, on both store transports and real Postgres."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from ops_agent.deployments import DeploymentAction, DeploymentHistory
from ops_agent.observations import Observation, ObservationLog
from ops_agent.store import Store

T = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def fact(dpl: str, state: str | None, minutes: float, **kw: object) -> dict:
    out = {
        "id": dpl,
        "project_id": "prj_1",
        "project_name": "shop",
        "target": "production",
        "at": (T + timedelta(minutes=minutes)).isoformat(),
        "source": "test",
        **kw,
    }
    if state:
        out["state"] = state
    return out


async def test_states_arriving_out_of_order_keep_the_latest(clean_store: Store) -> None:
    h = DeploymentHistory(clean_store)
    await h.record(fact("dpl_1", "READY", 3))
    await h.record(fact("dpl_1", "BUILDING", 1))
    await h.record(fact("dpl_1", "QUEUED", 0, created_at=T.isoformat()))
    await h.record(fact("dpl_1", "READY", 3))  # a repeat adds nothing
    row = await h.get("dpl_1")
    assert row is not None and row.state == "READY"
    assert [e.state for e in row.timeline] == ["QUEUED", "BUILDING", "READY"]
    assert row.created_at == T and row.ready_at == T + timedelta(minutes=3)


async def test_error_and_production_ready_publish_one_observation_each(clean_store: Store) -> None:
    h = DeploymentHistory(clean_store)
    r1 = await h.record(
        fact("dpl_bad", "ERROR", 1, error_code="BUILD_FAILED", error_message="exit 1")
    )
    r2 = await h.record(fact("dpl_bad", "ERROR", 2))
    r3 = await h.record(fact("dpl_ok", "READY", 1))
    r4 = await h.record(fact("dpl_prev", "READY", 1, target="preview"))
    assert r1.observation_id and r1.state_changed
    assert r2.observation_id is None
    assert r3.observation_id and r4.observation_id is None
    log = ObservationLog(clean_store)
    pending = await log.pending()
    assert [(o.kind, o.subject) for o in pending] == [
        ("deployment.error", "dpl_bad"),
        ("deployment.production_ready", "dpl_ok"),
    ]
    assert pending[0].payload["error_message"] == "exit 1"
    assert await log.consume([o.id for o in pending if o.id]) == 2
    assert await log.pending() == []
    assert await log.consume([pending[0].id or 0]) == 0


async def test_observation_publish_dedups(clean_store: Store) -> None:
    log = ObservationLog(clean_store)
    o = Observation(kind="test.kind", subject="x", dedup_key="test:x", payload={"n": 1})
    assert len(await log.publish(o, o)) == 1
    assert await log.publish(o) == []


async def test_concurrent_facts_about_a_new_deployment(clean_store: Store) -> None:
    h = DeploymentHistory(clean_store)
    states = ["QUEUED", "BUILDING", "READY"] * 4
    await asyncio.gather(*(h.record(fact("dpl_c", s, i % 3)) for i, s in enumerate(states)))
    row = await h.get("dpl_c")
    assert row is not None and row.state == "READY" and len(row.timeline) == 3
    assert len(await ObservationLog(clean_store).pending()) == 1


async def test_webhook_ingest_is_idempotent_under_concurrency(clean_store: Store) -> None:
    h = DeploymentHistory(clean_store)
    delivery = {
        "id": "uev_1",
        "type": "deployment.error",
        "created_at": T.isoformat(),
        "payload": {"x": 1},
    }
    results = await asyncio.gather(
        *(h.ingest_webhook(delivery, [fact("dpl_w", "ERROR", 1)]) for _ in range(20))
    )
    assert sum(not r.duplicate for r in results) == 1
    row = await h.get("dpl_w")
    assert row is not None and len(row.timeline) == 1
    assert len(await ObservationLog(clean_store).pending()) == 1


async def test_list_filters_and_keyset_pages(clean_store: Store) -> None:
    h = DeploymentHistory(clean_store)
    for i in range(7):
        await h.record(
            fact(
                f"dpl_{i}",
                "READY" if i % 3 else "ERROR",
                i,
                created_at=(T + timedelta(minutes=i)).isoformat(),
                target="production" if i < 5 else None,
                branch="main" if i % 2 else "dev",
            )
        )
    await h.record(fact("dpl_other", "READY", 1, project_id="prj_2", project_name="blog"))
    prod = await h.list(project="shop", target="production", limit=3)
    assert [r.id for r in prod] == ["dpl_4", "dpl_3", "dpl_2"]
    nxt = await h.list(
        project="prj_1", target="production", limit=3, before=(prod[-1].created_at, prod[-1].id)
    )
    assert [r.id for r in nxt] == ["dpl_1", "dpl_0"]
    assert [r.id for r in await h.list(project="shop", states=["ERROR"])] == [
        "dpl_6",
        "dpl_3",
        "dpl_0",
    ]
    assert {r.id for r in await h.list(branch="dev", project="shop")} == {
        "dpl_0",
        "dpl_2",
        "dpl_4",
        "dpl_6",
    }
    assert {r.id for r in await h.list(since=T + timedelta(minutes=5))} == {"dpl_5", "dpl_6"}


async def test_stats_and_success_rate(clean_store: Store) -> None:
    h = DeploymentHistory(clean_store)
    for i, state in enumerate(["READY"] * 18 + ["ERROR"] + ["CANCELED"] + ["BUILDING"]):
        await h.record(fact(f"dpl_{i}", state, 2, created_at=T.isoformat()))
    stats = await h.stats(project="shop", target="production", since=T - timedelta(days=1))
    assert (stats.total, stats.ready, stats.error, stats.canceled, stats.in_progress) == (
        21,
        18,
        1,
        1,
        1,
    )
    assert stats.success_rate == 18 / 19
    assert stats.median_build_seconds == 120
    empty = await h.stats(project="nope", since=None)
    assert empty.total == 0 and empty.success_rate is None


async def test_actions_are_recorded(clean_store: Store) -> None:
    h = DeploymentHistory(clean_store)
    await h.record_action(
        DeploymentAction(
            action="rollback",
            project_id="prj_1",
            from_deployment="dpl_b",
            to_deployment="dpl_a",
            actor="agent",
            reason="5xx",
            outcome="ok",
        )
    )
    [a] = await h.actions(project="prj_1")
    assert (a.action, a.from_deployment, a.to_deployment, a.actor, a.reason) == (
        "rollback",
        "dpl_b",
        "dpl_a",
        "agent",
        "5xx",
    )


async def test_webhook_purge(clean_store: Store) -> None:
    h = DeploymentHistory(clean_store)
    await h.ingest_webhook({"id": "uev_old", "type": "x", "created_at": T.isoformat()}, [])
    assert await h.purge_webhooks(datetime.now(UTC) - timedelta(days=1)) == 0
    assert await h.purge_webhooks(datetime.now(UTC) + timedelta(seconds=1)) == 1
