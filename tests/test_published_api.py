"""The published Python API, run exactly as the README shows it (tests/published/api_example.py)
in a fresh process, as a user would: the embedded default store and KV in its own data folder,
and Vercel's API answered by the local double (`ops-agent sandbox vercel`) over HTTP.

No Mailtrap token and no Slack webhook are set, as on a first try: those calls answer failed
results that say what is missing, never an exception."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ops_agent.sandbox.servers import Served
from ops_agent.sandbox.standalone import standalone

EXAMPLE = Path(__file__).parent / "published" / "api_example.py"


async def test_every_published_call_works_as_written(tmp_path: Path) -> None:
    import asyncio

    sandbox, app = standalone(("morningai",), build_seconds=0.5, tick_seconds=0.05)
    async with Served(app) as vercel:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "OPS_AGENT_DATA_DIR": str(tmp_path / "data"),
            "VERCEL_TOKEN": sandbox.token,
            "VERCEL_API_URL": vercel.url,
            "VERCEL_PROJECT": "morningai",
            "VERCEL_JOB_POLL_SECONDS": "0.1",
            "LOG_LEVEL": "WARNING",
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(EXAMPLE),
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=300)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert proc.returncode == 0, stderr.decode()[-4000:]
    out = json.loads(stdout.decode().strip().splitlines()[-1])
    assert out["deploy"]["deployment_id"].startswith("dpl_")
    assert out["deploy"]["status"] in ("QUEUED", "BUILDING")
    assert out["deploy"]["deployment_url"].startswith("https://")
    assert out["built"] == "READY"
    assert out["rollback"]["status"] == "done" and out["rollback"]["production_pinned"]
    assert out["rollback"]["from_deployment"] == out["deploy"]["deployment_id"]
    assert {"cpu_percent", "memory_percent"} <= set(out["metrics"])
    assert out["health"]["status"] == "unknown" and "api" in out["health"]["last_error"]
    assert out["rule"] == "high_error_rate" and out["acknowledged"] == "acknowledged"
    for call in ("email", "slack", "notification"):
        assert out[call]["status"] == "failed", out[call]
    assert "MAILTRAP" in out["email"]["error"].upper()
    assert "SLACK" in out["slack"]["error"].upper()
    assert out["webhook"]["status"] == "failed" and out["webhook"]["error"]
    assert out["task_deploy"]["status"] == "started", out["task_deploy"]
    assert out["task_deploy"]["deployment_url"].startswith("https://")
    assert out["task_monitor"]["status"] == "monitoring"
    assert out["task_analyze"]["status"] == "ok" and out["task_analyze"]["patterns"] >= 1
    assert out["task_analyze"]["recommendations"]
    assert sandbox.violations == []
