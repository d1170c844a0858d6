"""Decide: what the tick acts on, from what observe and orient saw. Pure.

The guards that need the store (the hourly cap, the cooldown, the deployment a rollback would
roll away from) are checked when the plan is recorded; this decides only who is considered,
and in what order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ops_agent.alerts.records import Alert
from ops_agent.alerts.situation import Situation
from ops_agent.monitoring.config import AnomalyPlaybook
from ops_agent.observations import Observation
from ops_agent.remediation_spec import RemediationSpec
from ops_agent.severity import rank


@dataclass(frozen=True)
class Candidate:
    """A firing alert whose rule names a playbook."""

    alert: Alert
    spec: RemediationSpec  # the rule's `remediation:`


@dataclass(frozen=True)
class Held:
    """A candidate held back: its alert is quiet (planned work may be the cause)."""

    alert: Alert
    playbook: str
    reason: str


def remediation_candidates(situation: Situation) -> tuple[list[Candidate], list[Held]]:
    """The firing alerts to plan for, most severe first and then oldest (under the hourly cap
    they get the slots), and those held back because they are silenced or in maintenance."""
    ordered = sorted(
        situation.firing(),
        key=lambda a: (-rank(a.severity), str(a.firing_since)),
    )
    candidates: list[Candidate] = []
    held: list[Held] = []
    for alert in ordered:
        rule = situation.rules.get(alert.rule)
        spec = rule.remediation if rule else None
        if spec is None:
            continue
        if why := situation.quiet.get(alert.id):
            held.append(Held(alert, spec.playbook, why))
            continue
        candidates.append(Candidate(alert, spec))
    return candidates, held


@dataclass(frozen=True)
class Decisions:
    """What the tick will do: plan for these alerts (and hold back those), diagnose these
    failed builds, and run the playbooks bound to these anomalies."""

    candidates: list[Candidate] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    builds: list[Observation] = field(default_factory=list)
    anomaly_plans: list[tuple[Observation, AnomalyPlaybook]] = field(default_factory=list)
    anomalies: list[Observation] = field(default_factory=list)  # all of them, handled or not

    def summary(self) -> dict[str, Any]:
        return {
            "remediate": [c.alert.id for c in self.candidates],
            "held": [h.alert.id for h in self.held],
            "builds": [b.subject for b in self.builds],
            "anomaly_plans": [f"{o.kind}:{b.playbook}" for o, b in self.anomaly_plans],
        }


def decide(
    situation: Situation | None,
    failed_builds: Sequence[Observation],
    anomalies: Sequence[Observation],
    bindings: Sequence[AnomalyPlaybook],
) -> Decisions:
    """The tick's decisions from what it observed and oriented: remediation candidates from
    the alerts (none when the evaluation was skipped), every failed build, and each anomaly
    paired with the playbooks bound to its kind, project and score."""
    candidates, held = remediation_candidates(situation) if situation else ([], [])
    plans = [(obs, b) for obs in anomalies for b in bound(bindings, obs)]
    return Decisions(candidates, held, list(failed_builds), plans, list(anomalies))


def bound(bindings: Sequence[AnomalyPlaybook], obs: Observation) -> list[AnomalyPlaybook]:
    """The playbooks bound to an anomaly observation: same kind and project, score at least
    the binding's minimum."""
    kind = obs.kind.removeprefix("anomaly.")
    project = obs.payload.get("project")
    score = float(obs.payload.get("score") or 0)
    return [b for b in bindings if b.kind == kind and b.project == project and score >= b.min_score]
