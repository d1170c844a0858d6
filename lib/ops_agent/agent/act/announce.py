"""Telling people: a page when the agent's action failed or did not bring the signal back, and
a note when it acted without an alert having announced the problem."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ops_agent.agent.act.records import RemediationAction
from ops_agent.agent.act.tools import Tools
from ops_agent.alerts.records import Alert
from ops_agent.notify import CHANNELS, Notification, Severity


async def tell(tools: Tools, action: RemediationAction, result: dict[str, Any]) -> None:
    """Let people know what the agent did on its own, on the alert channels."""
    what = f"{action.playbook} of {action.target}"
    note = result.get("note")
    details = ", ".join(f"{k}={v}" for k, v in result.items() if v is not None and k != "note")
    if note:
        details = f"{details}\n{str(note)[0].upper()}{str(note)[1:]}."
    await _on_every_channel(
        tools,
        lambda channel: Notification(
            channel=channel,
            severity=Severity.WARNING,
            subject=f"[ops-agent] {what}",
            title=f"Ops Agent ran a {what}",
            body=f"{action.reason}\n{details}",
            kind="remediation_done",
            dedup_key=f"remediation-done:{action.id}:{channel}",
        ),
    )


async def page(tools: Tools, alert: Alert | dict[str, Any], why: str, now: datetime) -> None:
    """Escalate to people: the alert is still bad after (or despite) what the agent did."""
    alert_id, rule = str(alert["id"]), alert["rule"]
    if alert.get("state"):  # a real alert, not an action's subject
        await tools.alerts.escalate(alert_id, why)
    await _on_every_channel(
        tools,
        lambda channel: Notification(
            channel=channel,
            severity=Severity.CRITICAL,
            subject=f"[NEEDS A PERSON] {rule}",
            title=f"{rule} needs a person",
            body=why,
            alert_id=alert_id,
            kind="remediation_failed",
            dedup_key=f"remediation-page:{alert_id}:{why}:{channel}",
        ),
    )


async def _on_every_channel(tools: Tools, message: Callable[[Any], Notification]) -> None:
    await tools.notifier.send_many([message(c) for c in tools.alerts.available if c in CHANNELS])


def subject(action: RemediationAction) -> dict[str, Any]:
    """What a page is about when the action had no alert: the action itself."""
    return {"id": action.id, "rule": f"{action.playbook} of {action.target}"}
