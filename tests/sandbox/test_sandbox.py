"""The sandbox's Vercel speaks the API the agent's Vercel client uses: the real client, over
HTTP on 127.0.0.1, against it. And its traffic is what its deployments' behaviour says."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import httpx
import pytest

from ops_agent.deployments.events import facts_from_webhook
from ops_agent.logs.entries import normalise
from ops_agent.sandbox import Behaviour, SandboxVercel, ScenarioClock
from ops_agent.sandbox.servers import Served
from ops_agent.sandbox.traffic import Request, Where, log_lines, requests, trace_export
from ops_agent.vercel import VercelClient
from ops_agent.vercel.errors import VercelError
from ops_agent.vercel.models import DeploymentState, WebhookEvent
from tests.servers import live_processes


async def test_the_vercel_client_drives_the_sandbox() -> None:
    clock = ScenarioClock()
    sandbox = SandboxVercel(clock.now, build_seconds=60)
    seeded = sandbox.live()
    assert seeded is not None  # seeded: a history of READY production deployments
    first = sandbox.push("initial release")
    clock.advance(60)
    sandbox.advance()
    async with Served(sandbox.app) as server:
        client = VercelClient(sandbox.token, base_url=server.url, max_retries=0)
        try:
            project = await client.get_project("shop")
            assert project.production_deployment_id == first
            assert project.link is not None and project.link.production_branch == "main"
            bad = sandbox.push("feat: broken", Behaviour(error_rate=0.5))
            queued = await client.get_deployment(bad)
            assert queued.state is DeploymentState.QUEUED and queued.commit_sha
            clock.advance(10)
            sandbox.advance()
            assert (await client.get_deployment(bad)).state is DeploymentState.BUILDING
            clock.advance(60)
            sandbox.advance()
            assert (await client.get_project("shop")).production_deployment_id == bad
            page = await client.list_deployments(
                project_id=project.id, target="production", limit=1
            )
            assert [d.id for d in page.deployments] == [bad] and page.pagination.next is not None
            everything = [
                d.id async for d in client.iter_deployments(project_id=project.id, page_size=1)
            ]
            assert everything[:2] == [bad, first] and len(everything) == 4
            events = await client.build_events(bad)
            assert any("npm run build" in e.text for e in events)
            await client.rollback(project.id, first, description="bad release")
            # Vercel answers at once and finishes the job later: lastAliasRequest shows it.
            after, job = await client.wait_for_alias_job(project.id, first, poll_interval=0.01)
            assert job is not None and job.job_status == "succeeded" and job.type == "rollback"
            assert after.production_pinned and sandbox.live().id == first
            redeploy = await client.create_deployment(
                name="shop", project=project.id, target="production", deployment_id=first
            )
            assert redeploy.state is DeploymentState.QUEUED
            with pytest.raises(VercelError):
                await client.get_deployment("dpl_missing")
        finally:
            await client.aclose()
        wrong = VercelClient("not-the-token", base_url=server.url, max_retries=0)
        try:
            with pytest.raises(VercelError):
                await wrong.get_project("shop")
        finally:
            await wrong.aclose()
    assert sandbox.violations == []
    # Every webhook it queued is an envelope the agent's parser takes.
    types = []
    for envelope in sandbox.outbox:
        event = WebhookEvent.model_validate(json.loads(json.dumps(envelope)))
        types.append(event.type)
        assert facts_from_webhook(event)
    assert types[:3] == ["deployment.created", "deployment.succeeded", "deployment.promoted"]
    assert "deployment.rollback" in types


def test_traffic_follows_the_behaviour_and_is_idempotent() -> None:
    start = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    where = Where("prj", "shop", "dpl_x", "shop.example")

    def minute(behaviour: Behaviour) -> list[Request]:
        return requests(
            where, start=start, seconds=600, behaviour=behaviour, rate_per_second=2, seed=1
        )

    healthy, bad = minute(Behaviour()), minute(Behaviour(error_rate=0.3, latency_ms=900))
    assert len(healthy) == 1200
    served = [r for r in bad if r.source == "lambda" and r.status != -1]
    assert 0.25 < sum(r.status >= 500 for r in served) / len(served) < 0.35
    assert sum(r.status >= 500 for r in healthy) < 15
    assert minute(Behaviour()) == healthy  # the same span twice is the same requests
    lines = log_lines(where, bad)
    assert len(lines) > len(bad)  # several lines per function request, sharing requestId
    assert all("duration" not in line and "duration" not in line["proxy"] for line in lines)
    assert any(line["statusCode"] == -1 for line in lines if "statusCode" in line)  # crashes
    assert any(line["proxy"]["statusCode"] == -1 for line in lines)  # revalidations
    assert any(line["proxy"].get("wafAction") == "deny" for line in lines)
    assert any("\u2028" in line["message"] for line in lines)
    rows = [normalise(e) for e in lines[:50]]
    assert all(r["project_name"] == "shop" and r["request_id"] for r in rows)
    export = trace_export(where, bad)
    spans = export["resourceSpans"][0]["scopeSpans"][0]["spans"]
    assert len(spans) == len([r for r in bad if r.source == "lambda" and r.status != -1])
    durations = sorted(
        (int(s["endTimeUnixNano"]) - int(s["startTimeUnixNano"])) / 1e6 for s in spans
    )
    assert 700 < durations[len(durations) // 2] < 1100


def test_demo_json_on_the_embedded_default(tmp_path) -> None:
    """`ops-agent demo --json`: no credentials, its own embedded store, the figures on stdout,
    and nothing left running."""
    before = set(live_processes("ops-agent-demo-"))
    out = subprocess.run(
        [sys.executable, "-m", "ops_agent.cli", "demo", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    # Its throwaway Postgres and Redis stopped with it: no process runs from its folders.
    import time

    for _ in range(50):  # bounded: 5 s for the servers' last children to go
        left = set(live_processes("ops-agent-demo-")) - before
        if not left:
            break
        time.sleep(0.1)
    assert not left, left
    result = json.loads(out.stdout)
    assert set(result) >= {
        "mttd_seconds",
        "mttr_seconds",
        "auto_fixed",
        "rolled_back_to",
        "false_positives",
        "notifications",
        "timeline",
    }
    assert result["auto_fixed"] is True and result["false_positives"] == 0
    assert result["as_expected"] is True
    assert result["mttd_seconds"] < 300 and result["mttr_seconds"] < 900
    assert result["rolled_back_to"].startswith("dpl_")
    kinds = [n["kind"] for n in result["notifications"]]
    # The rollback pinned production: people are told, since their next pushes stay staged.
    assert kinds == ["alert.firing", "remediation_done", "alert.resolved"]


async def test_serve_sandbox_feeds_the_agent_live(
    settings, pg_url: str, redis_socket: str, tmp_path
) -> None:
    """`ops-agent serve --sandbox`: deployments and traffic reach the agent in real time."""
    import asyncio
    import uuid

    from ops_agent.deployments.records import DeploymentHistory
    from ops_agent.kv.redis import RedisKV
    from ops_agent.logs import LogAnalysisTool
    from ops_agent.sandbox.live import sandbox_app
    from ops_agent.store.postgres import PostgresStore
    from tests.conftest import ALL_TABLES, clean_tables

    clean_tables(pg_url, *ALL_TABLES)
    store = PostgresStore(pg_url)
    kv = RedisKV(unix_socket_path=redis_socket, prefix=f"s{uuid.uuid4().hex[:6]}:")
    s = settings.model_copy(update={"ops_agent_data_dir": tmp_path})
    app = sandbox_app(s, build_seconds=0.3, pump_seconds=0.2, store=store, kv=kv)
    try:
        async with Served(app) as server:
            hits: list = []
            for _ in range(100):  # bounded: at most 10 s
                await asyncio.sleep(0.1)
                deployments = await DeploymentHistory(store).list(project="shop")
                hits = (await LogAnalysisTool(store).search_logs("", "1h", limit=5)).hits
                if hits and any(d.state == "READY" for d in deployments):
                    break
            assert hits and hits[0]["project_name"] == "shop"
            assert [d.state for d in deployments] == ["READY"]
            async with httpx.AsyncClient(base_url=server.url) as http:
                assert (await http.get("/api/health")).status_code == 200
        # The sandbox keeps to its own folder: nothing of it in the real setup's data folder.
        assert (tmp_path / "sandbox" / "sandbox.yaml").exists()
        assert not (tmp_path / "sandbox.yaml").exists()
    finally:
        await store.close()
        await kv.close()


def test_judging_counts_false_positives_and_pages() -> None:
    from ops_agent.sandbox.result import ScenarioResult, judge
    from ops_agent.sandbox.scenarios import SCENARIOS

    start = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    fired = {
        "rule": "shop-web-down",
        "firing_since": "2026-11-29T12:05:00+00:00",
        "state": "resolved",
        "resolved_at": "2026-11-29T12:07:00+00:00",
    }
    page = {"hook": "ops", "id": "m1", "body": {"type": "ops_agent.alert.firing", "data": {}}}
    learned = {"hook": "faq-agent", "id": "m2", "body": {"type": "ops_agent.learning"}}
    result = ScenarioResult("flapping_check", "t", start)
    judge(
        SCENARIOS["flapping_check"],  # nothing was wrong: an alert is a false positive
        result,
        alerts=[fired],
        actions=[],
        kpis={},
        received=[page, learned],
        ready_at=lambda _: None,
    )
    assert result.false_positives == 1 and result.paged and not result.auto_fixed
    assert result.notifications == [page] and result.handoffs == [learned]
