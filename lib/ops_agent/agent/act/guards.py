"""The guards around every automatic action: pure decisions over the policy and what ran
recently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ops_agent.remediation_spec import PLAYBOOKS

Verdict = Literal["approved", "pending_approval", "dry_run", "skipped"]


@dataclass(frozen=True)
class Policy:
    mode: Literal["auto", "dry_run", "off"] = "auto"
    approval: frozenset[str] = frozenset()  # playbooks, or playbook:environment, needing a person
    max_per_hour: int = 3
    cooldown_seconds: int = 900


@dataclass(frozen=True)
class Recent:
    total_last_hour: int
    on_target_in_cooldown: int


def guard(
    policy: Policy,
    playbook: str,
    environment: str,
    recent: Recent,
    *,
    rule_requires_approval: bool = False,
) -> tuple[Verdict, str]:
    """Whether an action may run now, must wait for a person, only pretends, or must not run;
    and why."""
    if playbook not in PLAYBOOKS:
        return "skipped", f"unknown playbook {playbook!r}"
    if policy.mode == "off":
        return "skipped", "remediation is off (REMEDIATION_MODE=off)"
    if recent.total_last_hour >= policy.max_per_hour:
        return "skipped", f"hourly cap reached ({policy.max_per_hour} actions in the last hour)"
    if recent.on_target_in_cooldown:
        return (
            "skipped",
            f"cooldown: this target was acted on in the last {policy.cooldown_seconds}s",
        )
    if (
        rule_requires_approval
        or playbook in policy.approval
        or f"{playbook}:{environment}" in policy.approval
    ):
        return "pending_approval", "this playbook needs an operator's approval"
    if policy.mode == "dry_run":
        return "dry_run", "dry-run mode: recorded what would be done, did nothing"
    return "approved", "within policy"
