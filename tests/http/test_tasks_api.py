"""POST /api/tasks over HTTP: dry runs, refusals with the supported list, roles, audit."""

from __future__ import annotations

import uuid

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
            "params": {"metric": "error_rate", "operator": ">", "threshold": 5, "unit": "%"},
            "status": "parsed",
            "would": "create an alert rule: error_rate > 5%",
            "runnable": True,
            "blocked_by": None,
        }
        # Whether it could run here now, and what stops it.
        r = await c.post("/api/tasks", json={"task": "roll back", "dry_run": True}, headers=op)
        assert r.json()["runnable"] is False
        assert r.json()["blocked_by"] == "name the project, or set VERCEL_PROJECT"
        r = await c.post("/api/tasks", json={"task": "make me a sandwich"}, headers=op)
        assert r.status_code == 422 and "deploy" in r.json()["error"]["details"]["supported"]
        r = await c.post("/api/tasks", json={"task": "monitor the error rate"}, headers=op)
        details = r.json()["error"]["details"]
        assert r.status_code == 422 and details["understood"]["intent"] == "monitor"
        assert details["missing"] == ["operator", "threshold"] and details["would"]
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


async def _tasks_runtime(runtime: Runtime, tmp_path) -> Runtime:
    return Runtime(
        runtime.settings.model_copy(update={"monitor_config": tmp_path / "none.yaml"}),
        store=await runtime.store(),
        kv=await runtime.kv(),
    )


async def test_queued_tasks_run_on_the_tick_highest_priority_first(
    runtime: Runtime, keys, tmp_path
) -> None:
    rt = await _tasks_runtime(runtime, tmp_path)
    app = tasks_app(runtime=rt)
    op = {"authorization": f"Bearer {keys[Role.OPERATOR]}"}
    viewer = {"authorization": f"Bearer {keys[Role.VIEWER]}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        queued = {}
        for text, priority in (
            ("List the active alerts", "low"),
            ("Show CPU and memory usage", "critical"),
            ("Are there any anomalies in the last hour?", "normal"),
        ):
            r = await c.post(
                "/api/tasks",
                json={"task": text, "priority": priority, "queue": True},
                headers={**op, "idempotency-key": f"k-{priority}"},
            )
            assert r.status_code == 202, r.text
            assert r.json()["status"] == "queued" and r.json()["duplicate"] is False
            queued[priority] = r.json()["id"]
        # A retried request finds its first task.
        again = await c.post(
            "/api/tasks",
            json={"task": "List the active alerts", "priority": "low", "queue": True},
            headers={**op, "idempotency-key": "k-low"},
        )
        assert again.status_code == 202
        assert again.json()["id"] == queued["low"] and again.json()["duplicate"] is True
        bad = await c.post("/api/tasks", json={"task": "sing", "queue": True}, headers=op)
        assert bad.status_code == 422  # refused before it is queued
        listed = (await c.get("/api/tasks?status=queued", headers=viewer)).json()
        assert len(listed) == 3

        from ops_agent.agent.tick import Loop

        report = await Loop(rt).tasks(budget=30)
        assert [t["id"] for t in report["ran"]] == [
            queued["critical"],
            queued["normal"],
            queued["low"],
        ]
        done = (await c.get(f"/api/tasks/{queued['critical']}", headers=viewer)).json()
        assert done["status"] == "done" and done["priority"] == "critical"
        assert done["result"]["intent"] == "system_metrics" and "metrics" in done["result"]
        assert (await c.get(f"/api/tasks/{uuid.uuid4()}", headers=viewer)).status_code == 404
        assert (await c.get("/api/tasks/not-a-uuid", headers=viewer)).status_code == 422
        assert (await Loop(rt).tasks(budget=30))["ran"] == []


async def test_mcp_offers_the_tools_over_streamable_http(runtime: Runtime, keys, tmp_path) -> None:
    app = tasks_app(runtime=await _tasks_runtime(runtime, tmp_path))
    op = {
        "authorization": f"Bearer {keys[Role.OPERATOR]}",
        "accept": "application/json, text/event-stream",
    }

    async def rpc(c: httpx.AsyncClient, method: str, params=None, id_=1, headers=op):
        body = {"jsonrpc": "2.0", "id": id_, "method": method}
        if params is not None:
            body["params"] = params
        return await c.post("/api/mcp", json=body, headers=headers)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await rpc(
            c,
            "initialize",
            {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t"}},
        )
        assert r.status_code == 200
        init = r.json()["result"]
        assert init["protocolVersion"] == "2025-06-18" and "tools" in init["capabilities"]
        notified = await c.post(
            "/api/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=op
        )
        assert notified.status_code == 202
        tools = (await rpc(c, "tools/list", id_=2)).json()["result"]["tools"]
        by_name = {t["name"]: t for t in tools}
        assert set(by_name) >= {"deploy", "rollback", "monitor", "analyze_logs", "notify"}
        assert by_name["monitor"]["inputSchema"]["required"] == ["metric", "operator", "threshold"]
        assert by_name["list_alerts"]["annotations"]["readOnlyHint"] is True
        call = await rpc(c, "tools/call", {"name": "list_alerts", "arguments": {}}, id_=3)
        result = call.json()["result"]
        assert result["isError"] is False and result["structuredContent"]["status"] == "ok"
        wrong = await rpc(c, "tools/call", {"name": "monitor", "arguments": {}}, id_=4)
        assert wrong.json()["result"]["isError"] is True  # the model can read and retry
        unknown = await rpc(c, "tools/call", {"name": "rm_rf", "arguments": {}}, id_=5)
        assert unknown.json()["error"]["code"] == -32602
        assert (await rpc(c, "resources/list", id_=6)).json()["error"]["code"] == -32601
        garbage = await c.post("/api/mcp", content=b"{", headers=op)
        assert garbage.status_code == 400 and garbage.json()["error"]["code"] == -32700
        batch = await c.post("/api/mcp", json=[{"jsonrpc": "2.0"}], headers=op)
        assert batch.status_code == 400
        assert (await c.get("/api/mcp", headers=op)).status_code == 405
        old = {**op, "mcp-protocol-version": "2024-01-01"}
        assert (await rpc(c, "tools/list", headers=old)).status_code == 400
        current = {**op, "mcp-protocol-version": "2025-06-18"}
        assert (await rpc(c, "ping", headers=current)).json()["result"] == {}
        viewer = {"authorization": f"Bearer {keys[Role.VIEWER]}"}
        assert (await rpc(c, "tools/list", headers=viewer)).status_code == 403
        assert (await rpc(c, "tools/list", headers={})).status_code == 401
        evil = {**op, "origin": "https://evil.example"}
        assert (await rpc(c, "tools/list", headers=evil)).status_code == 403
    audit = await (await runtime.store()).list_audit(action_prefix="mcp.")
    assert {e.action for e in audit} >= {"mcp.initialize", "mcp.tools/list", "mcp.tools/call"}
