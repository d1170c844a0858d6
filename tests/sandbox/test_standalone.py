"""`ops-agent sandbox vercel`: the double on its own, on the wall clock. Pointing the client at
it makes DeploymentTool work end to end; with a webhook URL it delivers signed webhooks."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
from fastapi import FastAPI, Request

from ops_agent.deployments import DeploymentTool
from ops_agent.sandbox.servers import Served
from ops_agent.sandbox.standalone import standalone
from ops_agent.settings import Settings
from ops_agent.store import Store
from ops_agent.vercel import DeploymentState, VercelClient
from ops_agent.vercel.signature import verify
from tests.conftest import clean_tables
from tests.deployments.conftest import DEPLOYMENT_TABLES


class VercelWebhooks:
    """A receiver that keeps what the double posts (raw body and headers)."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

        @self.app.post("/hook")
        async def hook(request: Request) -> dict:
            raw = await request.body()
            self.received.append(
                {"raw": raw, "headers": dict(request.headers), "body": json.loads(raw)}
            )
            return {"ok": True}


async def test_deployment_tool_end_to_end_against_the_standalone_double(
    store: Store, pg_url: str, settings: Settings
) -> None:
    clean_tables(pg_url, *DEPLOYMENT_TABLES)
    clean_store = store
    receiver = VercelWebhooks()
    async with Served(receiver.app) as hooks:
        sandbox, app = standalone(
            ("shop", "docs"),
            build_seconds=0.3,
            tick_seconds=0.05,
            webhook_url=f"{hooks.url}/hook",
            webhook_secret="whsec_local",
        )
        async with Served(app) as server:
            client = VercelClient(sandbox.token, base_url=server.url, max_retries=0)
            s = settings.model_copy(update={"vercel_job_poll_seconds": 0.05})
            tool = DeploymentTool(store=clean_store, client=client, settings=s)
            try:
                started = await tool.deploy("docs", reason="a test")
                done = await tool.wait_for_build(started.id, timeout=10, poll_interval=0.05)
                assert done.state is DeploymentState.READY
                rolled = await tool.rollback(project="docs", reason="a test")
                assert rolled.status == "done" and rolled.production_pinned
            finally:
                await client.aclose()
        for _ in range(100):  # bounded: 5 s for the pump to deliver
            if any(r["body"].get("type") == "deployment.rollback" for r in receiver.received):
                break
            await asyncio.sleep(0.05)
    types = [r["body"]["type"] for r in receiver.received]
    assert "deployment.created" in types and "deployment.rollback" in types
    first = receiver.received[0]
    assert verify(first["raw"], first["headers"]["x-vercel-signature"], ["whsec_local"])
    assert sandbox.violations == []


def test_the_cli_serves_it_until_stopped(tmp_path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ops_agent.cli",
            "sandbox",
            "vercel",
            "--port",
            str(port),
            "--project",
            "shop",
            "--project",
            "blog",
            "--plan",
            "hobby",
        ],
        cwd=tmp_path,
        env={**os.environ, "HOME": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        headers = {"Authorization": "Bearer sandbox-token"}
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"{url}/v9/projects/blog", headers=headers, timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the double did not start"
                time.sleep(0.1)
        assert r.status_code == 200 and r.json()["name"] == "blog"
        assert r.json()["targets"]["production"]["plan"] == "hobby"
        listed = httpx.get(f"{url}/v6/deployments", headers=headers, timeout=2).json()
        assert len(listed["deployments"]) == 4  # two seeded per project
        assert httpx.get(f"{url}/v9/projects/blog", timeout=2).status_code == 403
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    err = proc.stderr.read().decode()  # type: ignore[union-attr]
    assert f"VERCEL_API_URL=http://127.0.0.1:{port}" in err
    json.dumps(err)  # readable text
