"""Decide: which firing alerts get a remediation plan, from what orient saw. Pure.

The guards that need the store (the hourly cap, the cooldown, the deployment a rollback would
roll away from) are checked when the plan is recorded; this decides only who is considered,
and in what order.
"""

from __future__ import annotations

from dataclasses import dataclass

from ops_agent.alerts.situation import Row, Situation
from ops_agent.remediation_spec import RemediationSpec
from ops_agent.severity import rank


@dataclass(frozen=True)
class Candidate:
    """A firing alert whose rule names a playbook."""

    alert: Row
    spec: RemediationSpec  # the rule's `remediation:`


@dataclass(frozen=True)
class Held:
    """A candidate held back: its alert is quiet (planned work may be the cause)."""

    alert: Row
    playbook: str
    reason: str


def remediation_candidates(situation: Situation) -> tuple[list[Candidate], list[Held]]:
    """The firing alerts to plan for, most severe first and then oldest (under the hourly cap
    they get the slots), and those held back because they are silenced or in maintenance."""
    ordered = sorted(
        situation.firing(),
        key=lambda a: (-rank(a.get("severity")), str(a["firing_since"])),
    )
    candidates: list[Candidate] = []
    held: list[Held] = []
    for alert in ordered:
        rule = situation.rules.get(alert["rule"])
        spec = rule.remediation if rule else None
        if spec is None:
            continue
        if why := situation.quiet.get(str(alert["id"])):
            held.append(Held(alert, spec.playbook, why))
            continue
        candidates.append(Candidate(alert, spec))
    return candidates, held
