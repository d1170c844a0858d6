"""/api/health/services and /api/health/heartbeat: the health of declared services."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep, audit
from ops_agent.http.errors import ApiError
from ops_agent.monitoring import MonitoringTool, ServiceCheck, ServiceConflict, UnknownService
from ops_agent.monitoring.config import NAME
from ops_agent.store import Role

router = APIRouter(tags=["monitoring"])

Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
ServiceName = Annotated[str, Path(pattern=NAME)]


async def _tool(runtime: RuntimeDep) -> MonitoringTool:
    return await runtime.monitoring()


ToolDep = Annotated[MonitoringTool, Depends(_tool)]


def _unknown(name: str) -> ApiError:
    return ApiError(404, "not_found", f"no service {name!r} is declared", {"service": name})


@router.get("/api/health/services", summary="Every declared service with its state and uptime")
async def services(_: Viewer, tool: ToolDep) -> dict[str, Any]:
    return {"services": await tool.overview()}


@router.post("/api/health/services", status_code=201, summary="Declare a service to check")
async def add_service(
    body: ServiceCheck, request: Request, principal: Operator, tool: ToolDep
) -> dict[str, Any]:
    audit(request, action="monitoring.service.add", target=body.name)
    try:
        await tool.add_service(body, actor=principal.name)
    except ServiceConflict as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    return body.model_dump(mode="json")


@router.get("/api/health/services/{name}", summary="One service: state, uptime, last results")
async def service(name: ServiceName, _: Viewer, tool: ToolDep) -> dict[str, Any]:
    try:
        await tool.service(name)
    except UnknownService:
        raise _unknown(name) from None
    health = await tool.health(name)
    return {**health.as_dict(), "results": await tool.records.results(name, 20)}


@router.post("/api/health/services/{name}/check", summary="Check a service now")
async def check_now(
    name: ServiceName, request: Request, _: Operator, tool: ToolDep
) -> dict[str, Any]:
    audit(request, action="monitoring.check", target=name)
    try:
        health = await tool.check_service_health(name)
    except UnknownService:
        raise _unknown(name) from None
    return health.as_dict()


@router.delete("/api/health/services/{name}", summary="Stop checking a service")
async def remove_service(
    name: ServiceName, request: Request, _: Operator, tool: ToolDep
) -> dict[str, Any]:
    audit(request, action="monitoring.service.remove", target=name)
    try:
        removed = await tool.remove_service(name)
    except ServiceConflict as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    if not removed:
        raise _unknown(name)
    return {"removed": name}


@router.post("/api/health/heartbeat/{name}", summary="A push-checked service reports it is alive")
async def heartbeat(
    name: ServiceName, request: Request, _: Operator, tool: ToolDep
) -> dict[str, Any]:
    audit(request, action="monitoring.heartbeat", target=name)
    try:
        return await tool.heartbeat(name)
    except UnknownService:
        raise _unknown(name) from None
    except ValueError as exc:
        raise ApiError(409, "not_a_heartbeat", str(exc)) from None
