"""Inbound rate limits: a sliding window in the KV per caller, as the outbound limits are.

Who a request counts against depends on what it proves:
- an API key that authenticates: its own bucket, sized by the key's role;
- a signed delivery (log and trace drains, Vercel and Sentry webhooks) whose signature checks
  out: the bucket of the secret it was signed with, sized for Vercel's bursts;
- a request to any of those that proves nothing (no credential, a wrong key, a wrong
  signature): the client's address, before it is refused, so guessing keys soon meets 429
  instead of 401.
Not limited: the cron secret (ticks come from a scheduler), and routes anyone may call that
cost no store write (the health probe, which must answer within 2 s even when the KV hangs;
the dashboard's page and assets; the API docs).

A KV that cannot be reached lets the request through (and says so in the log): the limits
protect the service, and refusing everything while Redis is down would not.
"""

from __future__ import annotations

import logging
import math

from fastapi import Request

from ops_agent.http.errors import ApiError
from ops_agent.runtime import Runtime
from ops_agent.settings import Settings, parse_rate_limits

log = logging.getLogger(__name__)

DEFAULT_LIMITS: dict[str, tuple[int, float]] = {
    "anonymous": (300, 60.0),  # per client address
    "viewer": (1200, 60.0),  # per API key
    "operator": (1200, 60.0),
    "admin": (1200, 60.0),
    # Per signing secret. Vercel batches drain entries into deliveries and retries with
    # backoff, so even a busy team sends far fewer than this; refusing one would only delay.
    "ingest": (60000, 60.0),
}


def limits(settings: Settings) -> dict[str, tuple[int, float]]:
    """The defaults, with API_RATE_LIMITS over them."""
    return DEFAULT_LIMITS | parse_rate_limits(settings.api_rate_limits, "API_RATE_LIMITS")


def client_address(request: Request, settings: Settings) -> str:
    """The caller's address. On Vercel, `x-real-ip` (its edge sets it and overwrites what a
    client sends); elsewhere the peer of the socket, since any header could be forged."""
    if settings.vercel:
        forwarded = request.headers.get("x-real-ip") or request.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


async def take(runtime: Runtime, kind: str, who: str) -> None:
    """Take one request from `who`'s bucket of `kind`; ApiError 429 with Retry-After when
    it is empty."""
    count, window = limits(runtime.settings)[kind]
    try:
        verdict = await (await runtime.kv()).rate_limit(f"inbound:{kind}:{who}", count, window)
    except Exception as exc:
        log.warning("inbound rate limit not checked: %s", exc, extra={"kind": kind})
        return
    if not verdict.allowed:
        wait = max(1, math.ceil(verdict.retry_after))
        raise ApiError(
            429,
            "rate_limited",
            f"over the {kind} limit of {count} requests per {window:g}s; retry in {wait}s",
            {"limit": count, "window_seconds": window, "retry_after": wait},
            headers={"Retry-After": str(wait)},
        )


async def take_for_address(request: Request, runtime: Runtime) -> None:
    """Count a request that proved nothing against its client address."""
    await take(runtime, "anonymous", client_address(request, runtime.settings))
