"""`ops-agent sandbox vercel`: the local Vercel double on its own, on the wall clock.

Point `VERCEL_API_URL` at it (and `VERCEL_TOKEN` at its token) and every DeploymentTool call
works end to end: builds go QUEUED, BUILDING, READY as seconds pass, promote and rollback
jobs finish asynchronously. With a webhook URL it delivers the webhooks Vercel would send,
signed with the secret (`x-vercel-signature`), as Vercel does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
from fastapi import FastAPI

from ops_agent.sandbox.vercel import LinkType, Plan, SandboxVercel
from ops_agent.vercel.signature import sign

log = logging.getLogger(__name__)
MAX_UNDELIVERED = 1000  # webhooks kept when nothing takes them


def standalone(
    projects: Sequence[str] = ("shop",),
    *,
    token: str = "sandbox-token",  # noqa: S107 (a local double's token)
    plan: Plan = "pro",
    link_type: LinkType | None = "github",
    build_seconds: float = 20,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    tick_seconds: float = 1.0,
) -> tuple[SandboxVercel, FastAPI]:
    """The double and an app that serves it, moving builds and jobs along every
    `tick_seconds` and delivering webhooks to `webhook_url` when given."""
    names = list(projects) or ["shop"]
    sandbox = SandboxVercel(
        lambda: datetime.now(UTC),
        token=token,
        project=names[0],
        projects=names[1:],
        build_seconds=build_seconds,
        plan=plan,
        link_type=link_type,
    )

    async def pump() -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            while True:
                sandbox.advance()
                outbox, sandbox.outbox = sandbox.outbox, []
                if webhook_url and webhook_secret:
                    for envelope in outbox:
                        body = json.dumps(envelope).encode()
                        headers = {
                            "content-type": "application/json",
                            "x-vercel-signature": sign(body, webhook_secret),
                        }
                        try:
                            await http.post(webhook_url, content=body, headers=headers)
                        except httpx.HTTPError as exc:
                            log.warning("webhook %s not delivered: %s", envelope["type"], exc)
                elif outbox:
                    sandbox.outbox = outbox[-MAX_UNDELIVERED:]
                await asyncio.sleep(tick_seconds)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(pump())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    sandbox.app.router.lifespan_context = lifespan
    return sandbox, sandbox.app
