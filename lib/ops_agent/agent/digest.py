"""The daily digest: yesterday in one message, including the low-severity alerts that notify
nobody on their own. Sent once a day, after ALERT_DIGEST_HOUR (UTC), to every alert channel.

Once per day across instances and retries: the day is published as an observation (dedup key
`digest:<date>`) and consumed only when the digest was delivered, so a failed send is retried on
the next tick and a sent one is never repeated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from ops_agent.alerts.records import Alert
from ops_agent.observations import Observation, ObservationLog
from ops_agent.runtime import Runtime

KIND = "digest.daily"


def digest_context(
    date: str, alerts: Sequence[Alert | dict[str, Any]], kpis: dict[str, Any]
) -> dict[str, Any]:
    """The `daily_summary` template's context from the day's alerts and KPIs. Pure."""

    def figure(name: str, unit: str = "") -> str:
        value = (kpis.get(name) or {}).get("value")
        return "n/a" if value is None else f"{value:g}{unit}"

    low = [a for a in alerts if a.get("severity") == "low"]
    return {
        "date": date,
        "alerts_fired": len(alerts),
        "alerts_resolved": sum(1 for a in alerts if a.get("state") == "resolved"),
        "auto_fixed": sum(1 for a in alerts if a.get("auto_actions")),
        "deployments": (kpis.get("deployment_success_rate") or {}).get("n", 0),
        "deployment_success": figure("deployment_success_rate"),
        "mttd": figure("mttd_minutes", " min"),
        "mttr": figure("mttr_minutes", " min"),
        "low_alerts": "\n".join(
            f"- {a['rule']}: {a.get('summary') or ''} ({a.get('state')})" for a in low
        ),
    }


async def daily_digest(runtime: Runtime) -> dict[str, Any]:
    """Send yesterday's digest once, when its hour has come."""
    now = runtime.now()
    hour = runtime.settings.alert_digest_hour
    if hour < 0:
        return {"due": False, "reason": "ALERT_DIGEST_HOUR=-1: no digest"}
    if now.hour < hour:
        return {"due": False}
    day = (now - timedelta(days=1)).date().isoformat()
    log = ObservationLog(await runtime.store())
    await log.publish(Observation(kind=KIND, subject=day, dedup_key=f"digest:{day}"))
    pending = await log.pending(kinds=[KIND], limit=3)
    if not pending:
        return {"due": True, "sent": False, "reason": f"the digest for {day} was sent"}
    alerts = await runtime.alerts()
    from ops_agent.notify.templates import render

    sent = []
    for obs in pending:
        start = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
        fired = await alerts.get_alert_history(
            since=start, before=start + timedelta(days=1), limit=1000
        )
        kpis = await alerts.kpis(timedelta(days=1))
        rendered = render("daily_summary", digest_context(str(obs.subject), fired, kpis))
        results = await (await runtime.notifier()).send_many(
            [
                rendered.notification(
                    channel, kind="daily_summary", dedup_key=f"digest:{obs.subject}:{channel}"
                )
                for channel in alerts.available
            ]
        )
        if any(r.delivered for r in results):
            sent.append(str(obs.subject))
        elif results and not all(r.permanent for r in results):
            continue  # a channel failed for now: try again next tick
        # Sent, or no channel could ever take it (none configured): done with this day.
        await log.consume([obs.id or 0])
    return {"due": True, "sent": bool(sent), "days": sent}
