"""POST /api/mcp: the agent's tools over the Model Context Protocol (streamable HTTP transport,
stateless), so LLM agents can call them.

It speaks the stateless 2026-07-28 revision (`server/discover`, per-request `_meta`) and the
handshake revisions before it (`initialize`); `ops_agent.mcp` decides which, and what is wrong
with a request. Each POST carries one JSON-RPC message and gets one JSON answer (no session, no
server-sent events; GET is 405). Every task intent is a tool whose input schema lists its params.
Calls need an operator key, like /api/tasks, and are audited the same way.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from ops_agent import __version__
from ops_agent.agent.language import (
    INTENTS,
    OPERATORS,
    RELEVANT,
    REQUIRED,
    UNITS,
    TaskNotUnderstood,
    parse_task,
)
from ops_agent.agent.monitor_rules import METRIC_QUERIES
from ops_agent.agent.ooda import OpsAgentOODA
from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep, audit
from ops_agent.http.errors import ApiError
from ops_agent.mcp import (
    INVALID_PARAMS,
    METHOD_NOT_FOUND,
    MODERN,
    PARSE_ERROR,
    SERVER_INFO_META,
    Envelope,
    Problem,
    classify,
    negotiate,
)
from ops_agent.runtime import Runtime
from ops_agent.severity import PRIORITIES, SEVERITIES
from ops_agent.store import Role

router = APIRouter(tags=["mcp"])

Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]

_SCHEMAS: dict[str, dict[str, Any]] = {
    "project": {"type": "string", "description": "Vercel project name or id"},
    "environment": {"type": "string", "description": "production, preview or a custom one"},
    "branch": {"type": "string"},
    "deployment_id": {"type": "string", "pattern": "^dpl_"},
    "metric": {"type": "string", "enum": sorted(METRIC_QUERIES)},
    "operator": {"type": "string", "enum": list(OPERATORS)},
    "threshold": {
        "type": "number",
        "description": "as written, in `unit`; without one, in the metric's own unit "
        "(a fraction for error_rate: 0.05 is 5%)",
    },
    "unit": {"type": "string", "enum": list(UNITS)},
    "time_range_seconds": {"type": "integer", "minimum": 1},
    "severity": {"type": "string", "enum": list(SEVERITIES)},
    "channels": {"type": "array", "items": {"type": "string"}},
    "query": {"type": "string", "description": "words, or the log search language"},
    "service": {"type": "string"},
    "alert_id": {"type": "string"},
    "message": {"type": "string"},
    "key": {"type": "string", "description": "an environment variable's key, e.g. DATABASE_URL"},
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
                    "priority": {"type": "string", "enum": list(PRIORITIES)},
                },
                "required": list(REQUIRED.get(intent, ())),
                "additionalProperties": False,
            },
            "annotations": {"readOnlyHint": intent in _READ_ONLY},
        }
        for intent in INTENTS
    ]


SERVER_INFO = {"name": "ops-agent", "title": "Ops Agent", "version": __version__}
INSTRUCTIONS = (
    "Operate Vercel apps: deployments, logs, metrics, alerts. Each tool is one intent of the "
    "agent's task language."
)
CAPABILITIES = {"tools": {"listChanged": False}}


def _answer(envelope: Envelope, result: dict[str, Any] | Problem) -> JSONResponse:
    if isinstance(result, Problem):
        return JSONResponse(result.body(envelope.id), result.status(envelope.modern))
    if envelope.modern:  # 2026-07-28 results say they are complete and who answered
        result = {**result, "resultType": "complete", "_meta": {SERVER_INFO_META: SERVER_INFO}}
    return JSONResponse({"jsonrpc": "2.0", "id": envelope.id, "result": result})


def _check_origin(request: Request) -> None:
    """Browsers send Origin; a page on another site must not drive the agent (the transport
    requires servers to validate it against DNS rebinding)."""
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host"):
        raise ApiError(403, "forbidden_origin", f"requests from {origin} are not accepted")


@router.get("/api/mcp", include_in_schema=False)
async def mcp_stream() -> Response:
    return Response(status_code=405, headers={"Allow": "POST"})


JSONRPC_ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["jsonrpc", "id", "error"],
    "properties": {
        "jsonrpc": {"const": "2.0"},
        "id": {"type": ["string", "integer", "null"]},
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "integer"}, "message": {"type": "string"}, "data": {}},
        },
    },
}
_JSONRPC_ERROR = {"content": {"application/json": {"schema": JSONRPC_ERROR}}}


@router.post(
    "/api/mcp",
    summary="Model Context Protocol (streamable HTTP, stateless)",
    responses={
        202: {"description": "a notification: nothing to answer"},
        400: {"description": "a JSON-RPC error: unreadable or invalid message", **_JSONRPC_ERROR},
        404: {"description": "a JSON-RPC error: no such method", **_JSONRPC_ERROR},
    },
)
async def mcp(request: Request, principal: Operator, runtime: RuntimeDep) -> Response:
    """One JSON-RPC message in, one JSON answer out."""
    _check_origin(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        message = json.loads(await request.body())
    except ValueError as exc:
        problem = Problem(PARSE_ERROR, f"parse error: {exc}")
        return JSONResponse(problem.body(None), problem.status(modern=True))
    verdict = classify(message, headers)
    if isinstance(verdict, Problem):
        id_ = message.get("id") if isinstance(message, dict) else None
        return JSONResponse(verdict.body(id_), verdict.status(modern=True))
    if verdict.notification:  # nothing to answer (and nothing a stateless server keeps)
        return Response(status_code=202)
    audit(
        request,
        action=f"mcp.{verdict.method}",
        protocol="modern" if verdict.modern else "handshake",
    )
    if verdict.modern:
        result = await _modern(verdict, request, principal, runtime)
    else:
        result = await _handshake(verdict, request, principal, runtime)
    return _answer(verdict, result)


async def _modern(
    e: Envelope, request: Request, principal: Principal, runtime: Runtime
) -> dict[str, Any] | Problem:
    if e.method == "server/discover":
        return {
            "supportedVersions": list(MODERN),
            "capabilities": CAPABILITIES,
            "instructions": INSTRUCTIONS,
            "ttlMs": 0,
            "cacheScope": "private",
        }
    if e.method == "tools/list":
        # The list changes only with a new version of the agent: cacheable for a while.
        return {"tools": tools(), "ttlMs": 300_000, "cacheScope": "private"}
    if e.method == "tools/call":
        return await _call(request, principal, runtime, e.params)
    return Problem(METHOD_NOT_FOUND, f"method not found: {e.method}")


async def _handshake(
    e: Envelope, request: Request, principal: Principal, runtime: Runtime
) -> dict[str, Any] | Problem:
    if e.method == "initialize":
        return {
            "protocolVersion": negotiate(e.params.get("protocolVersion")),
            "capabilities": CAPABILITIES,
            "serverInfo": SERVER_INFO,
            "instructions": INSTRUCTIONS,
        }
    if e.method == "ping":
        return {}
    if e.method == "tools/list":
        return {"tools": tools()}
    if e.method == "tools/call":
        return await _call(request, principal, runtime, e.params)
    return Problem(METHOD_NOT_FOUND, f"method not found: {e.method}")


async def _call(
    request: Request, principal: Principal, runtime: Runtime, params: dict[str, Any]
) -> dict[str, Any] | Problem:
    name = params.get("name")
    arguments = dict(params.get("arguments") or {})
    priority = arguments.pop("priority", "normal")
    if name not in INTENTS:
        return Problem(INVALID_PARAMS, f"unknown tool {name!r}; tools: {', '.join(INTENTS)}")
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
    audit(request, status=result.get("status"))
    return {
        "content": [{"type": "text", "text": json.dumps(result, default=str)}],
        "structuredContent": result,
        "isError": result.get("status") == "failed",
    }
