"""POST /api/mcp: the agent's tools over the Model Context Protocol (streamable HTTP transport,
stateless), so LLM agents can call them.

Each POST carries one JSON-RPC message and gets one JSON answer (no session, no server-sent
events; GET is 405 as the transport allows for servers that do not stream). Every task intent is
a tool whose input schema lists its params. Calls need an operator key, like /api/tasks, and are
audited the same way.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from ops_agent import __version__
from ops_agent.agent.executor import METRIC_QUERIES, OpsAgentOODA
from ops_agent.agent.tasks import INTENTS, RELEVANT, REQUIRED, TaskNotUnderstood, parse_task
from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep, audit
from ops_agent.http.errors import ApiError
from ops_agent.runtime import Runtime
from ops_agent.store import Role

router = APIRouter(tags=["mcp"])

Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]

VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26")
"""Protocol revisions this server speaks, newest first."""

_SCHEMAS: dict[str, dict[str, Any]] = {
    "project": {"type": "string", "description": "Vercel project name or id"},
    "environment": {"type": "string", "description": "production, preview or a custom one"},
    "branch": {"type": "string"},
    "deployment_id": {"type": "string", "pattern": "^dpl_"},
    "metric": {"type": "string", "enum": sorted(METRIC_QUERIES)},
    "operator": {"type": "string", "enum": [">", ">=", "<", "<="]},
    "threshold": {"type": "number", "description": "a ratio for error_rate (0.05 is 5%)"},
    "time_range_seconds": {"type": "integer", "minimum": 1},
    "severity": {"type": "string", "enum": ["low", "medium", "high", "critical"]},
    "channels": {"type": "array", "items": {"type": "string"}},
    "query": {"type": "string", "description": "words, or the log search language"},
    "service": {"type": "string"},
    "alert_id": {"type": "string"},
    "message": {"type": "string"},
}
_READ_ONLY = {
    "deployment_status",
    "list_deployments",
    "analyze_logs",
    "search_logs",
    "detect_anomalies",
    "health_check",
    "system_metrics",
    "list_alerts",
}


def tools() -> list[dict[str, Any]]:
    """One tool per task intent."""
    return [
        {
            "name": intent,
            "title": intent.replace("_", " ").capitalize(),
            "description": f"{INTENTS[intent]}.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    **{p: _SCHEMAS[p] for p in RELEVANT[intent]},
                    "priority": {"type": "string", "enum": ["low", "normal", "high", "critical"]},
                },
                "required": list(REQUIRED.get(intent, ())),
                "additionalProperties": False,
            },
            "annotations": {"readOnlyHint": intent in _READ_ONLY},
        }
        for intent in INTENTS
    ]


def _result(id_: Any, result: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"jsonrpc": "2.0", "id": id_, "result": result})


def _error(id_: Any, code: int, message: str, status: int = 200) -> JSONResponse:
    return JSONResponse(
        {"jsonrpc": "2.0", "id": id_, "error": {"code": code, "message": message}},
        status_code=status,
    )


def _check_origin(request: Request) -> None:
    """Browsers send Origin; a page on another site must not drive the agent (the transport
    requires servers to validate it against DNS rebinding)."""
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host"):
        raise ApiError(403, "forbidden_origin", f"requests from {origin} are not accepted")


@router.get("/api/mcp", include_in_schema=False)
async def mcp_stream() -> Response:
    return Response(status_code=405, headers={"Allow": "POST"})


@router.post("/api/mcp", summary="Model Context Protocol (streamable HTTP, stateless)")
async def mcp(
    request: Request, principal: Operator, runtime: RuntimeDep
) -> Response:  # one JSON-RPC message in, one out
    _check_origin(request)
    version = request.headers.get("mcp-protocol-version")
    if version is not None and version not in VERSIONS:
        return _error(None, -32600, f"unsupported MCP-Protocol-Version {version!r}", 400)
    try:
        message = json.loads(await request.body())
    except ValueError as exc:
        return _error(None, -32700, f"parse error: {exc}", 400)
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        return _error(
            None, -32600, "send one JSON-RPC 2.0 message (batches are not supported)", 400
        )
    method, id_ = message.get("method"), message.get("id")
    raw = message.get("params")
    params: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if "id" not in message:  # a notification (or a response): accepted, nothing to answer
        return Response(status_code=202)
    audit(request, action=f"mcp.{method}")
    if method == "initialize":
        asked = params.get("protocolVersion")
        return _result(
            id_,
            {
                "protocolVersion": asked if asked in VERSIONS else VERSIONS[0],
                "capabilities": {"tools": {"listChanged": False}},
                "serverInfo": {"name": "ops-agent", "title": "Ops Agent", "version": __version__},
                "instructions": "Operate Vercel apps: deployments, logs, metrics, alerts. "
                "Each tool is one intent of the agent's task language.",
            },
        )
    if method == "ping":
        return _result(id_, {})
    if method == "tools/list":
        return _result(id_, {"tools": tools()})
    if method == "tools/call":
        return await _call(request, principal, runtime, id_, params)
    return _error(id_, -32601, f"method not found: {method}")


async def _call(
    request: Request, principal: Principal, runtime: Runtime, id_: Any, params: dict[str, Any]
) -> Response:
    name = params.get("name")
    arguments = dict(params.get("arguments") or {})
    priority = arguments.pop("priority", "normal")
    if name not in INTENTS:
        return _error(id_, -32602, f"unknown tool {name!r}; tools: {', '.join(INTENTS)}")
    task = {"intent": name, "params": arguments}
    try:
        intent = parse_task(task)
        audit(request, target=intent.params.get("project"), tool=name, params=intent.params)
        result = await OpsAgentOODA(runtime=runtime, actor=principal.name).execute_task(
            task, priority
        )
    except TaskNotUnderstood as exc:
        # A tool that was called wrongly is a tool error the model can read and correct.
        result = {"intent": name, "status": "failed", "error": exc.message}
    failed = result.get("status") == "failed"
    audit(request, status=result.get("status"))
    return _result(
        id_,
        {
            "content": [{"type": "text", "text": json.dumps(result, default=str)}],
            "structuredContent": result,
            "isError": failed,
        },
    )
