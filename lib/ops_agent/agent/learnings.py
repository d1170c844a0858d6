"""After an incident resolves, share what was learned with the FAQ Agent (`FAQ_AGENT_URL`).

Two idempotent steps, so a crash or a failed delivery loses nothing: every resolved incident is
published once as an `incident.resolved` observation; pending ones are posted (signed, like every
webhook) and consumed only when the FAQ Agent accepted them, so a failure is retried next tick.
"""

from __future__ import annotations

from typing import Any

from ops_agent.alerts.records import Incident
from ops_agent.observations import Observation, ObservationLog
from ops_agent.runtime import Runtime
from ops_agent.store.audit import record

KIND = "incident.resolved"


def learning(incident: Incident | dict[str, Any], patterns: list[dict[str, Any]]) -> dict[str, Any]:
    """What the FAQ Agent gets: the incident, its timeline, what fixed it, and the error
    patterns with their likely causes and fixes. Pure."""
    timeline = incident.get("timeline") or []
    actions = [e for e in timeline if e.get("kind") in ("action", "mitigated")]
    return {
        "incident": {
            k: incident.get(k)
            for k in ("id", "title", "severity", "onset_at", "detected_at", "resolved_at")
        },
        "timeline": timeline,
        "what_fixed_it": [e.get("what") or e.get("action") or e.get("kind") for e in actions],
        "root_causes": [p["cause"] for p in patterns if p.get("cause")],
        "recommendations": list(dict.fromkeys(p["fix"] for p in patterns if p.get("fix"))),
        "patterns": patterns,
    }


async def share_learnings(runtime: Runtime, limit: int = 20) -> dict[str, Any]:
    """Publish newly resolved incidents, then post pending ones to the FAQ Agent."""
    store = await runtime.store()
    log = ObservationLog(store)
    alerts = await runtime.alerts()
    resolved = await alerts.incidents("resolved", limit=limit)
    if resolved:
        await log.publish(
            *[Observation(kind=KIND, subject=i.id, dedup_key=f"{KIND}:{i.id}") for i in resolved]
        )
    url = runtime.settings.faq_agent_url
    if not url:
        return {"resolved": len(resolved), "shared": 0, "reason": "FAQ_AGENT_URL is not set"}
    shared, failed = [], []
    for obs in await log.pending(kinds=[KIND], limit=limit):
        incident = await alerts.find_incident(str(obs.subject))
        if incident is None:
            await log.consume([obs.id or 0])
            continue
        patterns = await (await runtime.logs()).analyze_error_patterns("1h", None, limit=5)
        payload = learning(incident, [p.as_dict() for p in patterns])
        result = await (await runtime.notifier()).send_webhook(
            url, payload, event_type="ops_agent.learning", alert_id=str(obs.subject)
        )
        outcome = "ok" if result.delivered else "failed"
        await record(
            store,
            "faq.share",
            str(obs.subject),
            outcome=outcome,
            actor="agent",
            **({"error": result.error} if result.error else {}),
        )
        if result.delivered:
            await log.consume([obs.id or 0])
            shared.append(str(obs.subject))
        else:
            failed.append(str(obs.subject))
    return {"resolved": len(resolved), "shared": len(shared), "failed": len(failed)}
