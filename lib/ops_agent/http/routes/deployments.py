"""/api/deployments: history (viewer) and deploy, rollback, promote, cancel (operator)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from ops_agent.cursor import decode_cursor, encode_cursor
from ops_agent.deployments import (
    ActionResult,
    DeploymentAction,
    DeploymentRecord,
    DeploymentStatus,
    DeploymentTool,
)
from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep, audit
from ops_agent.http.errors import ApiError
from ops_agent.store import Role

router = APIRouter(prefix="/api/deployments", tags=["deployments"])

Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]

_ID = r"^[A-Za-z0-9_.-]{1,200}$"
_ENV = r"^[a-z0-9][a-z0-9-]{0,63}$"

DeploymentId = Annotated[str, Path(pattern=_ID, description="dpl_... or the deployment's host")]


async def _tool(runtime: RuntimeDep) -> DeploymentTool:
    return await runtime.deployments()


ToolDep = Annotated[DeploymentTool, Depends(_tool)]


class DeploymentPage(BaseModel):
    deployments: list[DeploymentRecord]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class SuccessRateOut(BaseModel):
    window_hours: float
    total: int
    ready: int
    error: int
    canceled: int
    in_progress: int
    success_rate: float | None
    median_build_seconds: float | None


class DeployRequest(BaseModel):
    project: str = Field(min_length=1, max_length=200, pattern=_ID)
    environment: str = Field(default="production", pattern=_ENV)
    branch: str | None = Field(default=None, min_length=1, max_length=250)
    reason: str | None = Field(default=None, max_length=500)


class ActionRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=500)


class RollbackRequest(ActionRequest):
    to: str | None = Field(
        default=None,
        pattern=_ID,
        description="Deployment to return to; by default the previous READY one.",
    )


@router.get("", summary="Deployments from the agent's history, newest first")
async def list_deployments(
    _: Viewer,
    tool: ToolDep,
    project: Annotated[str | None, Query(max_length=200)] = None,
    environment: Annotated[str | None, Query(pattern=_ENV)] = None,
    state: Annotated[list[str] | None, Query(description="repeatable: READY, ERROR, ...")] = None,
    branch: Annotated[str | None, Query(max_length=250)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> DeploymentPage:
    states = [s.upper() for s in state] if state else None
    rows = await tool.list_deployments(
        project,
        environment,
        states=states,
        branch=branch,
        since=since,
        until=until,
        before=decode_cursor(cursor) if cursor else None,
        limit=limit,
    )
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if len(rows) == limit else None
    return DeploymentPage(deployments=rows, next_cursor=next_cursor)


@router.get("/stats", summary="Deployment success rate over a window")
async def stats(
    _: Viewer,
    tool: ToolDep,
    project: Annotated[str | None, Query(max_length=200)] = None,
    environment: Annotated[str | None, Query(pattern=_ENV)] = None,
    hours: Annotated[float, Query(gt=0, le=24 * 90)] = 24 * 7,
) -> SuccessRateOut:
    rate = await tool.success_rate(project, environment, timedelta(hours=hours))
    s = rate.stats
    return SuccessRateOut(
        window_hours=hours,
        total=s.total,
        ready=s.ready,
        error=s.error,
        canceled=s.canceled,
        in_progress=s.in_progress,
        success_rate=rate.rate,
        median_build_seconds=s.median_build_seconds,
    )


@router.get("/actions", summary="Deploys, rollbacks, promotions and cancels the agent made")
async def actions(
    _: Viewer,
    tool: ToolDep,
    project: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(pattern=r"^(deploy|rollback|promote|cancel)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[DeploymentAction]:
    return await tool.history.actions(project=project, action=action, limit=limit)


@router.get("/{deployment_id}", summary="One deployment with its state timeline")
async def get_deployment(
    deployment_id: DeploymentId,
    _: Viewer,
    tool: ToolDep,
    refresh: Annotated[bool, Query(description="ask Vercel first and update the history")] = False,
) -> DeploymentRecord:
    if refresh:
        await tool.get_deployment_status(deployment_id)
    record = await tool.history.get(deployment_id)
    if record is None:
        raise ApiError(
            404,
            "not_found",
            f"no deployment {deployment_id} in the history (try ?refresh=true)",
            {"id": deployment_id},
        )
    return record


@router.post("", status_code=201, summary="Start a deployment (build a branch, or redeploy)")
async def deploy(
    body: DeployRequest, request: Request, principal: Operator, tool: ToolDep
) -> DeploymentStatus:
    audit(
        request,
        action="deployments.deploy",
        target=body.project,
        environment=body.environment,
        branch=body.branch,
        reason=body.reason,
    )
    status = await tool.deploy(
        body.project, body.environment, body.branch, actor=principal.name, reason=body.reason
    )
    audit(request, deployment=status.id)
    return status


@router.post("/{deployment_id}/rollback", summary="Roll production back from this deployment")
async def rollback(
    deployment_id: DeploymentId,
    request: Request,
    principal: Operator,
    tool: ToolDep,
    body: RollbackRequest | None = None,
) -> ActionResult:
    body = body or RollbackRequest()
    audit(
        request, action="deployments.rollback", target=deployment_id, to=body.to, reason=body.reason
    )
    return await tool.rollback(deployment_id, to=body.to, reason=body.reason, actor=principal.name)


@router.post("/{deployment_id}/promote", summary="Serve a READY deployment on production")
async def promote(
    deployment_id: DeploymentId,
    request: Request,
    principal: Operator,
    tool: ToolDep,
    body: ActionRequest | None = None,
) -> ActionResult:
    reason = body.reason if body else None
    audit(request, action="deployments.promote", target=deployment_id, reason=reason)
    return await tool.promote(deployment_id, reason=reason, actor=principal.name)


@router.post("/{deployment_id}/cancel", summary="Cancel a queued or building deployment")
async def cancel(
    deployment_id: DeploymentId,
    request: Request,
    principal: Operator,
    tool: ToolDep,
    body: ActionRequest | None = None,
) -> DeploymentStatus:
    reason = body.reason if body else None
    audit(request, action="deployments.cancel", target=deployment_id, reason=reason)
    return await tool.cancel(deployment_id, reason=reason, actor=principal.name)
