"""Facts about deployments, as the history table takes them: pure functions, no I/O.

A fact is a dict for `ops_deployment_record`: the deployment id, whatever is known about it,
and optionally a `state` reached at time `at` and/or a named `event` (promoted, ...).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ops_agent.vercel.models import Deployment, DeploymentState, WebhookEvent

# Webhook types that mean the deployment reached a state. Legacy hyphenated names included.
WEBHOOK_STATES: dict[str, str] = {
    "deployment.created": "QUEUED",
    "deployment.build-requested": "QUEUED",
    "deployment.blocked": "BLOCKED",
    "deployment.succeeded": "READY",
    "deployment.ready": "READY",
    "deployment.error": "ERROR",
    "deployment.canceled": "CANCELED",
    "deployment-ready": "READY",
    "deployment-error": "ERROR",
    "deployment-canceled": "CANCELED",
}

# Webhook types that are events in a deployment's life rather than states.
WEBHOOK_EVENTS: dict[str, str] = {
    "deployment.promoted": "promoted",
    "deployment.cleanup": "deleted",
    "deployment.checks.failed": "checks_failed",
    "deployment.checks.succeeded": "checks_succeeded",
}


def normalise_target(target: str | None) -> str:
    """Vercel says null for preview; the history says 'preview'."""
    return target or "preview"


def _object(parent: dict[str, Any], key: str) -> dict[str, Any]:
    """parent[key] when it is a JSON object, else {}: payloads are untrusted."""
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _drop_none(fact: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fact.items() if v is not None}


def facts_from_webhook(event: WebhookEvent) -> list[dict[str, Any]]:
    """The history facts a webhook delivery carries; empty for types that are not about a
    deployment (they are still stored and acknowledged)."""
    payload = event.payload
    at = event.created_at.isoformat()
    if event.type == "deployment.rollback":
        return _rollback_facts(payload, at)
    state = WEBHOOK_STATES.get(event.type)
    name = WEBHOOK_EVENTS.get(event.type)
    deployment = payload.get("deployment")
    if (state is None and name is None) or not isinstance(deployment, dict):
        return []
    deployment_id = deployment.get("id")
    if not isinstance(deployment_id, str) or not deployment_id:
        return []
    meta = _object(deployment, "meta")
    parsed = Deployment.model_validate({"id": deployment_id, "meta": meta})
    project = _object(payload, "project")
    user = _object(payload, "user")
    links = _object(payload, "links")
    fact: dict[str, Any] = {
        "id": deployment_id,
        "project_id": project.get("id"),
        "project_name": deployment.get("name"),
        # deployment.promoted carries no target, and means production.
        "target": "production" if name == "promoted" else None,
        "url": deployment.get("url"),
        "branch": parsed.branch,
        "commit_sha": parsed.commit_sha,
        "commit_message": parsed.commit_message,
        "creator": user.get("id"),
        "inspector_url": links.get("deployment"),
        "state": state,
        "event": name,
        "at": at,
        "source": "webhook",
    }
    if "target" in payload and name is None:
        fact["target"] = normalise_target(payload.get("target"))
    if state == "QUEUED":
        fact["created_at"] = at
    if state == "ERROR":
        error = _object(payload, "error")
        fact["error_code"] = error.get("code") or payload.get("errorCode")
        fact["error_message"] = error.get("message") or payload.get("errorMessage")
    return [_drop_none(fact)]


def _rollback_facts(payload: dict[str, Any], at: str) -> list[dict[str, Any]]:
    project = _object(payload, "project")
    facts = []
    for key, name in (("fromDeploymentId", "rolled_back_from"), ("toDeploymentId", "promoted")):
        deployment_id = payload.get(key)
        if isinstance(deployment_id, str) and deployment_id:
            facts.append(
                _drop_none(
                    {
                        "id": deployment_id,
                        "project_id": project.get("id"),
                        "target": "production",
                        "event": name,
                        "at": at,
                        "source": "webhook",
                    }
                )
            )
    return facts


def fact_from_deployment(
    deployment: Deployment, *, now: datetime, source: str = "api", project_name: str | None = None
) -> dict[str, Any]:
    """The fact a `GET /v13/deployments/{id}` answer gives. The state is dated by Vercel's own
    timestamps where it has them, so a late poll never overrides a fresher webhook."""
    state = deployment.state
    at: datetime | None = deployment.ended_at
    if state in (DeploymentState.BUILDING, DeploymentState.INITIALIZING):
        at = deployment.building_at
    elif state is DeploymentState.QUEUED:
        at = deployment.created_at
    at = at or now
    target = deployment.target or deployment.custom_environment_slug
    fact: dict[str, Any] = {
        "id": deployment.id,
        "project_id": deployment.project_id,
        "project_name": project_name or deployment.name,
        "target": normalise_target(target),
        "url": deployment.url,
        "branch": deployment.branch,
        "commit_sha": deployment.commit_sha,
        "commit_message": deployment.commit_message,
        "creator": deployment.creator.name if deployment.creator else None,
        "error_code": deployment.error_code,
        "error_message": deployment.error_message,
        "inspector_url": deployment.inspector_url,
        "created_at": deployment.created_at.isoformat() if deployment.created_at else None,
        "ready_at": deployment.ready_at.isoformat() if deployment.ready_at else None,
        "state": state.value if state else None,
        "at": at.isoformat(),
        "source": source,
    }
    return _drop_none(fact)
