"""What the sandbox sends the agent, signed as Vercel signs it: log drain batches of the live
deployment's traffic, and the deployment webhooks it owes. Shared by the scenario runner and
`serve --sandbox`."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta
from typing import Any

import httpx

from ops_agent.sandbox.traffic import (
    HEALTHY,
    Behaviour,
    Request,
    Where,
    build_lines,
    log_lines,
    requests,
    runtime_rows,
    to_protobuf,
    trace_export,
)
from ops_agent.sandbox.vercel import SandboxVercel
from ops_agent.vercel.signature import sign


async def post_signed(
    http: httpx.AsyncClient,
    path: str,
    payload: Any,
    secret: str,
    *,
    body: bytes | None = None,
    content_type: str = "application/json",
    gzip_it: bool = False,
) -> httpx.Response:
    """POST `payload` (or the raw `body`) signed as Vercel signs it: `x-vercel-signature` is the
    HMAC-SHA1 of the bytes sent. Raises on an error status."""
    raw = body if body is not None else json.dumps(payload).encode()
    headers = {"content-type": content_type}
    if gzip_it:
        raw = gzip.compress(raw)
        headers["content-encoding"] = "gzip"
    headers["x-vercel-signature"] = sign(raw, secret)
    response = await http.post(path, content=raw, headers=headers)
    response.raise_for_status()
    return response


def serve(
    sandbox: SandboxVercel,
    start: datetime,
    seconds: float,
    *,
    rate: float,
    seed: int,
    deployment_id: str | None = None,
    behaviour: Behaviour | None = None,
) -> tuple[Where, list[Request]] | None:
    """The requests the live deployment (or the given one) served for `seconds` from `start`;
    None when nothing serves."""
    if deployment_id is None:
        serving = sandbox.live()
        if serving is None:
            return None
        deployment_id, behaviour = serving.id, serving.behaviour
    where = Where(
        project_id=sandbox.project.id,
        project_name=sandbox.project.name,
        deployment_id=deployment_id,
        host=f"{sandbox.project.name}.sandbox.vercel.app",
    )
    reqs = requests(
        where,
        start=start,
        seconds=seconds,
        behaviour=behaviour or HEALTHY,
        rate_per_second=rate,
        seed=seed,
    )
    return where, reqs


def log_traffic(
    sandbox: SandboxVercel, start: datetime, seconds: float, *, rate: float, seed: int
) -> int:
    """The live deployment's traffic kept where a plan without drains can read it: the double's
    runtime logs (`GET .../runtime-logs`). Returns how many requests were served."""
    served = serve(sandbox, start, seconds, rate=rate, seed=seed)
    if served is None:
        return 0
    where, reqs = served
    sandbox.log_runtime(where.deployment_id, runtime_rows(where, reqs))
    return len(reqs)


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
    """The traffic of `seconds` from `start`, the live deployment's or the given one's, as
    Vercel's drains deliver it: log lines to the log drain (JSON or NDJSON, sometimes gzip)
    and server spans to the trace drain (OTLP JSON or protobuf). Returns the log drain's
    answer; None when nothing serves."""
    span = timedelta(seconds=seconds)
    served = serve(
        sandbox,
        start,
        seconds,
        rate=rate,
        seed=seed,
        deployment_id=deployment_id,
        behaviour=behaviour,
    )
    if served is None:
        return None
    where, reqs = served
    lines = log_lines(where, reqs, seed=seed)
    for d in sandbox.deployments.values():  # builds log to the drain as they run
        if d.state in ("BUILDING", "ERROR") and d.building and start <= d.building < start + span:
            at = Where(where.project_id, where.project_name, d.id, where.host)
            lines += build_lines(at, d.log, int(d.building.timestamp() * 1000))
    # Vercel delivers either encoding, compressed or not: take turns, so every one is used.
    turn = seed % 4
    if turn % 2:
        ndjson = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        response = await post_signed(
            http,
            "/api/drains/logs",
            None,
            drain_secret,
            body=ndjson.encode(),
            content_type="application/x-ndjson",
            gzip_it=turn == 3,
        )
    else:
        response = await post_signed(
            http, "/api/drains/logs", lines, drain_secret, gzip_it=turn == 2
        )
    export = trace_export(where, reqs)
    if turn < 2:
        await post_signed(http, "/api/drains/traces", export, drain_secret)
    else:
        await post_signed(
            http,
            "/api/drains/traces",
            None,
            drain_secret,
            body=to_protobuf(export),
            content_type="application/x-protobuf",
            gzip_it=turn == 3,
        )
    return response


async def send_webhooks(
    http: httpx.AsyncClient, sandbox: SandboxVercel, webhook_secret: str
) -> list[dict[str, Any]]:
    """Deliver the webhooks the sandbox owes, in order; return them."""
    outbox, sandbox.outbox = sandbox.outbox, []
    for envelope in outbox:
        await post_signed(http, "/api/webhooks/vercel", envelope, webhook_secret)
    return outbox
