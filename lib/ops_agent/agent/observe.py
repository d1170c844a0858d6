"""Observe: the facts the tools published since the last tick, turned into decisions.

- `deployment.error`: a build failed. The remediation engine diagnoses it from Vercel's error
  and build log and plans one redeploy when the failure was transient.
- `sentry.*`: Sentry events linked to a deployment. When that project has an open incident, the
  event joins its timeline as evidence.

An observation is consumed only after it was handled, so a failure is retried next tick.
"""

from __future__ import annotations

import logging
from typing import Any

from ops_agent.observations import ObservationLog
from ops_agent.remediation import RemediationEngine
from ops_agent.runtime import Runtime

log = logging.getLogger(__name__)

SENTRY_KINDS = (
    "sentry.issue.created",
    "sentry.error.created",
    "sentry.event_alert.triggered",
    "sentry.metric_alert.critical",
    "sentry.metric_alert.warning",
)


async def failed_builds(runtime: Runtime, limit: int = 20) -> dict[str, Any]:
    """Diagnose failed builds and plan redeploys for transient failures."""
    observations = ObservationLog(await runtime.store())
    engine = RemediationEngine(runtime)
    handled, decisions, errors = [], [], 0
    for obs in await observations.pending(kinds=["deployment.error"], limit=limit):
        try:
            decisions.append(await engine.on_failed_build(obs))
            handled.append(obs.id or 0)
        except Exception as exc:  # Vercel down, say: leave it pending for the next tick
            log.warning("failed build %s not handled: %s", obs.subject, exc)
            errors += 1
    await observations.consume(handled)
    return {"handled": len(handled), "errors": errors, "decisions": decisions}


async def sentry_events(runtime: Runtime, limit: int = 100) -> dict[str, Any]:
    """Attach Sentry events to the open incident of the project they were linked to."""
    observations = ObservationLog(await runtime.store())
    pending = await observations.pending(kinds=SENTRY_KINDS, limit=limit)
    if not pending:
        return {"handled": 0, "attached": 0}
    alerts = await runtime.alerts()
    incidents = await alerts.records.incidents("open", limit=100)
    attached = 0
    for obs in pending:
        project = obs.payload.get("project_name") or obs.payload.get("project_id")
        for incident in incidents:
            if project and f"project={project}" in str(incident.get("group_key") or "").split("|"):
                await alerts.records.incident_event(
                    str(incident["id"]),
                    "evidence",
                    runtime.now(),
                    "sentry",
                    {
                        "source": "sentry",
                        "kind": obs.kind,
                        "title": obs.payload.get("title"),
                        "url": obs.payload.get("url"),
                        "deployment_id": obs.payload.get("deployment_id"),
                    },
                )
                attached += 1
    await observations.consume([o.id or 0 for o in pending])
    return {"handled": len(pending), "attached": attached}
