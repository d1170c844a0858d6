"""Observe: what happened since the last tick. Health checks that are due run; the facts the
tools published are read (failed builds, Sentry events, releases, services going down or
up); the recent logs are compared with their history and each new anomaly is published once
(`anomaly.<kind>`).

Nothing is consumed here: an observation is consumed by the phase that handled it, so a
failure anywhere leaves it for the next tick.
"""

from __future__ import annotations

import time
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
# The share of what is left of the tick that anomaly detection may take; projects it does not
# reach are first in line next tick (ANOMALY_CURSOR), so a large fleet is covered in turns and
# the phases after it still run.
ANOMALY_SHARE = 0.5
ANOMALY_CURSOR = "anomaly:next-project"
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
    projects_checked: int = 0
    projects_due: int = 0
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
                "projects_checked": self.projects_checked,
                "projects": self.projects_due,
            },
            "notes": self.notes,
        }


async def observe(
    runtime: Runtime,
    bindings: list[AnomalyPlaybook],
    *,
    monitoring: bool = True,
    budget: float | None = None,
) -> Observed:
    """Run the due health checks and read what is pending. Without `monitoring`, health
    checks and log anomalies are left out. Without a Vercel token a failed build has no build
    log to read: it waits (for OBSERVATION_DAYS at most). Anomaly detection takes at most
    ANOMALY_SHARE of `budget` seconds (counted from the call)."""
    started = time.monotonic()
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
        seconds = None
        if budget is not None:
            seconds = max(0.0, budget - (time.monotonic() - started)) * ANOMALY_SHARE
        sweep = await detect_anomalies(runtime, bindings, seconds=seconds)
        found = sweep.found
        observed.projects_checked, observed.projects_due = sweep.checked, sweep.due
        observed.anomalies_found = len(found)
        observed.anomalies_new = len(await log.publish(*found)) if found else 0
        observed.anomalies = await log.pending(kinds=ANOMALY_KINDS, limit=50)
    return observed


@dataclass
class Sweep:
    """One pass of anomaly detection: what it found, and how many of the projects due it
    reached in its time."""

    found: list[Observation]
    checked: int
    due: int


def rotation(projects: list[str | None], after: str | None) -> list[str | None]:
    """`projects` in order, starting after the one named `after` (from the start when it is
    None or gone), wrapping round: the order one sweep visits them in."""
    ordered = sorted(projects, key=lambda p: p or "")
    keys = [p or "" for p in ordered]
    if after is None or after not in keys:
        return ordered
    i = keys.index(after) + 1
    return ordered[i:] + ordered[:i]


async def detect_anomalies(
    runtime: Runtime, bindings: list[AnomalyPlaybook], *, seconds: float | None = None
) -> Sweep:
    """The anomalies of the last ANOMALY_RANGE of logs, as observations: for all projects, and
    for each project an anomaly binding names. With `seconds`, it stops starting projects
    once they are spent (at least one is always checked) and the next sweep begins where
    this one stopped."""
    projects = list({b.project for b in bindings} or {None})
    kv = await runtime.kv() if seconds is not None else None
    after = await kv.get(ANOMALY_CURSOR) if kv is not None else None
    tool = await runtime.logs()
    found: list[Observation] = []
    started = time.monotonic()
    checked = 0
    for project in rotation(projects, after):
        if checked and seconds is not None and time.monotonic() - started >= seconds:
            break
        checked += 1
        if kv is not None:
            await kv.set(ANOMALY_CURSOR, project or "", ttl=86400)
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
    return Sweep(found, checked, len(projects))
