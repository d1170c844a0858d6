"""GET /api/cron/tick: Vercel Cron's entry point (Authorization: Bearer $CRON_SECRET)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ops_agent.agent.tick import run_tick
from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep, audit
from ops_agent.store import Role

router = APIRouter(tags=["cron"])

CronCaller = Annotated[Principal, Depends(require(Role.OPERATOR, allow_cron=True))]


@router.get("/api/cron/tick", summary="Run one agent tick (skips if one is already running)")
async def tick(request: Request, _: CronCaller, runtime: RuntimeDep) -> dict[str, Any]:
    audit(request, action="cron.tick")
    report = await run_tick(runtime)
    audit(request, tick=report.status)
    return report.as_dict()
