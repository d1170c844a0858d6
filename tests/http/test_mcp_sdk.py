"""/api/mcp against the official MCP Python SDK as the client, over real HTTP on 127.0.0.1:
the stateless 2026-07-28 revision (discover, per-request envelope) and the handshake one."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client  # the SDK, not ops_agent.mcp
from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client

from ops_agent.http.app import create_app
from ops_agent.http.routes import mcp, tasks
from ops_agent.runtime import Runtime
from ops_agent.sandbox.servers import Served
from ops_agent.store import Role


def _client(url: str, key: str, mode: str) -> Client:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {key}"})
    return Client(streamable_http_client(url, http_client=http), mode=mode)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_the_official_sdk_lists_and_calls_tools(
    runtime: Runtime, keys: dict[Role, str], tmp_path: Any, mode: str
) -> None:
    rt = Runtime(
        runtime.settings.model_copy(update={"monitor_config": tmp_path / "none.yaml"}),
        store=await runtime.store(),
        kv=await runtime.kv(),
    )
    app = create_app("test", [tasks.router, mcp.router], runtime=rt, close_runtime=False)
    async with (
        Served(app) as server,
        _client(f"{server.url}/api/mcp", keys[Role.OPERATOR], mode) as client,
    ):
        tools = await client.list_tools()
        names = {t.name for t in tools.tools}
        assert {"deploy", "rollback", "monitor", "list_alerts", "notify"} <= names
        monitor = next(t for t in tools.tools if t.name == "monitor")
        assert monitor.input_schema["required"] == ["metric", "operator", "threshold"]
        result = await client.call_tool("list_alerts", {})
        assert result.is_error is False
        assert result.structured_content["status"] == "ok"
        wrong = await client.call_tool("monitor", {"metric": "error_rate"})
        assert wrong.is_error is True  # readable by the model, which can retry
    audit = await (await runtime.store()).list_audit(action_prefix="mcp.")
    methods = {e.action for e in audit}
    assert "mcp.tools/call" in methods and "mcp.tools/list" in methods
    assert ("mcp.server/discover" in methods) is (mode == "auto")
    assert ("mcp.initialize" in methods) is (mode == "legacy")
