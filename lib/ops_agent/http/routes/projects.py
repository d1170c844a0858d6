"""/api/projects/{project}/...: a project's environments and environment variables, through
Vercel's API. Values are write-only here: they are set, never answered or logged (a variable
answers its key, type, targets and when it changed)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from ops_agent.deployments import DeploymentTool
from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep, audit
from ops_agent.runtime import Runtime
from ops_agent.store import Role
from ops_agent.vercel import EnvVar

router = APIRouter(prefix="/api/projects", tags=["environments"])

Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
# Vercel's project names (lowercase letters, digits, `.`, `_`, `-`; up to 100) and ids (prj_...).
ProjectName = Annotated[
    str,
    Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", description="a project's name or id"),
]
Key = Annotated[str, Path(min_length=1, max_length=256, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class EnvironmentOut(BaseModel):
    slug: str
    kind: Literal["standard", "custom"]
    id: str | None = None
    description: str | None = None


class VariableOut(BaseModel):
    """A variable without its value."""

    id: str | None
    key: str
    type: str | None
    targets: list[str]
    custom_environment_ids: list[str]
    updated_at: datetime | None

    @classmethod
    def of(cls, v: EnvVar) -> VariableOut:
        return cls(
            id=v.id,
            key=v.key,
            type=v.type,
            targets=v.targets,
            custom_environment_ids=v.custom_environment_ids,
            updated_at=v.updated_at,
        )


class VariableIn(BaseModel):
    value: str = Field(max_length=65_536, description="Written to Vercel; never answered")
    environments: list[str] = Field(default=["production"], min_length=1, max_length=20)
    type: Literal["encrypted", "plain", "sensitive"] = "encrypted"
    reason: str | None = Field(default=None, max_length=500)


async def _tool(runtime: Runtime) -> DeploymentTool:
    tool: DeploymentTool = await runtime.deployments()
    return tool


@router.get("/{project}/environments", summary="The project's environments, custom ones too")
async def environments(
    project: ProjectName, _: Viewer, runtime: RuntimeDep
) -> list[EnvironmentOut]:
    envs = await (await _tool(runtime)).list_environments(project)
    return [
        EnvironmentOut(slug=e.slug, kind=e.kind, id=e.id, description=e.description) for e in envs
    ]


@router.get("/{project}/env", summary="The project's environment variables (without values)")
async def variables(
    project: ProjectName,
    _: Viewer,
    runtime: RuntimeDep,
    environment: Annotated[str | None, Query(max_length=100)] = None,
) -> list[VariableOut]:
    found = await (await _tool(runtime)).get_env_vars(project, environment)
    return [VariableOut.of(v) for v in found]


@router.put(
    "/{project}/env/{key}",
    summary="Create or overwrite a variable in the given environments (value never answered)",
)
async def set_variable(
    project: ProjectName,
    key: Key,
    body: VariableIn,
    request: Request,
    principal: Operator,
    runtime: RuntimeDep,
) -> VariableOut:
    audit(request, action="deployments.env.set", target=f"{project}:{key}")
    variable = await (await _tool(runtime)).set_env_var(
        project,
        key,
        body.value,
        body.environments,
        type=body.type,
        actor=principal.name,
        reason=body.reason,
    )
    return VariableOut.of(variable)


@router.delete("/{project}/env/{key}", summary="Remove a variable")
async def remove_variable(
    project: ProjectName,
    key: Key,
    request: Request,
    principal: Operator,
    runtime: RuntimeDep,
    environment: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    audit(request, action="deployments.env.remove", target=f"{project}:{key}")
    removed = await (await _tool(runtime)).remove_env_var(
        project, key, environment, actor=principal.name
    )
    return {"key": key, "removed": removed}
