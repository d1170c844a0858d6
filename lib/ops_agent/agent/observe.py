"""Observe: the facts the tools published since the last tick, turned into decisions.

- `deployment.error`: a build failed. The remediation engine diagnoses it from Vercel's error
  and build log and plans one redeploy when the failure was transient.
- Evidence: Sentry events linked to a deployment, production releases, and services going down
  or up. When the project they belong to has an open incident, they join its timeline.
- Log anomalies: the last ANOMALY_RANGE of logs against their history. Each new anomaly is
  published once (`anomaly.<kind>`), and the playbook bound to its kind in `ops-agent.yaml`
  (`anomalies:`) is planned under the guards.

An observation is consumed only after it was handled, so a failure is retried next tick.
"""

from __future__ import annotations

import logging
from typing import Any

from ops_agent import sentry
from ops_agent.agent.act import RemediationEngine
from ops_agent.monitoring.config import AnomalyPlaybook, load_config
from ops_agent.observations import (
    ANOMALY_KINDS,
    DEPLOYMENT_ERROR,
    DEPLOYMENT_PRODUCTION_READY,
    SERVICE_DOWN,
    SERVICE_UP,
    Observation,
    ObservationLog,
    anomaly_kind,
)
from ops_agent.runtime import Runtime

log = logging.getLogger(__name__)

ANOMALY_RANGE = "10m"
EVIDENCE_KINDS = (
    *sentry.EVIDENCE_KINDS,
    DEPLOYMENT_PRODUCTION_READY,
    SERVICE_DOWN,
    SERVICE_UP,
)


async def failed_builds(runtime: Runtime, limit: int = 20) -> dict[str, Any]:
    """Diagnose failed builds and plan redeploys for transient failures. Without a Vercel
    token there is no build log to read: they wait (for OBSERVATION_DAYS at most)."""
    if runtime.settings.vercel_token is None:
        return {"skipped": "VERCEL_TOKEN is not set"}
    observations = ObservationLog(await runtime.store())
    engine = RemediationEngine(runtime)
    handled, decisions, errors = [], [], 0
    for obs in await observations.pending(kinds=[DEPLOYMENT_ERROR], limit=limit):
        try:
            decisions.append(await engine.on_failed_build(obs))
            handled.append(obs.id or 0)
        except Exception as exc:  # Vercel down, say: leave it pending for the next tick
            log.warning("failed build %s not handled: %s", obs.subject, exc)
            errors += 1
    await observations.consume(handled)
    return {"handled": len(handled), "errors": errors, "decisions": decisions}


async def evidence(runtime: Runtime, limit: int = 100) -> dict[str, Any]:
    """Attach what was observed to the open incident of the project it concerns."""
    observations = ObservationLog(await runtime.store())
    pending = await observations.pending(kinds=EVIDENCE_KINDS, limit=limit)
    if not pending:
        return {"handled": 0, "attached": 0}
    alerts = await runtime.alerts()
    incidents = await alerts.incidents("open", limit=100)
    services = (
        {s.name: s.project for s in await (await runtime.monitoring()).services()}
        if incidents and any(o.kind.startswith("service.") for o in pending)
        else {}
    )
    attached = 0
    for obs in pending:
        p = obs.payload
        project = p.get("project_name") or p.get("project_id") or services.get(obs.subject or "")
        for incident in incidents:
            if project and f"project={project}" in str(incident.get("group_key") or "").split("|"):
                await alerts.add_to_timeline(
                    str(incident["id"]),
                    "evidence",
                    obs.kind.split(".")[0],
                    {
                        "observed": obs.kind,
                        "subject": obs.subject,
                        "title": p.get("title") or p.get("commit_message") or p.get("error"),
                        "url": p.get("url"),
                        "deployment_id": p.get("deployment_id")
                        or (obs.subject if obs.kind.startswith("deployment.") else None),
                    },
                )
                attached += 1
    await observations.consume([o.id or 0 for o in pending])
    return {"handled": len(pending), "attached": attached}


async def log_anomalies(runtime: Runtime, limit: int = 50) -> dict[str, Any]:
    """Detect anomalies in the recent logs, publish the new ones, and plan the playbooks bound
    to their kinds."""
    bindings = load_config(runtime.settings.monitor_config).anomalies
    projects = {b.project for b in bindings} or {None}
    tool = await runtime.logs()
    found = []
    for project in sorted(projects, key=lambda p: p or ""):
        for anomaly in await tool.detect_anomalies(ANOMALY_RANGE, project):
            suspect = (anomaly.suspected_deployment or {}).get("id")
            found.append(
                Observation(
                    kind=anomaly_kind(anomaly.kind),
                    subject=anomaly.subject,
                    # One observation per anomaly and suspect: a spike that is still in the
                    # window on the next tick is the same fact.
                    dedup_key=f"anomaly:{project}:{anomaly.kind}:{anomaly.subject}:"
                    f"{suspect or anomaly.started_at.isoformat()}",
                    payload={**anomaly.as_dict(), "project": project},
                )
            )
    observations = ObservationLog(await runtime.store())
    new = await observations.publish(*found) if found else []
    engine = RemediationEngine(runtime)
    handled, decisions = [], []
    for obs in await observations.pending(kinds=ANOMALY_KINDS, limit=limit):
        kind = obs.kind.removeprefix("anomaly.")
        for binding in _bound(bindings, kind, obs):
            decisions.append(await engine.on_anomaly(obs, binding))
        handled.append(obs.id or 0)
    await observations.consume(handled)
    return {"found": len(found), "new": len(new), "decisions": decisions}


def _bound(bindings: list[AnomalyPlaybook], kind: str, obs: Observation) -> list[AnomalyPlaybook]:
    project = obs.payload.get("project")
    score = float(obs.payload.get("score") or 0)
    return [b for b in bindings if b.kind == kind and b.project == project and score >= b.min_score]
