"""POST /api/drains/logs: Vercel log drain deliveries, verified, parsed, mined and stored once.

Every response carries `x-vercel-verify` (Vercel's endpoint verification) when
VERCEL_DRAIN_VERIFY_TOKEN is set.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ops_agent.http.auth import Principal
from ops_agent.http.deps import RuntimeDep, audit
from ops_agent.http.errors import ApiError
from ops_agent.logs.entries import decompress
from ops_agent.settings import Settings
from ops_agent.store import Role
from ops_agent.vercel.signature import parse_secrets, verify

router = APIRouter(tags=["drains"])

DRAIN = Principal(name="vercel-log-drain", role=Role.VIEWER)
MAX_INFLATED = 64 * 1024 * 1024


class VerifyHeader:
    """ASGI middleware adding `x-vercel-verify: <token>` to every response."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.token = settings.vercel_drain_verify_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.token:
            await self.app(scope, receive, send)
            return
        token = self.token.encode()

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-vercel-verify", token)],
                }
            await send(message)

        await self.app(scope, receive, send_with_header)


@router.get("/api/drains/logs", summary="Endpoint verification (answers with x-vercel-verify)")
async def verification() -> dict[str, Any]:
    return {"ok": True}


@router.post(
    "/api/drains/logs",
    summary="Receive a Vercel log drain delivery (JSON array or NDJSON, optionally gzip)",
    responses={401: {"description": "missing or wrong x-vercel-signature"}},
)
async def log_drain(request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {"ok": True, "received": 0, "accepted": 0}  # a verification probe
    configured = runtime.settings.vercel_drain_secret
    secrets = parse_secrets(configured.get_secret_value() if configured else None)
    if not secrets:
        raise ApiError(
            503, "not_configured", "VERCEL_DRAIN_SECRET is not set; deliveries are refused"
        )
    encoding = request.headers.get("content-encoding")
    signature = request.headers.get("x-vercel-signature")
    body = decompress(raw, encoding, MAX_INFLATED)
    # Vercel signs the body it sends; accept a signature over either form of a compressed one.
    if not (
        verify(raw, signature, secrets) or (body is not raw and verify(body, signature, secrets))
    ):
        raise ApiError(
            401, "invalid_signature", "x-vercel-signature is missing or does not match the body"
        )
    request.state.principal = DRAIN
    tool = await runtime.logs()
    report = await tool.ingest_delivery(body)
    summary = report.as_dict()
    audit(
        request,
        action="drains.logs",
        received=report.received,
        accepted=report.accepted,
        duplicates=report.duplicates,
        rejected=len(report.rejected),
    )
    return {"ok": True, **summary}
