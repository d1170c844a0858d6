"""Observe: what happened since the last tick. Health checks that are due run; the facts the
tools published are read (failed builds, Sentry events, releases, services going down or
up); the recent logs are compared with their history and each new anomaly is published once
(`anomaly.<kind>`).

Nothing is consumed here: an observation is consumed by the phase that handled it, so a
failure anywhere leaves it for the next tick.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ops_agent.monitoring.config import AnomalyPlaybook
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
from ops_agent.sentry import EVIDENCE_KINDS as SENTRY_EVIDENCE_KINDS

ANOMALY_RANGE = "10m"
EVIDENCE_KINDS = (
    *SENTRY_EVIDENCE_KINDS,
    DEPLOYMENT_PRODUCTION_READY,
    SERVICE_DOWN,
    SERVICE_UP,
)


@dataclass
class Observed:
    """What observe found: the health checks' report (None when monitoring is off) and the
    pending facts, by what will handle them."""

    health: dict[str, Any] | None = None
    failed_builds: list[Observation] = field(default_factory=list)
    evidence: list[Observation] = field(default_factory=list)
    anomalies: list[Observation] = field(default_factory=list)
    anomalies_found: int = 0
    anomalies_new: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "health": self.health,
            "failed_builds": len(self.failed_builds),
            "evidence": len(self.evidence),
            "anomalies": {
                "found": self.anomalies_found,
                "new": self.anomalies_new,
                "pending": len(self.anomalies),
            },
            "notes": self.notes,
        }


async def observe(
    runtime: Runtime, bindings: list[AnomalyPlaybook], *, monitoring: bool = True
) -> Observed:
    """Run the due health checks and read what is pending. Without `monitoring`, health
    checks and log anomalies are left out. Without a Vercel token a failed build has no build
    log to read: it waits (for OBSERVATION_DAYS at most)."""
    observed = Observed()
    log = ObservationLog(await runtime.store())
    if monitoring:
        observed.health = await (await runtime.monitoring()).run_due()
    if runtime.settings.vercel_token is None:
        observed.notes.append("failed builds wait: VERCEL_TOKEN is not set")
    else:
        observed.failed_builds = await log.pending(kinds=[DEPLOYMENT_ERROR], limit=20)
    observed.evidence = await log.pending(kinds=EVIDENCE_KINDS, limit=100)
    if monitoring:
        found = await detect_anomalies(runtime, bindings)
        observed.anomalies_found = len(found)
        observed.anomalies_new = len(await log.publish(*found)) if found else 0
        observed.anomalies = await log.pending(kinds=ANOMALY_KINDS, limit=50)
    return observed


async def detect_anomalies(runtime: Runtime, bindings: list[AnomalyPlaybook]) -> list[Observation]:
    """The anomalies of the last ANOMALY_RANGE of logs, as observations: for all projects, and
    for each project an anomaly binding names."""
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
    return found
