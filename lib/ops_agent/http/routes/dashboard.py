"""The live dashboard: a page (no data in it, so no key needed to load it) whose script asks
for a viewer key once and then polls /api/dashboard/data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse, Response

from ops_agent.agent.act.records import RemediationRecords
from ops_agent.deployments.records import DeploymentHistory, DeploymentRecord
from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep, StoreDep
from ops_agent.http.errors import ApiError
from ops_agent.logs.timerange import parse_range
from ops_agent.monitoring.metrics import Metrics
from ops_agent.observations import ANOMALY_KINDS, DEPLOYMENT_ERROR, SERVICE_DOWN, ObservationLog
from ops_agent.runtime import Runtime
from ops_agent.store import Role, Store

router = APIRouter(tags=["dashboard"])

Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]

STATIC = {
    "uplot.iife.min.js": "text/javascript",
    "uplot.min.css": "text/css",
    "dashboard.js": "text/javascript",
}
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
SEVERITY = {SERVICE_DOWN: "critical", DEPLOYMENT_ERROR: "error"}


def _static(name: str) -> bytes:
    return resources.files("ops_agent.http").joinpath("static", name).read_bytes()


@router.get("/", include_in_schema=False)
@router.get("/dashboard", include_in_schema=False)
@router.get("/api/dashboard", summary="The live dashboard page", response_class=HTMLResponse)
async def page() -> HTMLResponse:
    return HTMLResponse(
        _static("dashboard.html"), headers={**SECURITY_HEADERS, "cache-control": "no-cache"}
    )


@router.get("/api/dashboard/static/{name}", include_in_schema=False)
async def static(name: str) -> Response:
    if name not in STATIC:
        raise ApiError(404, "not_found", f"no static file {name!r}")
    return Response(
        _static(name),
        media_type=STATIC[name],
        headers={"cache-control": "public, max-age=3600", "x-content-type-options": "nosniff"},
    )


# The agent's own figures, each against the target it is held to (alerts/kpis.py).
KPI_STRIP = (
    "mttd_minutes",
    "mttr_minutes",
    "auto_fix_rate",
    "false_positive_rate",
    "deployment_success_rate",
)


# Which chart a rule's metric is drawn on, and how its threshold reads there.
CHART_OF = {"error_rate": ("errors", 100.0), "requests": ("requests", 1.0)}
LATENCY_CALLS = {"p50", "p90", "p95", "p99", "avg", "max"}


def thresholds(rule: str, condition: str) -> list[dict[str, Any]]:
    """The line a rule's condition draws on a console chart: `error_rate[5m] > 5%` is 5 on
    the error-rate chart (in %), `p95(latency_ms) > 800` is 800 on the latency chart,
    `rate(requests) < 0.5` is 0.5 on the request-rate chart. Conditions of another shape
    (two metrics, arithmetic, `anomaly(...)`) draw nothing. Pure."""
    from ops_agent.monitoring.query import Binary, Call, Number, QueryError, Selector, parse

    try:
        expr = parse(condition)
    except QueryError:
        return []
    if not (
        isinstance(expr, Binary)
        and expr.op in (">", ">=", "<", "<=")
        and isinstance(expr.right, Number)
    ):
        return []
    left = expr.left
    chart: tuple[str, float] | None = None
    if isinstance(left, Selector):
        chart = CHART_OF.get(left.name)
    elif isinstance(left, Call) and left.selector.name == "latency_ms":
        chart = ("latency", 1.0) if left.function in LATENCY_CALLS else None
    elif isinstance(left, Call) and left.function == "rate":
        chart = CHART_OF.get(left.selector.name)
    if chart is None:
        return []
    return [{"chart": chart[0], "value": round(expr.right.value * chart[1], 6), "rule": rule}]


def recorded_rollback(playbook: str, executed_at: datetime | None, ran: list[datetime]) -> bool:
    """Whether a remediation is a rollback the deployment history already shows: the
    deployment tool records every rollback it attempts, within moments of running it."""
    return (
        playbook == "rollback"
        and executed_at is not None
        and any(abs((at - executed_at).total_seconds()) <= 300 for at in ran)
    )


def production_moves(deployments: Sequence[DeploymentRecord]) -> dict[str, str]:
    """What an operator can do to each READY deployment: `rollback` the one serving its
    project's production (the last promoted, or else the newest production build), and
    `promote` any other. Vercel has the last word: the API refuses what no longer holds."""
    ready = [d for d in deployments if d.state == "READY"]
    serving: dict[str, DeploymentRecord] = {}
    for d in ready:
        if d.target != "production":
            continue
        project = d.project_id or d.project_name or ""
        best = serving.get(project)
        if best is None or _served_since(d) > _served_since(best):
            serving[project] = d
    live = {d.id for d in serving.values()}
    return {d.id: "rollback" if d.id in live else "promote" for d in ready}


def _served_since(d: DeploymentRecord) -> tuple[datetime, datetime]:
    # A promotion (or a rollback to it) outranks any build's finishing time.
    never = datetime.min.replace(tzinfo=UTC)
    return (d.promoted_at or never, d.ready_at or d.created_at)


# A project or environment name as a label value: no quote or brace can reach the query.
LABEL = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"

# The ranges the page offers, and the step of their charts (rollups are per minute).
RANGES = {"15m": 60, "1h": 60, "6h": 300, "24h": 900, "7d": 3600}


def _marker(
    at: datetime | None, kind: str, label: str, start: datetime, incident: str | None = None
) -> dict[str, Any] | None:
    if at is None or at < start:
        return None
    return {"at": at.isoformat(), "kind": kind, "label": label[:300], "incident_id": incident}


async def _markers(runtime: Runtime, store: Store, start: datetime) -> list[dict[str, Any]]:
    """What happened on the charts' time axis: deployments going live (who, which commit),
    the agent's and operators' rollbacks and promotions, remediation it ran, and alert
    onsets."""
    history = DeploymentHistory(store)
    found = [
        _marker(
            d.ready_at or d.created_at,
            "deploy",
            f"{d.project_name or d.project_id or ''} {d.target or ''} live: {d.id}"
            + (f" {d.commit_sha[:7]}" if d.commit_sha else "")
            + (f" {d.commit_message.splitlines()[0]}" if d.commit_message else "")
            + (f" by {d.creator}" if d.creator else ""),
            start,
        )
        for d in await history.list(limit=50)
        if d.state == "READY"
    ]
    found += [
        _marker(
            a.at, a.action, f"{a.action} to {a.to_deployment} by {a.actor} ({a.outcome})", start
        )
        for a in await history.actions(limit=20)
    ]
    found += [
        _marker(
            a.executed_at, "remediation", f"agent: {a.playbook} of {a.target} ({a.status})", start
        )
        for a in await RemediationRecords(store).list(None, 20)
        if a.executed_at
    ]
    tool = await runtime.alerts()
    found += [
        _marker(
            a.onset_at or a.firing_since, "alert", f"{a.rule} ({a.severity})", start, a.incident_id
        )
        for a in await tool.get_alert_history(since=start, limit=50)
    ]
    return sorted((m for m in found if m), key=lambda m: m["at"])


@router.get("/api/dashboard/data", summary="Everything the dashboard shows, in one answer")
async def data(
    principal: Viewer,
    runtime: RuntimeDep,
    store: StoreDep,
    range: Annotated[str, Query(pattern="^(15m|1h|6h|24h|7d)$")] = "1h",
    project: Annotated[str | None, Query(pattern=LABEL, description="a project's name")] = None,
    environment: Annotated[str | None, Query(pattern=LABEL)] = None,
) -> dict[str, Any]:
    """The charts, services, what needs attention (alerts with their ids, state and labels,
    so an operator can act on them), remediation waiting for a person, the KPI strip, and
    the caller's role (the page shows actions only to a role the API would allow)."""
    metrics = Metrics(store)
    labels = ", ".join(
        f'{name}="{value}"'
        for name, value in (("project", project), ("environment", environment))
        if value
    )
    where = "{" + labels + "}" if labels else ""
    queries = {
        "requests": f"rate(requests{where}[5m])",
        "errors": f"error_rate{where}[5m]",
        "p50": f"p50(latency_ms{where})[5m]",
        "p95": f"p95(latency_ms{where})[5m]",
        "p99": f"p99(latency_ms{where})[5m]",
    }
    charts = {}
    for name, expr in queries.items():
        result = await metrics.query(expr, range, RANGES[range])
        charts[name] = [[t.isoformat(), v] for t, v in result.points]
    start = datetime.now(UTC) - parse_range(range)
    monitoring = await runtime.monitoring()
    services = await monitoring.overview()
    bars = {
        "24h": await monitoring.uptime_bars(timedelta(hours=24), 48),
        "7d": await monitoring.uptime_bars(timedelta(days=7), 28),
    }
    for service in services:
        service["bars"] = {w: b.get(service["service"], []) for w, b in bars.items()}
    alerts: list[dict[str, Any]] = [
        {
            "kind": "service",
            "severity": "critical",
            "title": f"{s['service']} is down: {s['last_error'] or ''}",
            "since": s["since"],
        }
        for s in services
        if s["status"] == "down"
    ]
    tool = await runtime.alerts()
    for alert in await tool.get_active_alerts():
        since = alert.firing_since or alert.pending_since
        alerts.append(
            {
                "kind": "alert",
                "id": alert.id,
                "state": alert.state,
                "labels": alert.labels,
                "incident_id": alert.incident_id,
                "severity": alert.severity,
                "title": f"{alert.rule}: {alert.summary or ''}"
                + (" (acknowledged)" if alert.state == "acknowledged" else ""),
                "since": since.isoformat() if since else None,
            }
        )
    for o in await ObservationLog(store).pending(limit=20):
        if o.kind in SEVERITY and o.kind != SERVICE_DOWN:
            alerts.append(
                {
                    "kind": "observation",
                    "severity": SEVERITY[o.kind],
                    "title": f"{o.kind}: {o.subject}",
                    "since": o.observed_at.isoformat() if o.observed_at else None,
                }
            )
    history = DeploymentHistory(store)
    for pin in await history.pinned():
        alerts.append(
            {
                "kind": "pin",
                "severity": "warning",
                "title": f"production of {pin.project_id} is pinned to {pin.to_deployment} by a "
                "rollback: new production builds stay staged until one is promoted",
                "since": pin.at.isoformat() if pin.at else None,
            }
        )
    recent = await history.list(limit=10)
    moves = production_moves(recent)
    rows = [
        {
            "at": (d.ready_at or d.created_at).isoformat(),
            "what": f"deploy {d.project_name or ''} ({d.target})",
            "id": d.id,
            "state": d.state,
            "move": moves.get(d.id),
        }
        for d in recent
    ]
    moved = [a for a in await history.actions(limit=20) if a.action in ("rollback", "promote")]
    rows += [
        {
            "at": a.at.isoformat() if a.at else None,
            "what": f"{a.action} by {a.actor}",
            "id": a.to_deployment,
            "state": a.outcome,
        }
        for a in moved[:5]
    ]
    # What the agent decided on its own, including what is waiting for an operator; a
    # rollback it ran is already the deployment action above (one row per rollback).
    ran = [a.at for a in moved if a.at and a.action == "rollback"]
    rows += [
        {
            "at": (a.executed_at or a.requested_at).isoformat(),
            "what": f"agent: {a.playbook} of {a.target}",
            "id": a.id,
            "state": a.status,
        }
        for a in await RemediationRecords(store).list(None, 5)
        if a.status != "skipped" and not recorded_rollback(a.playbook, a.executed_at, ran)
    ]
    rows.sort(key=lambda r: r["at"] or "", reverse=True)
    waiting = [
        {"id": a.id, "playbook": a.playbook, "target": a.target, "reason": a.reason}
        for a in await RemediationRecords(store).list("pending_approval", 20)
    ]
    lines = [
        line
        for rule in await tool.list_rules()
        if rule.get("enabled", True)
        for line in thresholds(str(rule["name"]), str(rule["condition"]))
    ]
    figures = await tool.kpis(timedelta(days=30))
    ticks = [
        {
            "at": e.at.isoformat() if e.at else None,
            "status": e.details.get("tick", e.outcome),
            "duration_ms": e.details.get("duration_ms"),
            "phases": e.details.get("phases", []),
        }
        for e in await store.list_audit(action_prefix="cron.tick", limit=10)
    ]
    known = sorted({d.project_name for d in await history.list(limit=200) if d.project_name})
    return {
        "range": range,
        "project": project,
        "environment": environment,
        "projects": known,
        "markers": await _markers(runtime, store, start),
        "role": principal.role.value,
        "kpis": {name: figures[name] for name in KPI_STRIP},
        "charts": charts,
        "services": services,
        "alerts": alerts,
        "waiting": waiting,
        "deployments": rows[:12],
        "ticks": ticks,
        "thresholds": lines,
    }


Uuid = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        description="a UUID",
    ),
]


@router.get(
    "/api/dashboard/incidents/{incident_id}", summary="One incident as the console shows it"
)
async def incident_view(
    incident_id: Uuid, _: Viewer, runtime: RuntimeDep, store: StoreDep
) -> dict[str, Any]:
    """The incident with its timeline and alerts; the deployment that went live within 30
    minutes before its onset (commit, author, and Vercel's page for it, which links the
    diff); the error patterns first seen, and the log anomalies the tick found, from shortly
    before the onset; and the notifications its alerts sent."""
    from ops_agent.logs.anomalies import DeploymentMark, suspect_deployment
    from ops_agent.logs.tool import SUSPECT_WINDOW
    from ops_agent.notify.records import NotificationLog

    row = await store.rpc("ops_incident_get", {"p_id": incident_id})
    if not row:
        raise ApiError(404, "not_found", f"no incident {incident_id}")
    alerts = row.pop("alerts", [])
    tool = await runtime.alerts()
    incident = (await tool.get_incident(incident_id)).public()
    now = datetime.now(UTC)
    onset = _when(row.get("onset_at")) or _when(row.get("detected_at")) or now
    history = DeploymentHistory(store)
    live = [
        d for d in await history.list(since=onset - SUSPECT_WINDOW, limit=200) if d.state == "READY"
    ]
    marks = [DeploymentMark(d.id, d.ready_at or d.created_at, d.url) for d in live]
    suspect = suspect_deployment(onset, marks, SUSPECT_WINDOW)
    deployment = None
    if suspect:
        d = next(d for d in live if d.id == suspect["id"])
        deployment = {
            "id": d.id,
            "project": d.project_name or d.project_id,
            "live_at": (d.ready_at or d.created_at).isoformat(),
            "commit_sha": d.commit_sha,
            "commit_message": d.commit_message,
            "creator": d.creator,
            "branch": d.branch,
            "url": d.url,
            "inspector_url": d.inspector_url,
        }
    since = onset - timedelta(minutes=10)
    window = min(max(now - since, timedelta(minutes=15)), timedelta(days=7))
    patterns = [
        p.as_dict()
        for p in await (await runtime.logs()).analyze_error_patterns(window, limit=20)
        if p.first_seen >= since
    ][:10]
    anomalies = [
        {"kind": o.kind.removeprefix("anomaly."), "subject": o.subject, **_anomaly(o.payload)}
        for o in await ObservationLog(store).since(ANOMALY_KINDS, since)
    ]
    notifications = NotificationLog(store)
    sent = [
        n.model_dump(mode="json")
        for a in alerts[:20]
        for n in await notifications.list(alert_id=str(a["id"]), limit=20)
    ]
    sent.sort(key=lambda n: n["created_at"])
    return {
        "incident": incident,
        "alerts": alerts,
        "deployment": deployment,
        "patterns": patterns,
        "anomalies": anomalies,
        "notifications": sent,
    }


def _anomaly(payload: dict[str, Any]) -> dict[str, Any]:
    """What the console shows of an anomaly observation's payload (logs/tool.Anomaly)."""
    return {
        "project": payload.get("project"),
        "summary": payload.get("summary"),
        "started_at": payload.get("started_at"),
        "score": payload.get("score"),
    }


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None
