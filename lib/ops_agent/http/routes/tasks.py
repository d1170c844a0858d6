"""POST /api/tasks: plain-language or structured tasks for the agent (operator role)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, model_validator

from ops_agent.agent.executor import OpsAgentOODA
from ops_agent.agent.tasks import INTENTS, TaskNotUnderstood, parse_task
from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep, audit
from ops_agent.http.errors import ApiError
from ops_agent.store import Role

router = APIRouter(tags=["tasks"])

Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]


class TaskIn(BaseModel):
    """Either `task` (plain words) or `intent` with `params`."""

    task: str | None = Field(default=None, min_length=1, max_length=2000)
    intent: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    priority: Literal["low", "normal", "high", "critical"] = "normal"
    dry_run: bool = Field(default=False, description="parse only; do nothing")

    @model_validator(mode="after")
    def _one_form(self) -> TaskIn:
        if (self.task is None) == (self.intent is None):
            raise ValueError("send either task (plain words) or intent with params")
        return self


@router.post("/api/tasks", summary="Give the agent a task, in plain words or structured")
async def tasks(
    body: TaskIn, request: Request, principal: Operator, runtime: RuntimeDep
) -> dict[str, Any]:
    task: str | dict[str, Any] = body.task or {"intent": body.intent, "params": body.params}
    try:
        intent = parse_task(task)
    except TaskNotUnderstood as exc:
        raise ApiError(422, "task_not_understood", exc.message, {"supported": INTENTS}) from None
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
        return {**intent.as_dict(), "status": "parsed"}
    agent = OpsAgentOODA(runtime=runtime, actor=principal.name)
    result = await agent.execute_task(task, body.priority)
    audit(request, status=result.get("status"))
    return result
