"""Vercel drains: POST /api/drains/logs (log lines, verified, parsed, mined and stored once)
and POST /api/drains/traces (OTLP/HTTP trace exports, JSON or protobuf, rolled up once per span).
Both are signed the same way (`x-vercel-signature`, VERCEL_DRAIN_SECRET) and may be gzip'd.

Every response carries `x-vercel-verify` (Vercel's endpoint verification) when
VERCEL_DRAIN_VERIFY_TOKEN is set.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ops_agent.agent.detect import evaluate_on_ingest
from ops_agent.http.auth import Principal
from ops_agent.http.deps import RuntimeDep, audit
from ops_agent.http.errors import ApiError
from ops_agent.http.ratelimit import take, take_for_address
from ops_agent.logs.entries import decompress
from ops_agent.runtime import Runtime
from ops_agent.settings import Settings
from ops_agent.store import Role
from ops_agent.vercel.signature import parse_secrets, verify

router = APIRouter(tags=["drains"])

DRAIN = Principal(name="vercel-log-drain", role=Role.VIEWER)
TRACE_DRAIN = Principal(name="vercel-trace-drain", role=Role.VIEWER)
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


async def _verified_body(request: Request, raw: bytes, runtime: Runtime) -> bytes:
    """The delivery inflated and checked against `x-vercel-signature`; 503 without a secret,
    401 on a wrong or missing signature."""
    configured = runtime.settings.vercel_drain_secret
    secrets = parse_secrets(configured.get_secret_value() if configured else None)
    if not secrets:
        raise ApiError(
            503, "not_configured", "VERCEL_DRAIN_SECRET is not set; deliveries are refused"
        )
    encoding = request.headers.get("content-encoding")
    signature = request.headers.get("x-vercel-signature")
    refused = ApiError(
        401, "invalid_signature", "x-vercel-signature is missing or does not match the body"
    )
    if not signature:
        await take_for_address(request, runtime)
        raise refused  # judged before it costs anything
    if verify(raw, signature, secrets):
        await take(runtime, "ingest", "VERCEL_DRAIN_SECRET")
        return await _inflate(raw, encoding)
    if not encoding or encoding.lower() == "identity":
        await take_for_address(request, runtime)
        raise refused
    # A signature may cover the inflated body: inflate (bounded, and a few at a time) to see.
    await take_for_address(request, runtime)  # counted as unproven until it proves itself
    body = await _inflate(raw, encoding)
    if not verify(body, signature, secrets):
        raise refused
    await take(runtime, "ingest", "VERCEL_DRAIN_SECRET")
    return body


_INFLATING = asyncio.Semaphore(2)  # inflations at once per instance: memory stays bounded


async def _inflate(raw: bytes, encoding: str | None) -> bytes:
    if not encoding or encoding.lower() == "identity":
        return raw
    async with _INFLATING:
        return await asyncio.to_thread(decompress, raw, encoding, MAX_INFLATED)


@router.post(
    "/api/drains/logs",
    summary="Receive a Vercel log drain delivery (JSON array or NDJSON, optionally gzip)",
    responses={401: {"description": "missing or wrong x-vercel-signature"}},
)
async def log_drain(request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {"ok": True, "received": 0, "accepted": 0}  # a verification probe
    body = await _verified_body(request, raw, runtime)
    request.state.principal = DRAIN
    tool = await runtime.logs()
    kept = timedelta(days=runtime.settings.log_retention_days)
    report = await tool.ingest_delivery(body, kept=kept)
    summary = report.as_dict()
    audit(
        request,
        action="drains.logs",
        received=report.received,
        accepted=report.accepted,
        duplicates=report.duplicates,
        rejected=len(report.rejected),
    )
    detection = await evaluate_on_ingest(runtime, report.projects if report.accepted else ())
    return {"ok": True, **summary, "detection": detection}


@router.get("/api/drains/traces", summary="Endpoint verification (answers with x-vercel-verify)")
async def trace_verification() -> dict[str, Any]:
    return {"ok": True}


@router.post(
    "/api/drains/traces",
    summary="Receive a Vercel trace drain delivery (OTLP/HTTP JSON or protobuf, optionally gzip)",
    responses={
        400: {"description": "not an OTLP trace export"},
        401: {"description": "missing or wrong x-vercel-signature"},
    },
)
async def trace_drain(request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {"ok": True, "received": 0, "accepted": 0}  # a verification probe
    body = await _verified_body(request, raw, runtime)
    request.state.principal = TRACE_DRAIN
    tool = await runtime.logs()
    report = await tool.ingest_traces(body, request.headers.get("content-type"))
    audit(request, action="drains.traces", **report.as_dict())
    detection = await evaluate_on_ingest(runtime, report.projects if report.accepted else ())
    return {"ok": True, **report.as_dict(), "detection": detection}
