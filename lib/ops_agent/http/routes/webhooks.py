"""Webhooks from the platforms the agent watches, each verified and stored once:

- POST /api/webhooks/vercel: Vercel's deployment webhooks, merged into the deployment history.
- POST /api/webhooks/sentry: Sentry's issues, errors and alerts, as observations linked to the
  deployment their release names, and as the `sentry_events` metric that rules can alert on.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, SecretStr, ValidationError

from ops_agent.agent.detect import evaluate_on_ingest
from ops_agent.deployments.events import facts_from_webhook
from ops_agent.deployments.records import DeploymentHistory
from ops_agent.http.auth import Principal
from ops_agent.http.deps import RuntimeDep, audit
from ops_agent.http.errors import ApiError
from ops_agent.http.ratelimit import take, take_for_address
from ops_agent.monitoring.metrics import Metrics, Sample
from ops_agent.observations import Observation, ObservationLog
from ops_agent.plausible import WEBHOOK_WINDOW, outside_window
from ops_agent.runtime import Runtime
from ops_agent.sentry import parse as parse_sentry
from ops_agent.store import Role
from ops_agent.textclean import clean_json
from ops_agent.vercel.models import WebhookEvent
from ops_agent.vercel.signature import Digest, parse_secrets, verify

log = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"])

WEBHOOK = Principal(name="vercel-webhook", role=Role.VIEWER)
SENTRY = Principal(name="sentry-webhook", role=Role.VIEWER)


class WebhookAck(BaseModel):
    ok: bool = True
    id: str
    type: str
    duplicate: bool
    deployments: list[str]
    # Set when the event was not acted on: its time is outside the window a fresh delivery
    # (or Vercel's retry of one) could have (plausible.py). Answered 200: retrying cannot help.
    ignored: str | None = None


@router.post(
    "/api/webhooks/vercel",
    summary="Receive a Vercel webhook (signed with x-vercel-signature)",
    responses={
        401: {"description": "missing or wrong signature"},
        503: {"description": "no secret configured"},
    },
)
async def vercel_webhook(request: Request, runtime: RuntimeDep) -> WebhookAck:
    body = await _signed_body(
        request,
        runtime,
        runtime.settings.vercel_webhook_secret,
        "VERCEL_WEBHOOK_SECRET",
        "x-vercel-signature",
    )
    request.state.principal = WEBHOOK
    event = _parse(body)
    stale = outside_window(event.created_at, runtime.now(), WEBHOOK_WINDOW)
    if stale is not None:
        log.warning("webhook outside the replay window", extra={"id": event.id, "why": stale})
        audit(request, action="webhooks.vercel", target=event.id, type=event.type, ignored=stale)
        return WebhookAck(
            id=event.id, type=event.type, duplicate=False, deployments=[], ignored=stale
        )
    facts = facts_from_webhook(event)
    delivery = {
        "id": event.id,
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "region": event.region,
        "payload": event.payload,
    }
    result = await DeploymentHistory(await runtime.store()).ingest_webhook(delivery, facts)
    deployments = sorted({fact["id"] for fact in facts})
    audit(
        request,
        action="webhooks.vercel",
        target=event.id,
        type=event.type,
        duplicate=result.duplicate,
        deployments=deployments,
    )
    return WebhookAck(
        id=event.id, type=event.type, duplicate=result.duplicate, deployments=deployments
    )


async def _signed_body(
    request: Request,
    runtime: Runtime,
    configured: SecretStr | None,
    setting: str,
    header: str,
    digest: Digest = hashlib.sha1,
) -> bytes:
    """The raw body, once its signature checked out under one of the configured secrets: 503
    while none is set (the sender keeps retrying, so nothing is lost), 401 when it is wrong."""
    secrets = parse_secrets(configured.get_secret_value() if configured else None)
    if not secrets:
        raise ApiError(503, "not_configured", f"{setting} is not set; deliveries are refused")
    body = await request.body()
    if not verify(body, request.headers.get(header), secrets, digest):
        await take_for_address(request, runtime)
        raise ApiError(401, "invalid_signature", f"{header} is missing or does not match the body")
    await take(runtime, "ingest", setting)
    return body


def _json(body: bytes) -> Any:
    """The body's JSON, with what the store cannot hold cleaned (NULs, lone surrogates,
    integers past 64 bits, non-finite numbers): accepted, never a 500 on every retry."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {exc}") from None
    cleaned, _ = clean_json(data)
    return cleaned


def _parse(body: bytes) -> WebhookEvent:
    data = _json(body)
    try:
        return WebhookEvent.model_validate(data)
    except ValidationError as exc:
        problems = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
        ]
        raise ApiError(
            400, "invalid_payload", "the body is not a Vercel webhook envelope", problems
        ) from None


class SentryAck(BaseModel):
    ok: bool = True
    resource: str
    observed: bool
    kind: str | None = None
    duplicate: bool = False
    deployment_id: str | None = None


@router.post(
    "/api/webhooks/sentry",
    summary="Receive a Sentry integration webhook (signed with Sentry-Hook-Signature)",
    responses={
        400: {"description": "not JSON, no Sentry-Hook-Resource, or a malformed resource"},
        401: {"description": "missing or wrong signature"},
        503: {"description": "no secret configured"},
    },
)
async def sentry_webhook(request: Request, runtime: RuntimeDep) -> SentryAck:
    body = await _signed_body(
        request,
        runtime,
        runtime.settings.sentry_client_secret,
        "SENTRY_CLIENT_SECRET",
        "Sentry-Hook-Signature",
        hashlib.sha256,
    )
    request.state.principal = SENTRY
    resource = request.headers.get("sentry-hook-resource")
    if not resource:
        raise ApiError(400, "missing_resource", "the Sentry-Hook-Resource header is required")
    data = _json(body)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_payload", "the body must be a JSON object")
    fact = parse_sentry(resource, data)
    if fact is None:
        audit(request, action="webhooks.sentry", target=resource, observed=False)
        return SentryAck(resource=resource, observed=False)
    store = await runtime.store()
    deployment = (
        await store.rpc("ops_deployment_by_release", {"p_release": fact.release, "p_project": None})
        if fact.release
        else None
    )
    link = {
        "deployment_id": deployment["id"] if deployment else None,
        "project_id": deployment.get("project_id") if deployment else None,
        "project_name": deployment.get("project_name") if deployment else None,
        "request_id": request.headers.get("request-id"),
    }
    ids = await ObservationLog(store).publish(
        Observation(
            kind=fact.kind,
            subject=fact.subject,
            dedup_key=fact.dedup_key,
            payload={**fact.payload(), **link},
        )
    )
    if ids:  # counted once, however often Sentry retries
        project = link["project_name"] or fact.sentry_project or "unknown"
        await Metrics(store, clock=runtime.now).ingest(
            [
                Sample(
                    id=fact.dedup_key[:200],
                    name="sentry_events",
                    value=1,
                    labels={"project": project, "level": fact.level, "resource": resource},
                )
            ]
        )
        # The sample changes what rules on sentry_events see: evaluate them now, bounded.
        await evaluate_on_ingest(runtime, [project])
    audit(
        request,
        action="webhooks.sentry",
        target=fact.subject,
        kind=fact.kind,
        duplicate=not ids,
        deployment=link["deployment_id"],
    )
    return SentryAck(
        resource=resource,
        observed=True,
        kind=fact.kind,
        duplicate=not ids,
        deployment_id=link["deployment_id"],
    )
