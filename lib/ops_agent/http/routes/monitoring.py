"""/api/health/services and /api/health/heartbeat: the health of declared services."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep, audit
from ops_agent.monitoring import MonitoringTool, ServiceCheck, UnknownService
from ops_agent.monitoring.config import NAME
from ops_agent.store import Role

router = APIRouter(tags=["monitoring"])

Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
ServiceName = Annotated[str, Path(pattern=NAME)]


async def _tool(runtime: RuntimeDep) -> MonitoringTool:
    return await runtime.monitoring()


ToolDep = Annotated[MonitoringTool, Depends(_tool)]


@router.get("/api/health/services", summary="Every declared service with its state and uptime")
async def services(_: Viewer, tool: ToolDep) -> dict[str, Any]:
    return {"services": await tool.overview()}


@router.post("/api/health/services", status_code=201, summary="Declare a service to check")
async def add_service(
    body: ServiceCheck, request: Request, principal: Operator, tool: ToolDep
) -> dict[str, Any]:
    audit(request, action="monitoring.service.add", target=body.name)
    await tool.add_service(body, actor=principal.name)
    return body.model_dump(mode="json")


@router.get("/api/health/services/{name}", summary="One service: state, uptime, last results")
async def service(name: ServiceName, _: Viewer, tool: ToolDep) -> dict[str, Any]:
    await tool.service(name)
    health = await tool.health(name)
    return {**health.as_dict(), "results": await tool.recent_results(name, 20)}


@router.post("/api/health/services/{name}/check", summary="Check a service now")
async def check_now(
    name: ServiceName, request: Request, _: Operator, tool: ToolDep
) -> dict[str, Any]:
    audit(request, action="monitoring.check", target=name)
    await tool.service(name)  # 404 for a service that is not declared
    health = await tool.check_service_health(name)
    return health.as_dict()


@router.post(
    "/api/health/services/{name}/{toggle}",
    summary="Pause a service (declared, not checked) or resume it",
)
async def pause_or_resume(
    name: ServiceName,
    toggle: Annotated[str, Path(pattern="^(pause|resume)$")],
    request: Request,
    principal: Operator,
    tool: ToolDep,
) -> dict[str, Any]:
    audit(request, action=f"monitoring.service.{toggle}", target=name)
    check = await tool.set_paused(name, toggle == "pause", actor=principal.name)
    return check.model_dump(mode="json")


@router.delete("/api/health/services/{name}", summary="Stop checking a service")
async def remove_service(
    name: ServiceName, request: Request, _: Operator, tool: ToolDep
) -> dict[str, Any]:
    audit(request, action="monitoring.service.remove", target=name)
    if not await tool.remove_service(name):
        raise UnknownService(name)
    return {"removed": name}


@router.post("/api/health/heartbeat/{name}", summary="A push-checked service reports it is alive")
async def heartbeat(
    name: ServiceName, request: Request, _: Operator, tool: ToolDep
) -> dict[str, Any]:
    audit(request, action="monitoring.heartbeat", target=name)
    return await tool.heartbeat(name)
