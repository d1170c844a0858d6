"""/api/metrics: this host's system metrics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep
from ops_agent.store import Role

router = APIRouter(tags=["metrics"])

Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]


@router.get("/api/metrics/system", summary="CPU, memory, disk, load and network of this host")
async def system(_: Viewer, runtime: RuntimeDep) -> dict[str, Any]:
    from ops_agent.monitoring.system import system_metrics

    return system_metrics()
