"""/api/metrics over HTTP, and `ops-agent report` pushing to a real server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx
import pytest

from ops_agent.http.functions import metrics_app
from ops_agent.runtime import Runtime
from ops_agent.store import Role
from ops_agent.store.postgres import PostgresStore
from tests.servers import serve_in_thread


@pytest.fixture
async def metrics_client(runtime: Runtime, tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    settings = runtime.settings.model_copy(update={"monitor_config": tmp_path / "none.yaml"})
    rt = Runtime(settings, store=await runtime.store(), kv=await runtime.kv())
    app = metrics_app(runtime=rt)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c
    await rt.close()


def auth(keys, role: Role) -> dict[str, str]:
    return {"authorization": f"Bearer {keys[role]}"}


async def test_ingest_query_custom_and_prometheus(metrics_client, keys, pg_url) -> None:
    from tests.conftest import clean_tables

    clean_tables(pg_url, "metric_samples", "metric_definitions", "metric_rollups")
    op, viewer = auth(keys, Role.OPERATOR), auth(keys, Role.VIEWER)
    samples = [{"name": "queue_depth", "value": v, "labels": {"queue": "emails"}} for v in (3, 5)]
    samples[1]["id"] = "q-2"
    r = await metrics_client.post("/api/metrics/ingest", json={"samples": samples}, headers=op)
    assert r.status_code == 200 and r.json()["inserted"] == 2
    assert (
        await metrics_client.post("/api/metrics/ingest", json={"samples": samples}, headers=viewer)
    ).status_code == 403
    r = await metrics_client.post(
        "/api/metrics/ingest", json={"samples": [{"name": "bad name", "value": 1}]}, headers=op
    )
    assert r.status_code == 422
    r = await metrics_client.get(
        "/api/metrics/query",
        params={"expr": "count(queue_depth[1h])", "range": "1h", "step": 3600},
        headers=viewer,
    )
    assert r.status_code == 200, r.text
    r = await metrics_client.get(
        "/api/metrics/query", params={"expr": "rate(requests[5m]"}, headers=viewer
    )
    assert r.status_code == 400 and r.json()["error"]["details"]["position"] == 17
    r = await metrics_client.post(
        "/api/metrics/custom",
        json={"name": "deep_queue", "query": "max(queue_depth[1h]) > 4"},
        headers=op,
    )
    assert r.status_code == 201
    r = await metrics_client.post(
        "/api/metrics/custom", json={"name": "broken", "query": "max("}, headers=op
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_query"
    assert (
        "deep_queue"
        in (await metrics_client.get("/api/metrics/custom", headers=viewer)).json()["metrics"]
    )
    r = await metrics_client.get("/api/metrics/prometheus", headers=viewer)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert "# TYPE ops_agent_requests_per_second gauge" in r.text
    assert "ops_agent_deployment_success_ratio_7d" in r.text
    r = await metrics_client.get("/api/metrics/system", headers=viewer)
    assert r.status_code == 200 and 0 <= r.json()["memory_percent"] <= 100


async def test_report_command_pushes_system_metrics(
    runtime: Runtime, keys, tmp_path, pg_url
) -> None:
    from tests.conftest import clean_tables

    clean_tables(pg_url, "metric_samples")
    # The server runs its own loop in a thread: it gets its own store, opened there.
    served = Runtime(runtime.settings, store=PostgresStore(pg_url))
    app = metrics_app(runtime=served)
    with serve_in_thread(app) as url:
        env = {
            **os.environ,
            "OPS_AGENT_KEY": keys[Role.OPERATOR],
            "OPS_AGENT_DATA_DIR": str(tmp_path),
        }
        proc = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                "ops_agent.cli",
                "report",
                "--url",
                url,
                "--every",
                "1s",
                "--count",
                "2",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("pushed") == 2
    store = await runtime.store()
    rows = await store.rpc(
        "ops_metric_sample_series",
        {
            "p_name": "system_cpu_percent",
            "p_from": "2000-01-01T00:00:00Z",
            "p_to": "2100-01-01T00:00:00Z",
            "p_filters": [],
        },
    )
    assert len(rows) == 2
