"""Seeing without drains: the tick pulls the runtime logs of each watched project's production
deployment through Vercel's API (every plan has it; drains are Pro and up).

A project a log drain delivered for within DRAIN_QUIET is not pulled: the drain covers it, and
its first delivery removes the pulled copies of the minutes it covers (`ops_drain_ingest`).
Where a pull got to is kept in the store per deployment, so each pull reads what came after
it; entries are keyed by Vercel's `rowId`, so overlapping pulls store a row once.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from ops_agent.logs.entries import from_runtime_log
from ops_agent.runtime import Runtime
from ops_agent.timestamps import as_datetime
from ops_agent.vercel import VercelError

DRAIN_QUIET = timedelta(minutes=10)
MAX_STREAM_SECONDS = 10.0
WATCHED_DAYS = 7


async def watched_projects(runtime: Runtime) -> list[str]:
    """VERCEL_PROJECT and the projects whose production deployments the history saw lately."""
    tool = await runtime.deployments()
    since = runtime.now() - timedelta(days=WATCHED_DAYS)
    recent = await tool.history.list(target="production", since=since, limit=200)
    projects = {r.project_id for r in recent if r.project_id}
    if runtime.settings.vercel_project:
        projects.add(runtime.settings.vercel_project)
    return sorted(projects)


async def pull_runtime_logs(runtime: Runtime, budget: float) -> dict[str, Any]:
    """Pull what is new in each undrained project's production runtime logs, within `budget`
    seconds. Reports, per project, how many rows were read and stored, or why it was skipped."""
    if runtime.settings.vercel_token is None:
        return {"skipped": "VERCEL_TOKEN is not set"}
    started = time.monotonic()
    store = await runtime.store()
    deployments, logs = await runtime.deployments(), await runtime.logs()
    out: dict[str, Any] = {}
    projects = await watched_projects(runtime)
    for n, project in enumerate(projects):
        left = budget - (time.monotonic() - started)
        if left <= 1:
            out[project] = "deferred: the tick's budget is spent"
            continue
        since = runtime.now() - DRAIN_QUIET
        if await store.rpc("ops_log_drained_since", {"p_project": project, "p_since": since}):
            out[project] = "drained: a log drain covers it"
            continue
        try:
            proj = await deployments.client.get_project(project)
            serving = proj.production_deployment_id
            if serving is None:
                out[project] = "nothing serves production"
                continue
            cursor = await store.rpc("ops_log_pull_cursor", {"p_deployment": serving})
            last = _cursor_time(cursor)
            rows = await deployments.client.runtime_logs(
                proj.id,
                serving,
                max_seconds=min(MAX_STREAM_SECONDS, left / (len(projects) - n)),
            )
        except VercelError as exc:
            out[project] = f"failed: {exc}"
            continue
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
        report = await logs.ingest(entries)
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
        out[project] = {"deployment": serving, "read": len(rows), "stored": report.accepted}
    return out


def _cursor_time(cursor: Any) -> datetime | None:
    return as_datetime(cursor.get("last_ts")) if isinstance(cursor, dict) else None
