"""How an alert reaches people: a pipeline of small stages, as in Alertmanager's.

A newly firing alert goes through

    AttachIncident -> Mute -> Group -> Claim -> Send -> Record

and a firing alert that was notified before goes through `due()` (pure: is a reminder or an
escalation due, and to which channels?) and then Claim -> Send. Each stage does one thing and
passes the groups it keeps to the next; a stage that drops an alert says why on the alert.

Claiming is what makes concurrent evaluators safe: the store moves an alert's notification
bookkeeping only from the state the evaluator saw, so two evaluators never both send.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from ops_agent.alerts.matching import MaintenanceWindow, Muted, Silence, inhibited, quieted
from ops_agent.alerts.records import Alert, AlertRecords
from ops_agent.alerts.rules import AlertRule
from ops_agent.notify import DeliveryResult, Notification, NotificationService, render
from ops_agent.severity import NOTIFY_LEVEL
from ops_agent.timestamps import as_datetime

log = logging.getLogger(__name__)

Group = list[Alert]


# --- what is due (pure) ---


@dataclass(frozen=True)
class Due:
    """A notification an already notified, still firing alert is owed now."""

    kind: Literal["escalated", "reminded"]
    channels: list[str]
    escalation_level: int | None = None  # the level it escalates to


def due(rule: AlertRule, alert: Alert, now: datetime, available: list[str]) -> Due | None:
    """The reminder or escalation `alert` is owed at `now`, or None. Only firing alerts are
    owed anything (an acknowledged one is being handled). Escalation step n is due
    `escalate_after` x n after the alert started firing, while the chain has steps left; a
    reminder is due `repeat_interval` after the last notification. Escalation comes first."""
    if alert.state != "firing":
        return None
    firing_since, last = (
        as_datetime(alert.firing_since),
        as_datetime(alert.last_notified_at),
    )
    if firing_since is None or last is None:
        return None
    chain = rule.escalation_chain(available)
    level = int(alert.escalation_level or 0)
    step = timedelta(seconds=(rule.escalate_after_seconds or 0) * (level + 1))
    if rule.escalate_after_seconds and level < len(chain) and now >= firing_since + step:
        return Due("escalated", chain[level], level + 1)
    if rule.repeat_interval_seconds and now >= last + timedelta(
        seconds=rule.repeat_interval_seconds
    ):
        return Due("reminded", rule.resolved_channels(available))
    return None


# --- the stages ---


@dataclass
class Flow:
    """What the stages share for one evaluation: the records, the sender, the rules, when, and
    the counts they report."""

    records: AlertRecords
    notifier: NotificationService | None
    rules: dict[str, AlertRule]
    available: list[str]
    now: datetime
    email_to: str | None = None
    slack_channel: str | None = None
    quieted: int = 0
    notified: int = 0
    escalations: int = 0
    reminders: int = 0
    deliveries: dict[str, list[DeliveryResult]] = field(default_factory=dict)


class Stage(Protocol):
    async def exec(self, flow: Flow, groups: list[Group]) -> list[Group]: ...


class AttachIncident:
    """Each alert joins the open incident of its group, or opens one."""

    async def exec(self, flow: Flow, groups: list[Group]) -> list[Group]:
        for alert in (a for g in groups for a in g):
            rule = flow.rules[alert.rule]
            incident = await flow.records.attach_incident(
                alert.id,
                alert.group_key,
                f"{rule.name}: {rule.description or rule.condition}",
                rule.severity,
                alert.onset_at,
                alert.firing_since,
            )
            alert.incident_id = incident.id
        return groups


class Mute:
    """Silences, maintenance windows and inhibition (a firing critical alert on a project mutes
    that project's lesser ones) keep an alert quiet; the alert records why."""

    def __init__(
        self, silences: Sequence[Silence], windows: Sequence[MaintenanceWindow], open_: list[Alert]
    ) -> None:
        self.silences, self.windows, self.open = silences, windows, open_

    def reason(self, alert: Alert, now: datetime) -> Muted | None:
        found = quieted(alert.labels or {}, now, self.silences, self.windows)
        if found is None and (blocker := inhibited(alert, self.open)):
            found = Muted("inhibited", f"inhibited by {blocker}")
        return found

    async def exec(self, flow: Flow, groups: list[Group]) -> list[Group]:
        kept: list[Group] = []
        for group in groups:
            loud = []
            for alert in group:
                muted = self.reason(alert, flow.now)
                if muted is None:
                    loud.append(alert)
                    continue
                flow.quieted += 1
                event = "inhibited" if muted.kind == "inhibited" else "silenced"
                await flow.records.event(
                    alert.id, flow.now, event, "agent", {"reason": muted.reason}
                )
            if loud:
                kept.append(loud)
        return kept


class GroupByKey:
    """Alerts with the same group key go out as one notification."""

    async def exec(self, flow: Flow, groups: list[Group]) -> list[Group]:
        by_key: dict[str, Group] = {}
        for alert in (a for g in groups for a in g):
            by_key.setdefault(alert.group_key, []).append(alert)
        return list(by_key.values())


class Claim:
    """Take the right to notify: the store records the notification only if nobody else did
    since `previous` (None for the first one), so concurrent evaluators never both send."""

    def __init__(self, kind: str, due: Due | None = None) -> None:
        self.kind, self.due = kind, due

    async def exec(self, flow: Flow, groups: list[Group]) -> list[Group]:
        kept: list[Group] = []
        for group in groups:
            claimed = []
            for alert in group:
                escalating = self.due is not None and self.due.escalation_level is not None
                row = await flow.records.claim_notification(
                    alert.id,
                    alert.last_notified_at if self.due else None,
                    flow.now,
                    self.kind,
                    escalation_level=self.due.escalation_level if self.due else None,
                    detail={"channels": self.due.channels} if self.due and escalating else None,
                )
                if row:
                    claimed.append(row)
            if claimed:
                kept.append(claimed)
        return kept


class Send:
    """Render one message per group and deliver it on each channel (the rules' channels, or
    the escalation step's)."""

    def __init__(self, kind: str = "alert_firing", due: Due | None = None) -> None:
        self.kind, self.due = kind, due

    async def exec(self, flow: Flow, groups: list[Group]) -> list[Group]:
        for group in groups:
            channels = self.due.channels if self.due else _channels(flow, group)
            escalated = self.due.escalation_level or 0 if self.due else 0
            reminder = bool(self.due and self.due.kind == "reminded")
            results = await send(flow, self.kind, group, channels, escalated, reminder)
            flow.deliveries[group[0].id] = results
            if self.due is None:
                flow.notified += len(group)
            elif escalated:
                flow.escalations += 1
            else:
                flow.reminders += 1
        return groups


class Record:
    """Each notified alert's incident records where it went and what was delivered."""

    async def exec(self, flow: Flow, groups: list[Group]) -> list[Group]:
        for group in groups:
            results = flow.deliveries.get(group[0].id, [])
            for alert in group:
                if alert.incident_id is None:  # AttachIncident gave every alert one
                    continue
                await flow.records.incident_event(
                    alert.incident_id,
                    "notified",
                    flow.now,
                    "agent",
                    {
                        "channels": _channels(flow, group),
                        "delivered": [r.channel for r in results if r.delivered],
                    },
                )
        return groups


async def run(flow: Flow, stages: Sequence[Stage], groups: list[Group]) -> list[Group]:
    """Pass `groups` through `stages` in order; what the last one kept."""
    for stage in stages:
        if not groups:
            break
        groups = await stage.exec(flow, groups)
    return groups


def _channels(flow: Flow, group: Group) -> list[str]:
    return sorted({c for a in group for c in flow.rules[a.rule].resolved_channels(flow.available)})


async def send(
    flow: Flow,
    kind: str,
    alerts: Sequence[Alert],
    channels: Sequence[str],
    escalated: int = 0,
    reminder: bool = False,
) -> list[DeliveryResult]:
    """One message about `alerts`, rendered for `kind`, on each of `channels`."""
    if flow.notifier is None or not channels or not alerts:
        return []
    first = alerts[0]
    rule = flow.rules[first.rule]
    names = ", ".join(sorted({a.rule for a in alerts}))
    prefix = "[ESCALATED] " if escalated else ("[REMINDER] " if reminder else "")
    rendered = render(
        kind,
        {
            "name": prefix + (names if len(alerts) > 1 else rule.name),
            "project": (first.labels or {}).get("project", "all projects"),
            "severity": NOTIFY_LEVEL[rule.severity],
            "summary": "\n".join(
                f"{a['rule']}: {a.get('summary') or ''} (value {a.get('value')})" for a in alerts
            ),
            "started_at": first.firing_since or first.pending_since,
            "resolved_at": first.resolved_at,
            "value": first.value,
            "threshold": rule.condition,
            "alert_id": first.id,
            "duration": "",
            "runbook_url": rule.runbook_url,
        },
    )
    dedup = (
        f"alert:{first['fingerprint']}:{first.get('firing_since')}:{kind}:{escalated}:"
        f"{first.get('notifications')}"
    )
    messages: list[Notification] = []
    for channel in channels:
        extra: dict[str, Any] = {
            "kind": kind,
            "alert_id": first.id,
            "dedup_key": f"{dedup}:{channel}",
        }
        if channel in ("email", "smtp") and flow.email_to:
            extra["to"] = [flow.email_to]
        if channel == "slack" and flow.slack_channel:
            extra["slack_channel"] = flow.slack_channel
        if channel == "webhook":
            extra["payload"] = {"kind": kind, "alerts": [public(a) for a in alerts]}
            extra["event_type"] = f"alert.{kind.removeprefix('alert_')}"
        messages.append(rendered.notification(channel, **extra))
    results = await flow.notifier.send_many(messages)
    for result in results:
        if not result.delivered:
            log.warning("alert notification via %s: %s", result.channel, result.error)
    return results


def public(alert: Alert) -> dict[str, Any]:
    """An alert as a webhook receiver sees it."""
    keep = (
        "id",
        "rule",
        "severity",
        "state",
        "labels",
        "summary",
        "value",
        "onset_at",
        "firing_since",
        "resolved_at",
        "incident_id",
    )
    row = alert.public()
    return {k: row.get(k) for k in keep}
