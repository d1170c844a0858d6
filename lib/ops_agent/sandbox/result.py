"""What a scenario run produced, and how it is judged against what the scenario expects.
Pure: the runner reads the agent's records over HTTP and hands them here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ops_agent.sandbox.scenarios import Scenario
from ops_agent.timestamps import as_datetime

Event = dict[str, Any]


@dataclass
class ScenarioResult:
    scenario: str
    title: str
    start: datetime
    timeline: list[Event] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)  # to people
    handoffs: list[dict[str, Any]] = field(default_factory=list)  # to the Dev and FAQ agents
    kpis: dict[str, Any] = field(default_factory=dict)
    impact_start: datetime | None = None
    detected_at: datetime | None = None
    recovered_at: datetime | None = None
    auto_fixed: bool = False
    rolled_back_to: str | None = None
    false_positives: int = 0
    paged: bool = False
    ticks_failed: int = 0
    restored_at: datetime | None = None  # a good deployment serves again, after the impact
    timings_ms: dict[str, list[float]] = field(default_factory=dict)  # per step, for bench/
    wall_seconds: float = 0.0

    def seconds(self, at: datetime | None) -> float | None:
        if at is None or self.impact_start is None:
            return None
        return round((at - self.impact_start).total_seconds(), 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "title": self.title,
            "mttd_seconds": self.seconds(self.detected_at),
            "mttr_seconds": self.seconds(self.recovered_at),
            "auto_fixed": self.auto_fixed,
            "rolled_back_to": self.rolled_back_to,
            "false_positives": self.false_positives,
            "paged": self.paged,
            "notifications": [
                {"kind": kind_of(n), "title": title_of(n)} for n in self.notifications
            ],
            "handoffs": [{"to": n["hook"], "kind": kind_of(n)} for n in self.handoffs],
            "actions": [
                {k: a.get(k) for k in ("playbook", "status", "reason", "verified")}
                for a in self.actions
            ],
            "timeline": [
                {**e, "at": e["at"].isoformat(), "t": clock_text(e["at"], self.start)}
                for e in self.timeline
            ],
            "kpis": self.kpis,
            "ticks_failed": self.ticks_failed,
        }


def kind_of(notification: dict[str, Any]) -> str:
    """alert.firing, alert.resolved, ...: the webhook envelope's type without its prefix."""
    return str(notification["body"].get("type", "")).removeprefix("ops_agent.")


def title_of(notification: dict[str, Any]) -> str | None:
    """A line saying what a notification was about: its title, or its alerts' rules and
    values."""
    data = notification["body"].get("data") or {}
    if not isinstance(data, dict):
        return None
    if data.get("title"):
        return str(data["title"])
    alerts = data.get("alerts") or []
    if kind_of(notification) == "alert.resolved":  # its value is the last one that fired
        return (
            "; ".join(
                f"{a.get('rule')} back to normal (last seen at "
                f"{_number(a.get('rule'), a.get('value'))})"
                for a in alerts
            )
            or None
        )
    return (
        "; ".join(f"{a.get('rule')} at {_number(a.get('rule'), a.get('value'))}" for a in alerts)
        or None
    )


def _number(rule: Any, value: Any) -> str:
    """A rule's value as people read it: an error rate in percent, a latency in ms."""
    if not isinstance(value, int | float):
        return str(value)
    name = str(rule or "")
    if "error" in name and 0 <= value <= 1:
        return f"{value:.1%}"
    if "latency" in name:
        return f"{value:.0f} ms"
    return f"{value:.3g}"


def clock_text(at: datetime, start: datetime) -> str:
    """`T+mm:ss` of scenario time since `start`."""
    seconds = int((at - start).total_seconds())
    return f"T+{seconds // 60:02d}:{seconds % 60:02d}"


def judge(
    scenario: Scenario,
    result: ScenarioResult,
    *,
    alerts: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    kpis: dict[str, Any],
    received: list[dict[str, Any]],
    ready_at: Callable[[str], datetime | None],
) -> None:
    """Score what the agent recorded against the scenario, into `result`. `ready_at` says when
    a deployment the sandbox built became READY."""
    result.alerts, result.actions, result.kpis = alerts, actions, kpis
    result.notifications = [n for n in received if n["hook"] == "ops"]
    result.handoffs = [n for n in received if n["hook"] != "ops"]
    fired = [a for a in alerts if a.get("firing_since")]
    if fired:
        result.detected_at = min(as_datetime(a["firing_since"]) for a in fired)  # type: ignore[type-var]
    if not scenario.expect_alert:
        result.false_positives = len(fired)
    result.false_positives += sum(1 for a in fired if a.get("false_positive"))
    resolved = [as_datetime(a.get("resolved_at")) for a in fired if a.get("state") == "resolved"]
    if fired and len(resolved) == len(fired):
        result.recovered_at = max(r for r in resolved if r is not None)
    done = [a for a in actions if a["status"] == "succeeded"]
    for action in done:
        facts = action.get("result") or {}
        if action["playbook"] == "rollback":
            result.rolled_back_to = facts.get("to_deployment")
        if action["playbook"] == "redeploy":
            ready = ready_at(facts.get("deployment_id") or "")
            if ready is not None:
                result.detected_at = as_datetime(action.get("requested_at"))
                result.recovered_at = ready
        if action["playbook"] == "rollback" and not fired:  # no alert: a log anomaly found it
            result.detected_at = as_datetime(action.get("requested_at"))
            result.recovered_at = result.restored_at
    result.auto_fixed = bool(done) and result.recovered_at is not None
    result.paged = any(
        kind_of(n) in ("alert.firing", "remediation_failed") for n in result.notifications
    )
    result.timeline.sort(key=lambda e: e["at"])
