"""What the sandbox sends the agent, signed as Vercel signs it: log drain batches of the live
deployment's traffic, and the deployment webhooks it owes. Shared by the scenario runner and
`serve --sandbox`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx

from ops_agent.sandbox.traffic import HEALTHY, Behaviour, entries
from ops_agent.sandbox.vercel import SandboxVercel
from ops_agent.vercel.signature import sign


async def post_signed(
    http: httpx.AsyncClient, path: str, payload: Any, secret: str
) -> httpx.Response:
    """POST `payload` as JSON with `x-vercel-signature`; raises on an error status."""
    body = json.dumps(payload).encode()
    response = await http.post(
        path,
        content=body,
        headers={"content-type": "application/json", "x-vercel-signature": sign(body, secret)},
    )
    response.raise_for_status()
    return response


async def send_traffic(
    http: httpx.AsyncClient,
    sandbox: SandboxVercel,
    start: datetime,
    seconds: float,
    drain_secret: str,
    *,
    rate: float,
    seed: int,
    deployment_id: str | None = None,
    behaviour: Behaviour | None = None,
) -> httpx.Response | None:
    """The traffic of `seconds` from `start` to the log drain: the live deployment's, or the
    given one's. None when nothing serves."""
    serving = sandbox.live()
    if deployment_id is None:
        if serving is None:
            return None
        deployment_id, behaviour = serving.id, serving.behaviour
    batch = entries(
        project_id=sandbox.project.id,
        project_name=sandbox.project.name,
        deployment_id=deployment_id,
        host=f"{sandbox.project.name}.sandbox.vercel.app",
        start=start,
        seconds=seconds,
        behaviour=behaviour or HEALTHY,
        rate_per_second=rate,
        seed=seed,
    )
    return await post_signed(http, "/api/drains/logs", batch, drain_secret)


async def send_webhooks(
    http: httpx.AsyncClient, sandbox: SandboxVercel, webhook_secret: str
) -> list[dict[str, Any]]:
    """Deliver the webhooks the sandbox owes, in order; return them."""
    outbox, sandbox.outbox = sandbox.outbox, []
    for envelope in outbox:
        await post_signed(http, "/api/webhooks/vercel", envelope, webhook_secret)
    return outbox
