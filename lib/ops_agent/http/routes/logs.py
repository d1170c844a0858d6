"""/api/logs: search, error patterns and anomalies over the drained logs (viewer)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep
from ops_agent.store import Role

router = APIRouter(prefix="/api/logs", tags=["logs"])

Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Range = Annotated[str, Query(pattern=r"^\d+[smhdw]$", description="15m, 1h, 24h, 7d")]


@router.get("/search", summary="Search log entries, newest first")
async def search(
    _: Viewer,
    runtime: RuntimeDep,
    q: Annotated[str, Query(max_length=2000, description="see docs/LOGS.md")] = "",
    range: Range = "1h",
    severity: Annotated[str | None, Query(description="minimum level")] = None,
    project: str | None = None,
    deployment: str | None = None,
    source: str | None = None,
    path: Annotated[str | None, Query(description="a path or a glob: /api/*")] = None,
    status: Annotated[str | None, Query(description="500, >=500 or 5xx")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: str | None = None,
) -> dict[str, Any]:
    tool = await runtime.logs()
    page = await tool.search_logs(
        q,
        range,
        severity=severity,
        project=project,
        deployment=deployment,
        source=source,
        path=path,
        status=status,
        limit=limit,
        cursor=cursor,
    )
    return {
        "hits": page.hits,
        "next_cursor": page.next_cursor,
        "from": page.start.isoformat(),
        "to": page.end.isoformat(),
    }


@router.get("/patterns", summary="Recurring errors ranked by count and growth, with causes")
async def patterns(
    _: Viewer,
    runtime: RuntimeDep,
    range: Range = "24h",
    project: str | None = None,
    min_level: Annotated[str, Query(pattern="^(debug|info|warning|error|fatal)$")] = "warning",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    tool = await runtime.logs()
    found = await tool.analyze_error_patterns(range, project, min_level=min_level, limit=limit)
    return {"patterns": [p.as_dict() for p in found]}


@router.get("/anomalies", summary="What changed in the logs against their own history")
async def anomalies(
    _: Viewer,
    runtime: RuntimeDep,
    range: Range = "1h",
    project: str | None = None,
) -> dict[str, Any]:
    tool = await runtime.logs()
    found = await tool.detect_anomalies(range, project)
    return {"anomalies": [a.as_dict() for a in found]}
