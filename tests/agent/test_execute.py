"""execute_task end to end: tools on real Postgres and Redis, Vercel through respx, and
/api/tasks and `ops-agent task` on top."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import respx

from ops_agent.agent.ooda import OpsAgentOODA
from ops_agent.kv.redis import RedisKV
from ops_agent.logs import LogAnalysisTool
from ops_agent.logs.entries import normalise
from ops_agent.runtime import Runtime
from ops_agent.settings import Settings
from ops_agent.store.postgres import PostgresStore
from tests.conftest import clean_tables
from tests.logs.payloads import entry
from tests.vercel.payloads import API, deployment, project

TABLES = (
    "alert_rules",
    "alerts",
    "alert_events",
    "incidents",
    "log_entries",
    "log_templates",
    "deployments",
    "deployment_actions",
    "audit_log",
    "api_keys",
    "monitor_services",
    "monitor_state",
    "monitor_results",
    "notifications",
)


@pytest.fixture
async def agent(
    settings: Settings, pg_url: str, redis_socket: str, tmp_path
) -> AsyncIterator[OpsAgentOODA]:
    clean_tables(pg_url, *TABLES)
    s = settings.model_copy(
        update={"vercel_project": "shop", "monitor_config": tmp_path / "none.yaml"}
    )
    runtime = Runtime(
        s,
        store=PostgresStore(pg_url),
        kv=RedisKV(unix_socket_path=redis_socket, prefix="agent-tests:"),
    )
    a = OpsAgentOODA(runtime=runtime, actor="tester")
    yield a
    await a.aclose()


@pytest.fixture
def vercel() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False) as router:
        router.route(host="127.0.0.1").pass_through()
        yield router


async def test_deploy_task_reaches_vercel(agent: OpsAgentOODA, vercel: respx.MockRouter) -> None:
    vercel.get("/v9/projects/shop").respond(json=project("dpl_live"))
    vercel.post("/v13/deployments").respond(json=deployment("dpl_new", "QUEUED"))
    result = await agent.execute_task("Deploy latest changes to production")
    assert result["status"] == "started" and result["deployment_id"] == "dpl_new"
    assert result["deployment_url"].startswith("https://")
    assert result["intent"] == "deploy"


async def test_failures_are_reported_not_raised(
    agent: OpsAgentOODA, vercel: respx.MockRouter
) -> None:
    vercel.get("/v9/projects/shop").respond(
        404, json={"error": {"code": "not_found", "message": "Project not found"}}
    )
    result = await agent.execute_task("deploy to production")
    assert result["status"] == "failed" and "Project not found" in result["error"]


async def test_monitor_creates_a_rule(agent: OpsAgentOODA) -> None:
    result = await agent.execute_task(
        "Monitor API error rate and alert if >5%", priority="critical"
    )
    assert result["status"] == "monitoring"
    rule = result["alert_rule"]
    assert rule["condition"] == "error_rate[5m] > 0.05" and rule["severity"] == "critical"
    rules = await (await agent.runtime.alerts()).list_rules()
    assert [r["name"] for r in rules] == [rule["name"]]


async def test_analyze_logs_gives_patterns_and_recommendations(agent: OpsAgentOODA) -> None:
    now = datetime.now(UTC)
    rows = [
        entry(
            i,
            at=now - timedelta(minutes=i),
            level="error",
            status=504,
            message=f"Task timed out after {10 + i % 3}.01 seconds",
        )
        for i in range(20)
    ]
    await LogAnalysisTool(await agent.runtime.store()).ingest([normalise(r) for r in rows])
    result = await agent.execute_task(
        "Analyze error logs from the past hour and identify root causes"
    )
    assert result["status"] == "ok" and result["patterns"][0]["count"] == 20
    assert result["recommendations"] and "maxDuration" in result["recommendations"][0]
    assert result["root_causes"] == ["The function ran past its maxDuration."]


async def test_reading_tasks(agent: OpsAgentOODA) -> None:
    assert (await agent.execute_task("what's firing?"))["alerts"] == []
    metrics = await agent.execute_task("show cpu and memory usage")
    assert 0 <= metrics["metrics"]["memory_percent"] <= 100
    health = await agent.execute_task("is everything healthy?")
    assert health["status"] == "ok" and health["services"] == []
    logs = await agent.execute_task('search the logs for "timed out" in the last hour')
    assert logs["status"] == "ok" and logs["hits"] == []
    anomalies = await agent.execute_task("any anomalies in the last hour?")
    assert anomalies["anomalies"] == []


def test_cli_dry_run(tmp_path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ops_agent.cli",
            "task",
            "Roll back production",
            "--dry-run",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"OPS_AGENT_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {
        "intent": "rollback",
        "params": {"environment": "production"},
        "would": "roll production back to the previous production deployment",
    }
    bad = subprocess.run(
        [sys.executable, "-m", "ops_agent.cli", "task", "make me a sandwich", "--dry-run"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"OPS_AGENT_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert bad.returncode == 2 and "supported" in bad.stderr


async def test_tick_and_run_forever(agent: OpsAgentOODA) -> None:
    report = await agent.tick()
    names = [p["name"] for p in report["phases"]]
    assert names[:5] == ["observe.vercel", "observe", "orient", "decide", "act.remediation"]
    assert report["status"] == "ran" and report["phases"][1]["result"]["health"] is not None
    assert all(p["status"] == "ok" for p in report["phases"]), report["phases"]
    agent.enable_monitoring = False
    phases = {p["name"]: p for p in (await agent.tick())["phases"]}
    assert phases["observe"]["result"]["health"] is None  # no health checks, no log anomalies
    assert phases["orient"]["status"] == "ok" and "alerts" in phases["orient"]["result"]

    import asyncio

    stop = asyncio.Event()
    ticks = 0
    original = agent.tick

    async def counting() -> dict:
        nonlocal ticks
        ticks += 1
        if ticks == 2:
            stop.set()
        return await original()

    agent.tick = counting  # type: ignore[method-assign]
    await asyncio.wait_for(agent.run_forever(interval=0.01, stop=stop), timeout=30)
    assert ticks == 2
