"""The alert lifecycle as pure decisions:
inactive → pending (condition true, waiting out `for`) → firing → acknowledged → resolved,
with `keep_firing_for` holding a firing alert through short gaps (anti-flapping)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from ops_agent.alerts.records import Alert
from ops_agent.alerts.rules import AlertRule
from ops_agent.timestamps import as_datetime

Action = Literal["open_pending", "open_firing", "fire", "touch", "resolve", "clear", "none"]


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str = ""


def decide(
    rule: AlertRule, alert: Alert | Mapping[str, Any] | None, holds: bool, now: datetime
) -> Decision:
    """What to do with a rule's alert, given whether its condition holds now."""
    if alert is None:
        if not holds:
            return Decision("none")
        if rule.for_seconds == 0:
            return Decision("open_firing", "condition holds")
        return Decision("open_pending", f"condition holds; waiting {rule.for_seconds}s")
    state = alert["state"]
    if holds:
        pending_since = as_datetime(alert["pending_since"])
        assert pending_since is not None
        if state == "pending" and now - pending_since >= timedelta(seconds=rule.for_seconds):
            return Decision("fire", f"condition held for {rule.for_seconds}s")
        return Decision("touch")
    if state == "pending":
        return Decision("clear", "condition stopped holding before `for` elapsed")
    last_true = as_datetime(alert.get("last_true_at")) or as_datetime(alert["pending_since"])
    assert last_true is not None
    if now - last_true < timedelta(seconds=rule.keep_firing_for_seconds):
        return Decision("none", "keep_firing_for")
    return Decision("resolve", "condition no longer holds")


def onset(points: Sequence[tuple[datetime, float | None]], fallback: datetime) -> datetime:
    """When the current bad run began: the earliest point of the trailing run of values."""
    start = fallback
    for at, value in reversed(points):
        if value is None:
            break
        start = at
    return min(start, fallback)
