"""POST /api/webhooks/vercel: Vercel's deployment webhooks, verified, stored once, merged
into the deployment history."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ValidationError

from ops_agent.deployments.events import facts_from_webhook
from ops_agent.deployments.records import DeploymentHistory
from ops_agent.http.auth import Principal
from ops_agent.http.deps import RuntimeDep, audit
from ops_agent.http.errors import ApiError
from ops_agent.store import Role
from ops_agent.vercel.models import WebhookEvent
from ops_agent.vercel.signature import parse_secrets, verify

router = APIRouter(tags=["webhooks"])

WEBHOOK = Principal(name="vercel-webhook", role=Role.VIEWER)


class WebhookAck(BaseModel):
    ok: bool = True
    id: str
    type: str
    duplicate: bool
    deployments: list[str]


@router.post(
    "/api/webhooks/vercel",
    summary="Receive a Vercel webhook (signed with x-vercel-signature)",
    responses={
        401: {"description": "missing or wrong signature"},
        503: {"description": "no secret configured"},
    },
)
async def vercel_webhook(request: Request, runtime: RuntimeDep) -> WebhookAck:
    configured = runtime.settings.vercel_webhook_secret
    secrets = parse_secrets(configured.get_secret_value() if configured else None)
    if not secrets:
        # Refusing keeps Vercel retrying (for 24 h), so nothing is lost while it is set up.
        raise ApiError(
            503, "not_configured", "VERCEL_WEBHOOK_SECRET is not set; deliveries are refused"
        )
    body = await request.body()
    if not verify(body, request.headers.get("x-vercel-signature"), secrets):
        raise ApiError(
            401, "invalid_signature", "x-vercel-signature is missing or does not match the body"
        )
    request.state.principal = WEBHOOK
    event = _parse(body)
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


def _parse(body: bytes) -> WebhookEvent:
    try:
        data: Any = json.loads(body)
    except ValueError as exc:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {exc}") from None
    try:
        return WebhookEvent.model_validate(data)
    except ValidationError as exc:
        problems = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
        ]
        raise ApiError(
            400, "invalid_payload", "the body is not a Vercel webhook envelope", problems
        ) from None
