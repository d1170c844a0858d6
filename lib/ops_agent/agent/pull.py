"""Seeing without drains and webhooks: what the tick reads from Vercel's API, which every plan
has (drains and account webhooks are Pro and up).

For each watched project (VERCEL_PROJECT and those the deployment history saw in production
lately):

- **deployments**: the newest ones and their states, merged into the history as webhooks
  would be (a failed build or a new production deployment becomes an observation once).
  Skipped while webhooks arrive, unless VERCEL_PLAN is hobby (no account webhooks there).
- **runtime logs** of the production deployment, normalised into the log store like drain
  entries (`via: pull`). Skipped for a project a log drain delivered for within DRAIN_QUIET;
  a drain's first delivery removes the pulled copies of the minutes it covers. Where a pull
  got to is kept per deployment in the store, and entries are keyed by Vercel's `rowId`, so
  nothing is read or counted twice.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from ops_agent.deployments.events import fact_from_deployment
from ops_agent.deployments.tool import DeploymentTool
from ops_agent.logs.entries import from_runtime_log
from ops_agent.runtime import Runtime
from ops_agent.store import Store
from ops_agent.timestamps import as_datetime
from ops_agent.vercel import Project, VercelError

DRAIN_QUIET = timedelta(minutes=10)
WEBHOOK_QUIET = timedelta(minutes=30)
MAX_STREAM_SECONDS = 10.0
WATCHED_DAYS = 7
DEPLOYMENTS_PER_POLL = 20


async def watched_projects(runtime: Runtime) -> list[str]:
    """VERCEL_PROJECT and the projects whose production deployments the history saw lately."""
    tool = await runtime.deployments()
    since = runtime.now() - timedelta(days=WATCHED_DAYS)
    recent = await tool.history.list(target="production", since=since, limit=200)
    projects = {r.project_id for r in recent if r.project_id}
    if runtime.settings.vercel_project:
        projects.add(runtime.settings.vercel_project)
    return sorted(projects)


async def observe_vercel(runtime: Runtime, budget: float) -> dict[str, Any]:
    """Poll deployments and pull runtime logs for each watched project, within `budget`
    seconds. Reports per project what was read and stored, or why it was skipped."""
    if runtime.settings.vercel_token is None:
        return {"skipped": "VERCEL_TOKEN is not set"}
    started = time.monotonic()
    store = await runtime.store()
    tool = await runtime.deployments()
    poll = runtime.settings.vercel_plan == "hobby" or not await store.rpc(
        "ops_vercel_webhooks_since", {"p_since": runtime.now() - WEBHOOK_QUIET}
    )
    out: dict[str, Any] = {}
    projects = await watched_projects(runtime)
    seen: set[str] = set()
    for n, project in enumerate(projects):
        left = budget - (time.monotonic() - started)
        if left <= 1:
            out[project] = "deferred: the tick's budget is spent"
            continue
        try:
            proj = await tool.client.get_project(project)
            if proj.id in seen:  # named by id and by name: one project
                continue
            seen.add(proj.id)
            report: dict[str, Any] = {}
            if poll:
                report["deployments"] = await _poll_deployments(runtime, tool, proj)
            report["runtime_logs"] = await _pull_logs(
                runtime, store, tool, proj, min(MAX_STREAM_SECONDS, left / (len(projects) - n))
            )
        except VercelError as exc:
            out[project] = f"failed: {exc}"
            continue
        out[proj.name] = report
    return out


async def _poll_deployments(runtime: Runtime, tool: DeploymentTool, proj: Project) -> int:
    """Merge the newest deployments' states into the history; how many changed state."""
    page = await tool.client.list_deployments(project_id=proj.id, limit=DEPLOYMENTS_PER_POLL)
    changed = 0
    for deployment in page.deployments:
        fact = fact_from_deployment(
            deployment, now=runtime.now(), source="poll", project_name=proj.name
        )
        result = await tool.history.record(fact)
        changed += bool(result.state_changed)
    return changed


async def _pull_logs(
    runtime: Runtime, store: Store, tool: DeploymentTool, proj: Project, seconds: float
) -> dict[str, Any] | str:
    since = runtime.now() - DRAIN_QUIET
    for name in (proj.id, proj.name):
        if await store.rpc("ops_log_drained_since", {"p_project": name, "p_since": since}):
            return "drained: a log drain covers it"
    serving = proj.production_deployment_id
    if serving is None:
        return "nothing serves production"
    cursor = await store.rpc("ops_log_pull_cursor", {"p_deployment": serving})
    last = _cursor_time(cursor)
    rows = await tool.client.runtime_logs(proj.id, serving, max_seconds=seconds)
    # Rows of the cursor's own millisecond are read again: their ids make them no-ops.
    fresh = [r for r in rows if last is None or r.timestamp >= last]
    entries = [
        from_runtime_log(
            r,
            project_id=proj.id,
            project_name=proj.name,
            deployment_id=serving,
            environment="production",
        )
        for r in fresh
    ]
    report = await (await runtime.logs()).ingest(entries)
    if fresh:
        await store.rpc(
            "ops_log_pull_cursor_set",
            {
                "p_deployment": serving,
                "p_project": proj.id,
                "p_last_ts": max(r.timestamp for r in fresh),
                "p_pulled": report.accepted,
            },
        )
    return {"deployment": serving, "read": len(rows), "stored": report.accepted}


def _cursor_time(cursor: Any) -> datetime | None:
    return as_datetime(cursor.get("last_ts")) if isinstance(cursor, dict) else None
