"""/api/alerts: rules, active alerts, acknowledge and resolve, silences, maintenance windows,
incidents, history; and /api/kpis. Viewer reads, operator acts; every action is audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from ops_agent.agent.act.records import RemediationRecords
from ops_agent.alerts import (
    AlertManagementTool,
    AlertRule,
    MaintenanceWindow,
    Matcher,
    UnknownAlert,
)
from ops_agent.alerts.rules import NAME
from ops_agent.errors import Conflict
from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep, audit
from ops_agent.logs.timerange import parse_range
from ops_agent.store import Role

router = APIRouter(tags=["alerts"])

Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
RuleName = Annotated[str, Path(pattern=NAME)]
Id = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        description="a UUID",
    ),
]


async def _tool(runtime: RuntimeDep) -> AlertManagementTool:
    return await runtime.alerts()


ToolDep = Annotated[AlertManagementTool, Depends(_tool)]


class Note(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


class Resolution(Note):
    false_positive: bool = False


class SilenceIn(BaseModel):
    matchers: list[Matcher] = Field(min_length=1, max_length=20)
    starts_at: datetime | None = None
    ends_at: datetime
    comment: str = Field(min_length=1, max_length=1000)


# --- rules ---


@router.get("/api/alerts/rules", summary="Alert rules (API and config file)")
async def rules(_: Viewer, tool: ToolDep) -> dict[str, Any]:
    return {"rules": await tool.list_rules()}


@router.post("/api/alerts/rules", status_code=201, summary="Create or replace a rule")
async def save_rule(
    body: dict[str, Any], request: Request, principal: Operator, tool: ToolDep
) -> dict[str, Any]:
    name = str(body.get("name", ""))
    audit(request, action="alerts.rule.save", target=name)
    rule = tool.parse_rule(body)
    await tool.save_rule(rule, actor=principal.name)
    return rule.spec()


@router.put("/api/alerts/rules/{name}", summary="Change a rule")
async def update_rule(
    name: RuleName, body: dict[str, Any], request: Request, principal: Operator, tool: ToolDep
) -> dict[str, Any]:
    audit(request, action="alerts.rule.save", target=name)
    rule: AlertRule = await tool.update_alert_rule(name, actor=principal.name, **body)
    return rule.spec()


@router.post("/api/alerts/rules/{name}/{toggle}", summary="Enable or disable a rule")
async def toggle_rule(
    name: RuleName,
    toggle: Annotated[str, Path(pattern="^(enable|disable)$")],
    request: Request,
    principal: Operator,
    tool: ToolDep,
) -> dict[str, Any]:
    audit(request, action=f"alerts.rule.{toggle}", target=name)
    await tool.set_rule_enabled(name, toggle == "enable", actor=principal.name)
    return {"name": name, "enabled": toggle == "enable"}


@router.delete("/api/alerts/rules/{name}", summary="Delete a rule")
async def delete_rule(
    name: RuleName, request: Request, principal: Operator, tool: ToolDep
) -> dict[str, Any]:
    audit(request, action="alerts.rule.delete", target=name)
    if not await tool.delete_alert_rule(name, actor=principal.name):
        raise UnknownAlert(f"rule {name!r}")
    return {"deleted": name}


# --- alerts ---


@router.get("/api/alerts", summary="Active alerts (firing and acknowledged)")
async def active(
    _: Viewer,
    tool: ToolDep,
    severity: Annotated[str | None, Query(pattern="^(critical|high|medium|low)$")] = None,
    label: Annotated[list[str] | None, Query(description="repeatable key=value")] = None,
) -> dict[str, Any]:
    labels = dict(item.split("=", 1) for item in (label or []) if "=" in item)
    return {"alerts": [a.public() for a in await tool.get_active_alerts(severity, labels or None)]}


@router.get("/api/alerts/history", summary="Alerts that fired, newest first")
async def history(
    _: Viewer,
    tool: ToolDep,
    severity: str | None = None,
    rule: str | None = None,
    state: Annotated[list[str] | None, Query()] = None,
    since: datetime | None = None,
    before: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    rows = await tool.get_alert_history(
        severity=severity, rule=rule, states=state, since=since, before=before, limit=limit
    )
    return {"alerts": [a.public() for a in rows]}


@router.post("/api/alerts/evaluate", summary="Evaluate every rule now")
async def evaluate(request: Request, _: Operator, tool: ToolDep) -> dict[str, Any]:
    audit(request, action="alerts.evaluate")
    return (await tool.evaluate()).as_dict()


@router.get("/api/alerts/incidents", summary="Incidents, newest first")
async def incidents(
    _: Viewer,
    tool: ToolDep,
    state: Annotated[str | None, Query(pattern="^(open|resolved)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    return {"incidents": [i.public() for i in await tool.incidents(state, limit)]}


@router.get("/api/alerts/incidents/{incident_id}", summary="One incident with its alerts")
async def incident(incident_id: Id, _: Viewer, tool: ToolDep) -> dict[str, Any]:
    return (await tool.get_incident(incident_id)).public()


# --- silences and maintenance ---


@router.get("/api/alerts/silences", summary="Silences (active ones with ?active=true)")
async def silences(_: Viewer, tool: ToolDep, active: bool = False) -> dict[str, Any]:
    at = datetime.now(UTC) if active else None
    return {"silences": await tool.list_silences(at)}


@router.post("/api/alerts/silences", status_code=201, summary="Silence matching alerts")
async def create_silence(
    body: SilenceIn, request: Request, principal: Operator, tool: ToolDep
) -> dict[str, Any]:
    audit(request, action="alerts.silence.create", comment=body.comment)
    return await tool.create_silence(
        body.matchers,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        comment=body.comment,
        by=principal.name,
    )


@router.delete("/api/alerts/silences/{silence_id}", summary="Expire a silence now")
async def expire_silence(
    silence_id: Id, request: Request, principal: Operator, tool: ToolDep
) -> dict[str, Any]:
    audit(request, action="alerts.silence.expire", target=silence_id)
    return await tool.expire_silence(silence_id, by=principal.name)


@router.get("/api/alerts/maintenance", summary="Maintenance windows")
async def windows(_: Viewer, tool: ToolDep) -> dict[str, Any]:
    return {"windows": await tool.list_maintenance_windows()}


@router.post("/api/alerts/maintenance", status_code=201, summary="Add a maintenance window")
async def create_window(
    body: MaintenanceWindow, request: Request, principal: Operator, tool: ToolDep
) -> dict[str, Any]:
    audit(request, action="alerts.maintenance.create", target=body.name)
    return await tool.create_maintenance_window(body, by=principal.name)


@router.delete("/api/alerts/maintenance/{window_id}", summary="Remove a maintenance window")
async def delete_window(
    window_id: Id, request: Request, principal: Operator, tool: ToolDep
) -> dict[str, Any]:
    audit(request, action="alerts.maintenance.delete", target=window_id)
    await tool.delete_maintenance_window(window_id, by=principal.name)
    return {"deleted": window_id}


# --- remediation ---


@router.get("/api/alerts/remediation", summary="Automatic actions: planned, waiting, done")
async def remediation(
    _: Viewer,
    runtime: RuntimeDep,
    status: Annotated[str | None, Query(max_length=30)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    records = RemediationRecords(await runtime.store())
    return {"actions": [a.public() for a in await records.list(status, limit)]}


@router.post(
    "/api/alerts/remediation/{action_id}/{decision}",
    summary="Approve or reject an action waiting for a person",
)
async def decide_remediation(
    action_id: Id,
    decision: Annotated[str, Path(pattern="^(approve|reject)$")],
    request: Request,
    principal: Operator,
    runtime: RuntimeDep,
) -> dict[str, Any]:
    from ops_agent.agent.act import RemediationEngine
    from ops_agent.agent.act.tools import Tools

    audit(request, action=f"remediation.{decision}", target=action_id)
    engine = RemediationEngine(await Tools.of(runtime))
    if decision == "approve":
        row = await engine.approve(action_id, principal.name)
    else:
        row = await engine.reject(action_id, principal.name)
    if row is None:
        raise Conflict(f"action {action_id} is not waiting for a decision")
    if decision == "approve":
        row = await engine.execute(row) or row
    return row.public()


# --- one alert ---


@router.get("/api/alerts/{alert_id}", summary="One alert with every event")
async def get_alert(alert_id: Id, _: Viewer, tool: ToolDep) -> dict[str, Any]:
    return (await tool.get_alert(alert_id)).public()


@router.post("/api/alerts/{alert_id}/ack", summary="Acknowledge: stops reminders and escalation")
async def acknowledge(
    alert_id: Id, request: Request, principal: Operator, tool: ToolDep, body: Note | None = None
) -> dict[str, Any]:
    audit(request, action="alerts.acknowledge", target=alert_id)
    alert = await tool.acknowledge_alert(alert_id, principal.name, body.note if body else None)
    return alert.public()


@router.post("/api/alerts/{alert_id}/resolve", summary="Resolve (optionally as a false positive)")
async def resolve(
    alert_id: Id,
    request: Request,
    principal: Operator,
    tool: ToolDep,
    body: Resolution | None = None,
) -> dict[str, Any]:
    body = body or Resolution()
    audit(request, action="alerts.resolve", target=alert_id, false_positive=body.false_positive)
    alert = await tool.resolve_alert(
        alert_id, principal.name, body.note, false_positive=body.false_positive
    )
    return alert.public()


# --- KPIs ---


@router.get("/api/kpis", summary="MTTD, MTTA, MTTR, auto-fix and false-positive rates, and more")
async def kpis(
    _: Viewer,
    tool: ToolDep,
    window: Annotated[str, Query(pattern=r"^\d+[hdw]$")] = "30d",
) -> dict[str, Any]:
    span = parse_range(window)
    return await tool.kpis(span if span > timedelta(0) else timedelta(days=30))
