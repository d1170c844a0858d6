"""POST /api/tasks over HTTP: dry runs, refusals with the supported list, roles, audit."""

from __future__ import annotations

import httpx

from ops_agent.http.functions import tasks_app
from ops_agent.runtime import Runtime
from ops_agent.store import Role


async def test_api_tasks(runtime: Runtime, keys, tmp_path) -> None:
    rt = Runtime(
        runtime.settings.model_copy(update={"monitor_config": tmp_path / "none.yaml"}),
        store=await runtime.store(),
        kv=await runtime.kv(),
    )
    app = tasks_app(runtime=rt)
    op = {"authorization": f"Bearer {keys[Role.OPERATOR]}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.post(
            "/api/tasks",
            json={"task": "Monitor API error rate and alert if >5%", "dry_run": True},
            headers=op,
        )
        assert r.status_code == 200 and r.json() == {
            "intent": "monitor",
            "params": {"metric": "error_rate", "operator": ">", "threshold": 0.05},
            "status": "parsed",
        }
        r = await c.post("/api/tasks", json={"task": "make me a sandwich"}, headers=op)
        assert r.status_code == 422 and "deploy" in r.json()["error"]["details"]["supported"]
        r = await c.post("/api/tasks", json={"intent": "list_alerts", "params": {}}, headers=op)
        assert r.status_code == 200 and r.json()["status"] == "ok"
        r = await c.post("/api/tasks", json={"task": "x", "intent": "deploy"}, headers=op)
        assert r.status_code == 422
        viewer = {"authorization": f"Bearer {keys[Role.VIEWER]}"}
        assert (
            await c.post("/api/tasks", json={"task": "what's firing?"}, headers=viewer)
        ).status_code == 403
    entries = await (await runtime.store()).list_audit(action_prefix="tasks.")
    assert {e.action for e in entries} >= {"tasks.monitor", "tasks.list_alerts"}
