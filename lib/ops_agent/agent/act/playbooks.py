"""The playbooks: what each one does once its action is approved.

- `rollback`: instant rollback away from the suspected deployment (or whatever serves now).
- `redeploy`: the failed deployment's source again, or the environment's latest.
- `dev_agent` / `webhook`: a signed hand-off to DEV_AGENT_URL or the rule's URL, with what
  another agent needs to fix it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ops_agent.agent.act.records import RemediationAction
from ops_agent.agent.act.tools import Tools
from ops_agent.alerts.records import Alert
from ops_agent.errors import NotConfigured
from ops_agent.remediation_spec import PlaybookName


@dataclass(frozen=True)
class Job:
    """An approved action as a playbook sees it."""

    action: RemediationAction
    alert: Alert | None

    @property
    def facts(self) -> dict[str, Any]:
        return self.action.result

    @property
    def reason(self) -> str:
        alert = self.alert
        why = f"alert {alert.get('rule')}: {alert.get('summary') or ''}" if alert else None
        return (why or self.action.reason)[:500]


async def _rollback(tools: Tools, job: Job) -> dict[str, Any]:
    """Instant rollback away from the suspected deployment (or whatever serves now)."""
    tool = tools.deployments
    suspect = job.facts.get("suspected_deployment")
    done = await (
        tool.rollback(suspect, reason=job.reason, actor="agent")
        if suspect
        else tool.rollback(project=job.action.target, reason=job.reason, actor="agent")
    )
    return {
        "from_deployment": done.from_deployment,
        "to_deployment": done.to_deployment,
        "status": done.status,
        "production_pinned": done.production_pinned,
        "note": done.note,
    }


async def _redeploy(tools: Tools, job: Job) -> dict[str, Any]:
    """The failed deployment's source again, or the environment's latest."""
    tool = tools.deployments
    facts = job.facts
    if facts.get("failed_deployment"):
        status = await tool.redeploy(
            facts["failed_deployment"],
            actor="agent",
            reason=f"transient build failure: {facts.get('evidence')}",
        )
    else:
        status = await tool.deploy(
            job.action.target,
            facts.get("environment", "production"),
            actor="agent",
            reason=job.reason,
        )
    return {
        "deployment_id": status.id,
        "deployment_url": status.url,
        "production_pinned": status.production_pinned or None,
        "note": status.note,  # "staged, not live" after a rollback, with how to promote it
    }


async def _hand_off(tools: Tools, job: Job, url: str | None) -> dict[str, Any]:
    playbook, facts = job.action.playbook, job.facts
    if not url:
        raise NotConfigured(f"{playbook}: no URL (set DEV_AGENT_URL, or url in the rule)")
    payload = await handoff(tools, job.alert, job.action.target, facts)
    if facts.get("failed_deployment"):
        payload["failed_build"] = {
            k: facts.get(k) for k in ("failed_deployment", "cause", "evidence")
        }
        payload["suspected_deployment"] = facts["failed_deployment"]
    result = await tools.notifier.send_webhook(
        url,
        payload,
        event_type=f"ops_agent.{playbook}",
        alert_id=job.alert.id if job.alert else None,
    )
    if not result.delivered:
        raise RuntimeError(result.error or "not delivered")
    return {"delivered_to": result.destination}


async def _dev_agent(tools: Tools, job: Job) -> dict[str, Any]:
    """A signed hand-off to DEV_AGENT_URL, with what another agent needs to fix it."""
    return await _hand_off(tools, job, tools.settings.dev_agent_url)


async def _webhook(tools: Tools, job: Job) -> dict[str, Any]:
    """The same hand-off, to the URL the rule names."""
    return await _hand_off(tools, job, (job.facts.get("spec") or {}).get("url"))


Runner = Callable[[Tools, Job], Awaitable[dict[str, Any]]]
RUNNERS: dict[PlaybookName, Runner] = {
    "rollback": _rollback,
    "redeploy": _redeploy,
    "dev_agent": _dev_agent,
    "webhook": _webhook,
}


async def run_playbook(
    tools: Tools, action: RemediationAction, alert: Alert | None
) -> dict[str, Any]:
    """Carry out an approved action; what it did, or an exception saying why it could not."""
    return await RUNNERS[action.playbook](tools, Job(action, alert))


async def handoff(
    tools: Tools, alert: Alert | None, project: str, facts: dict[str, Any]
) -> dict[str, Any]:
    """What another agent needs to fix it: the alert and its incident (with its timeline),
    the error patterns with their likely causes, and the suspected deployment (the one
    correlation chose, else the one anomaly detection names)."""
    logs = tools.logs
    patterns = await logs.analyze_error_patterns("1h", None, limit=5)
    suspect = facts.get("suspected_deployment")
    if suspect is None:
        anomalies = await logs.detect_anomalies("1h", None)
        named = [a.suspected_deployment for a in anomalies if a.suspected_deployment]
        suspect = named[0]["id"] if named else None
    incident = None
    if alert is not None and alert.incident_id:
        incident = await tools.alerts.find_incident(alert.incident_id)
    return {
        "project": project,
        "alert": {k: v for k, v in alert.public().items() if k != "events"} if alert else None,
        "incident": incident.public() if incident else None,
        "patterns": [p.as_dict() for p in patterns],
        "suspected_deployment": suspect,
    }
