"""/api/cron/tick: the tick's entry point for whichever scheduler the plan allows.

- Vercel Cron (GET, `Authorization: Bearer $CRON_SECRET`), where the plan has minute crons;
- Upstash QStash schedules (GET or POST, signed with `Upstash-Signature`);
- any outside scheduler sending `Authorization: Bearer $CRON_SECRET` (or an operator key).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ops_agent.agent.tick import run_tick
from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep, audit
from ops_agent.http.qstash import verify_qstash
from ops_agent.runtime import Runtime
from ops_agent.store import Role

router = APIRouter(tags=["cron"])

_bearer = require(Role.OPERATOR, allow_cron=True)


async def cron_caller(request: Request, runtime: RuntimeDep) -> Principal:
    """A QStash-signed call, or a bearer (CRON_SECRET or an operator key)."""
    if "upstash-signature" in request.headers:
        return await verify_qstash(request, runtime.settings)
    return await _bearer(request, runtime)


CronCaller = Annotated[Principal, Depends(cron_caller)]


_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "no CRON_SECRET bearer and no valid Upstash-Signature"}
}


@router.get(
    "/api/cron/tick",
    summary="Run one agent tick (skips if one is already running)",
    responses=_RESPONSES,
)
async def tick(request: Request, _: CronCaller, runtime: RuntimeDep) -> dict[str, Any]:
    return await _run(request, runtime)


@router.post(
    "/api/cron/tick",
    summary="Run one agent tick, as QStash may call it (skips if one is already running)",
    responses=_RESPONSES,
)
async def tick_post(request: Request, _: CronCaller, runtime: RuntimeDep) -> dict[str, Any]:
    return await _run(request, runtime)


async def _run(request: Request, runtime: Runtime) -> dict[str, Any]:
    audit(request, action="cron.tick")
    report = await run_tick(runtime)
    # Kept with the audit row, so the console can show the agent's own recent ticks.
    audit(
        request,
        tick=report.status,
        duration_ms=report.duration_ms,
        phases=[
            {"name": p["name"], "status": p["status"], "ms": p.get("duration_ms")}
            for p in report.phases
        ],
    )
    return report.as_dict()
