"""/api/tasks: plain-language or structured tasks for the agent.

POST runs the task now (operator role), or with `queue: true` puts it on the priority queue the
tick drains (202; an `Idempotency-Key` header makes a retried request find its first task).
GET /api/tasks and /api/tasks/{id} show the queue (viewer role).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator

from ops_agent.agent.executor import readiness
from ops_agent.agent.language import describe, parse_task
from ops_agent.agent.ooda import OpsAgentOODA
from ops_agent.agent.queue import TaskQueue
from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep, audit
from ops_agent.http.errors import ApiError
from ops_agent.severity import Priority
from ops_agent.store import Role

router = APIRouter(tags=["tasks"])

Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]


class TaskIn(BaseModel):
    """Either `task` (plain words) or `intent` with `params`."""

    task: str | None = Field(default=None, min_length=1, max_length=2000)
    intent: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    priority: Priority = "normal"
    dry_run: bool = Field(default=False, description="parse only; do nothing")
    queue: bool = Field(
        default=False, description="queue it for the next tick (highest priority first)"
    )

    @model_validator(mode="after")
    def _one_form(self) -> TaskIn:
        if (self.task is None) == (self.intent is None):
            raise ValueError("send either task (plain words) or intent with params")
        return self


@router.post("/api/tasks", summary="Give the agent a task, in plain words or structured")
async def tasks(
    body: TaskIn,
    request: Request,
    principal: Operator,
    runtime: RuntimeDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Any:
    task: str | dict[str, Any] = body.task or {"intent": body.intent, "params": body.params}
    intent = parse_task(task)
    audit(
        request,
        action=f"tasks.{intent.intent}",
        target=intent.params.get("project"),
        task=body.task,
        params=intent.params,
        priority=body.priority,
        dry_run=body.dry_run,
    )
    if body.dry_run:
        blocked = readiness(intent, runtime.settings)
        return {
            **intent.as_dict(),
            "status": "parsed",
            "would": describe(intent),
            "runnable": blocked is None,
            "blocked_by": blocked,
        }
    if body.queue:
        row = await TaskQueue(await runtime.store()).enqueue(
            task, body.priority, principal.name, idempotency_key
        )
        audit(request, task_id=row["id"], duplicate=row["duplicate"])
        return JSONResponse(row, status_code=202)
    agent = OpsAgentOODA(runtime=runtime, actor=principal.name)
    result = await agent.execute_task(task, body.priority)
    audit(request, status=result.get("status"))
    return result


@router.get("/api/tasks", summary="Queued, running and finished tasks, newest first")
async def list_tasks(
    _: Viewer,
    runtime: RuntimeDep,
    status: Annotated[Literal["queued", "running", "done", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    return await TaskQueue(await runtime.store()).list(status, limit)


@router.get("/api/tasks/{task_id}", summary="One queued task and, once it ran, its result")
async def get_task(task_id: uuid.UUID, _: Viewer, runtime: RuntimeDep) -> dict[str, Any]:
    row = await TaskQueue(await runtime.store()).get(str(task_id))
    if row is None:
        raise ApiError(404, "not_found", f"no task {task_id}")
    return row
