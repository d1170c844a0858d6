"""`ops-agent serve --sandbox`: the agent, with the sandbox's Vercel feeding it live, in real time.

The shop's traffic flows into the log drain every few seconds, builds finish and send their
webhooks, and Vercel Cron's tick runs every minute, so the dashboard shows live data. Every
`cycle_minutes` the sandbox ships a bad release, which the agent should detect and roll back,
then a fixed one; the notifications it sends are printed to the console.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx
import yaml
from fastapi import FastAPI
from pydantic import SecretStr

from ops_agent.http.local import local_app
from ops_agent.kv import KV
from ops_agent.runtime import Runtime
from ops_agent.sandbox.clock import ScenarioClock
from ops_agent.sandbox.feed import send_traffic, send_webhooks
from ops_agent.sandbox.result import kind_of, title_of
from ops_agent.sandbox.scenarios import BAD_RELEASE, ERROR_RULE, LATENCY_RULE
from ops_agent.sandbox.servers import Receiver, Served, new_secret
from ops_agent.sandbox.vercel import SandboxVercel
from ops_agent.settings import Settings
from ops_agent.store import Store

log = logging.getLogger(__name__)

PUMP_SECONDS = 5.0


def _announce(item: dict[str, Any]) -> None:
    print(f"[sandbox] notification {kind_of(item)}: {title_of(item)}", file=sys.stderr, flush=True)


def sandbox_app(
    settings: Settings,
    *,
    cycle_minutes: int = 20,
    rate: float = 2.0,
    build_seconds: float = 20,
    pump_seconds: float = PUMP_SECONDS,
    store: Store | None = None,
    kv: KV | None = None,
) -> FastAPI:
    """The local app of every function, wired to a live sandbox. `store` and `kv`, when given,
    are the caller's (and stay open). Otherwise the sandbox keeps its own embedded store and
    KV in `<OPS_AGENT_DATA_DIR>/sandbox`, whatever else is configured: its deployments, alerts
    and services never reach a real setup's data."""
    clock = ScenarioClock(speed=1.0)
    sandbox = SandboxVercel(clock.now, build_seconds=build_seconds)
    hook_secret = new_secret()
    receiver = Receiver(hook_secret, _announce)
    webhook_secret, drain_secret, cron_secret = (secrets.token_urlsafe(24) for _ in range(3))
    data_dir = settings.ops_agent_data_dir / "sandbox"
    config = data_dir / "sandbox.yaml"
    s = settings.model_copy(
        update={
            "ops_agent_data_dir": data_dir,
            # The embedded store and KV of the sandbox's own folder, never the configured ones.
            "database_url": None,
            "supabase_url": None,
            "supabase_service_role_key": None,
            "upstash_redis_rest_url": None,
            "upstash_redis_rest_token": None,
            "redis_url": None,
            "vercel_token": SecretStr(sandbox.token),
            "vercel_team_id": None,
            "vercel_project": sandbox.project.name,
            "vercel_webhook_secret": SecretStr(webhook_secret),
            "vercel_drain_secret": SecretStr(drain_secret),
            "cron_secret": SecretStr(cron_secret),
            "notify_webhook_secret": SecretStr(hook_secret),
            "notify_allowed_hosts": "127.0.0.1",
            "monitor_allowed_hosts": "127.0.0.1",
            "alert_channels": "webhook",
            "monitor_config": config,
            "vercel_job_poll_seconds": 0.05,
        }
    )
    runtime = Runtime(s, store=store, kv=kv, clock=clock.now)
    app = local_app(crons=True, runtime=runtime)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[None]:
        async with Served(sandbox.app) as vercel, Served(receiver.app) as hooks:
            s.vercel_api_url = vercel.url
            s.notify_webhook_url = SecretStr(f"{hooks.url}/hooks/ops")
            config.parent.mkdir(parents=True, exist_ok=True)
            config.write_text(
                yaml.safe_dump(
                    {
                        "services": [
                            {
                                "name": "shop-web",
                                "url": f"{vercel.url}/health",
                                "project": "shop",
                                "conditions": ["[STATUS] == 200"],
                            }
                        ],
                        "alerts": [ERROR_RULE, LATENCY_RULE],
                    }
                ),
                encoding="utf-8",
            )
            async with inner(a):
                pump = asyncio.create_task(
                    _pump(
                        a,
                        sandbox,
                        clock,
                        (webhook_secret, drain_secret),
                        cycle_minutes,
                        rate,
                        pump_seconds,
                    )
                )
                print(
                    f"[sandbox] Vercel sandbox on {vercel.url}, notifications to {hooks.url}; "
                    f"a bad release ships 4 min into every {cycle_minutes} min cycle",
                    file=sys.stderr,
                    flush=True,
                )
                try:
                    yield
                finally:
                    pump.cancel()
                    if store is None:
                        await runtime.close()
                    else:
                        await runtime.close_tools()

    app.router.lifespan_context = lifespan
    return app


async def _pump(
    app: FastAPI,
    sandbox: SandboxVercel,
    clock: ScenarioClock,
    secrets_: tuple[str, str],
    cycle_minutes: int,
    rate: float,
    every: float,
) -> None:
    """Traffic, builds and webhooks, every `every` seconds, until cancelled."""
    webhook_secret, drain_secret = secrets_
    start = clock.now()
    sandbox.push("initial release")
    shipped: set[tuple[int, str]] = set()
    last = clock.now()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        while True:
            await asyncio.sleep(every)
            try:
                now = clock.now()
                _script(sandbox, start, now, cycle_minutes, shipped)
                await _deliver(http, sandbox, last, now, drain_secret, webhook_secret, rate)
                last = now
            except Exception:  # keep the sandbox alive; the next pump tries again
                log.exception("sandbox pump failed")


def _script(
    sandbox: SandboxVercel,
    start: datetime,
    now: datetime,
    cycle_minutes: int,
    shipped: set[tuple[int, str]],
) -> None:
    minutes = int((now - start).total_seconds() // 60)
    cycle, minute = divmod(minutes, cycle_minutes)
    if minute >= 4 and (cycle, "bad") not in shipped:
        shipped.add((cycle, "bad"))
        sandbox.push(f"feat: new cart pricing (cycle {cycle})", BAD_RELEASE)
    if minute >= cycle_minutes - 5 and (cycle, "fix") not in shipped:
        shipped.add((cycle, "fix"))
        sandbox.push(f"fix: cart pricing (cycle {cycle})")


async def _deliver(
    http: httpx.AsyncClient,
    sandbox: SandboxVercel,
    last: datetime,
    now: datetime,
    drain_secret: str,
    webhook_secret: str,
    rate: float,
) -> None:
    seconds = (now - last).total_seconds()
    await send_traffic(http, sandbox, last, seconds, drain_secret, rate=rate, seed=0)
    sandbox.advance()
    await send_webhooks(http, sandbox, webhook_secret)
