"""Run a scenario end to end: the sandbox's Vercel, the agent and a webhook receiver, each a
real HTTP server on 127.0.0.1, stepped a minute of scenario time at a time.

Every minute: the scenario's script acts (a push, an approval, ...); the live deployment's
traffic goes to the agent's log drain, signed; builds finish and their signed webhooks go to
the agent; the clock moves on; Vercel Cron's call runs the agent's tick. Nothing is called in
process: the agent is driven only through its HTTP API, as on Vercel.
"""

from __future__ import annotations

import logging
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import yaml
from pydantic import SecretStr

from ops_agent.apikeys import issue_key
from ops_agent.http.local import local_app
from ops_agent.kv import KV
from ops_agent.runtime import Runtime
from ops_agent.sandbox.clock import ScenarioClock
from ops_agent.sandbox.feed import log_traffic, send_traffic, send_webhooks
from ops_agent.sandbox.result import Event, ScenarioResult, clock_text, judge, kind_of, title_of
from ops_agent.sandbox.scenarios import Scenario
from ops_agent.sandbox.servers import Receiver, Served, new_secret
from ops_agent.sandbox.vercel import Plan, SandboxVercel
from ops_agent.settings import Settings
from ops_agent.store import Role, Store


@dataclass
class Stage:
    """What a scenario's script can touch: the sandbox, the clock and the agent's API."""

    sandbox: SandboxVercel
    clock: ScenarioClock
    http: httpx.AsyncClient
    key: str
    start: datetime
    received: list[dict[str, Any]]  # what the webhook receiver got, signatures verified
    note: Callable[..., None] = lambda what, **detail: None  # a line in the timeline

    def at(self, minute: float) -> datetime:
        return self.start + timedelta(minutes=minute)

    async def operator(self, method: str, path: str, body: Any = None) -> Any:
        """Call the agent's API as an operator; raises on an error status."""
        response = await self.http.request(
            method, path, json=body, headers={"Authorization": f"Bearer {self.key}"}
        )
        response.raise_for_status()
        return response.json()


async def run_scenario(
    scenario: Scenario,
    settings: Settings,
    *,
    store: Store | None = None,
    kv: KV | None = None,
    start: datetime | None = None,
    rate_per_second: float = 2.0,
    on_event: Callable[[Event], None] | None = None,
    quiet: bool = False,
    plan: Plan = "pro",
    tick_every: int = 1,
) -> ScenarioResult:
    """Stage `scenario` against a fresh agent over `settings` (its store and KV, or `store` and
    `kv`), and judge what the agent did. `quiet` keeps the agent's logs to warnings, on stderr
    (the demo's stdout is its timeline or its JSON).

    `plan` is what the team's Vercel plan gives the agent. "pro": log and trace drains and
    account webhooks deliver as things happen (and evaluate rules on arrival). "hobby": none
    of them; an outside scheduler ticks every minute, and the tick reads deployments and
    runtime logs from Vercel's API. `tick_every` is how many minutes pass between ticks (the
    scheduler's pace: 1 for QStash or a Pro cron, 5 for GitHub Actions)."""
    clock = ScenarioClock(start)
    t0 = clock.now()
    sandbox = SandboxVercel(clock.now, plan=plan)
    result = ScenarioResult(scenario.name, scenario.title, t0)

    def note(what: str, **detail: Any) -> None:
        event = {"at": clock.now(), "what": what, **detail}
        result.timeline.append(event)
        if on_event is not None:
            on_event({**event, "t": clock_text(event["at"], t0)})

    hook_secret = new_secret()
    receiver = Receiver(
        hook_secret,
        lambda item: note(
            "notification received" if item["hook"] == "ops" else f"{item['hook']} received",
            kind=kind_of(item),
            title=title_of(item),
        ),
    )
    webhook_secret, drain_secret, cron_secret = (secrets.token_urlsafe(24) for _ in range(3))
    async with Served(sandbox.app) as vercel, Served(receiver.app) as hooks:
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "ops-agent.yaml"
            config.write_text(yaml.safe_dump(_config(scenario, vercel.url)), encoding="utf-8")
            s = settings.model_copy(
                update={
                    "vercel_token": SecretStr(sandbox.token),
                    "vercel_api_url": vercel.url,
                    "vercel_team_id": None,
                    "vercel_project": sandbox.project.name,
                    "vercel_webhook_secret": SecretStr(webhook_secret),
                    "vercel_drain_secret": SecretStr(drain_secret),
                    "cron_secret": SecretStr(cron_secret),
                    "notify_webhook_url": SecretStr(f"{hooks.url}/hooks/ops"),
                    "dev_agent_url": f"{hooks.url}/hooks/dev-agent",
                    "faq_agent_url": f"{hooks.url}/hooks/faq-agent",
                    "notify_webhook_secret": SecretStr(hook_secret),
                    "notify_allowed_hosts": "127.0.0.1",
                    "monitor_allowed_hosts": "127.0.0.1",
                    "alert_channels": "webhook",
                    "monitor_config": config,
                    "remediation_mode": "auto",
                    # The double finishes a promote or rollback job on the second read of the
                    # project: poll it at once rather than at Vercel's pace.
                    "vercel_job_poll_seconds": 0.01,
                    "vercel_plan": plan,
                    # The KV's bound runs on the wall clock, a scenario minute in a fraction of
                    # a second: bound evaluation on ingest in wall time that short.
                    "evaluate_on_ingest_seconds": 0.01,
                    "remediation_approval": "",
                    "remediation_verify_seconds": 600,
                    "alert_digest_hour": -1,  # a scenario is about its incident
                    **scenario.settings,
                }
            )
            runtime = Runtime(s, store=store, kv=kv, clock=clock.now)
            try:
                app = local_app(crons=False, runtime=runtime)
                if quiet:
                    _quiet_logs()
                async with (
                    Served(app) as agent,
                    httpx.AsyncClient(base_url=agent.url, timeout=120) as http,
                ):
                    key, _ = await issue_key(
                        await runtime.store(),
                        name=f"sandbox-{uuid.uuid4().hex[:8]}",
                        role=Role.OPERATOR,
                        created_by="sandbox",
                    )
                    stage = Stage(sandbox, clock, http, key, t0, receiver.received, note)
                    secrets_ = (webhook_secret, drain_secret, cron_secret)
                    began = time.monotonic()
                    await _play(
                        scenario,
                        stage,
                        result,
                        note,
                        secrets_,
                        rate_per_second,
                        plan,
                        tick_every,
                    )
                    result.wall_seconds = time.monotonic() - began
                    await _judge(scenario, stage, result)
            finally:
                if store is None:
                    await runtime.close()
    return result


def _quiet_logs() -> None:
    root = logging.getLogger()
    root.setLevel(logging.WARNING)
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sys.stderr)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _config(scenario: Scenario, vercel_url: str) -> dict[str, Any]:
    services = []
    if scenario.health_check:
        services.append(
            {
                "name": "shop-web",
                "url": f"{vercel_url}/health",
                "interval_seconds": 60,
                "timeout_seconds": 5,
                "failure_threshold": 3,
                "success_threshold": 2,
                "project": "shop",
                "conditions": ["[STATUS] == 200"],
            }
        )
    return {
        "services": services,
        "alerts": [dict(r) for r in scenario.rules],
        "anomalies": [dict(a) for a in scenario.anomalies],
    }


STEPS = 4  # slices of a scenario minute: deliveries arrive through the minute, ticks on it
STEP_SECONDS = 60 / STEPS


async def _play(
    scenario: Scenario,
    stage: Stage,
    result: ScenarioResult,
    note: Callable[..., None],
    secrets_: tuple[str, str, str],
    rate: float,
    plan: Plan = "pro",
    tick_every: int = 1,
) -> None:
    webhook_secret, drain_secret, cron_secret = secrets_
    drains = plan != "hobby"  # Hobby has no drains and no account webhooks
    sandbox, clock, http = stage.sandbox, stage.clock, stage.http
    if scenario.history_minutes and drains:
        await _backfill(stage, scenario.history_minutes, drain_secret, rate)
    first = sandbox.push("initial release")
    note("push", deployment=first, message="initial release")
    live = None
    for minute in range(scenario.minutes):
        before = set(sandbox.deployments)
        await scenario.script(stage, minute)
        for d in (sandbox.deployments[i] for i in set(sandbox.deployments) - before):
            note("push", deployment=d.id, message=d.message)
        for step in range(STEPS):
            # Each slice of the minute is served, then delivered as Vercel delivers it, seconds
            # after: to the drains (Pro), or into the runtime logs the tick reads (Hobby).
            start = clock.now()
            clock.advance(STEP_SECONDS)
            seed = minute * STEPS + step
            if drains:
                response = await send_traffic(
                    http, sandbox, start, STEP_SECONDS, drain_secret, rate=rate, seed=seed
                )
                if response is not None:
                    result.timings_ms.setdefault("drain", []).append(
                        response.elapsed.total_seconds() * 1e3
                    )
                    # Rules evaluated as the delivery arrived: what fired or resolved then.
                    detection = response.json().get("detection") or {}
                    for name in ("fired", "resolved"):
                        for alert in detection.get(name) or []:
                            note(f"alert {name}", alert=alert, on="delivery")
            else:
                log_traffic(sandbox, start, STEP_SECONDS, rate=rate, seed=seed)
            sandbox.advance()
            if drains:
                delivered = await send_webhooks(http, sandbox, webhook_secret)
            else:  # what happened, for the timeline; nothing reaches the agent
                delivered, sandbox.outbox = sandbox.outbox, []
            for envelope in delivered:
                if envelope["type"] in ("deployment.error", "deployment.succeeded"):
                    note(envelope["type"], deployment=envelope["payload"]["deployment"]["id"])
                    if envelope["type"] == "deployment.error" and result.impact_start is None:
                        result.impact_start = clock.now()
            now_live = sandbox.live()
            if now_live is not None and now_live is not live:
                note("production serves", deployment=now_live.id, message=now_live.message)
                if live is not None and result.impact_start is None and _bad(now_live):
                    result.impact_start = clock.now()
                elif result.impact_start is not None and not _bad(now_live):
                    result.restored_at = result.restored_at or clock.now()
                live = now_live
        if (minute + 1) % tick_every:
            continue  # the scheduler's next call is minutes away
        tick = await http.get("/api/cron/tick", headers={"Authorization": f"Bearer {cron_secret}"})
        tick.raise_for_status()
        report = tick.json()
        result.timings_ms.setdefault("tick", []).append(tick.elapsed.total_seconds() * 1e3)
        for phase in report["phases"]:
            if "duration_ms" in phase:
                result.timings_ms.setdefault(phase["name"], []).append(phase["duration_ms"])
        failed = [p for p in report["phases"] if p["status"] == "failed"]
        result.ticks_failed += len(failed)
        for phase in failed:
            note("tick phase failed", phase=phase["name"], error=phase["result"])
        _note_tick(report, note)


async def _backfill(stage: Stage, minutes: int, drain_secret: str, rate: float) -> None:
    """Healthy traffic from an earlier deployment for `minutes` before the start: the history
    anomaly detection compares the present with."""
    for chunk in range(minutes // 10):
        await send_traffic(
            stage.http,
            stage.sandbox,
            stage.start - timedelta(minutes=minutes - 10 * chunk),
            600,
            drain_secret,
            rate=rate,
            seed=-chunk,
            deployment_id=f"dpl_before{stage.start.strftime('%H%M')}",
        )


def _bad(d: Any) -> bool:
    b = d.behaviour
    return bool(b.error_rate > 0.05 or b.latency_ms > 500)


def _note_tick(report: dict[str, Any], note: Callable[..., None]) -> None:
    for phase in report["phases"]:
        out = phase.get("result") or {}
        if phase["name"] == "orient":
            alerts = out.get("alerts") or {}
            for name in ("fired", "resolved"):
                for alert in alerts.get(name) or []:
                    note(f"alert {name}", alert=alert)
        if phase["name"] == "act.remediation":
            for decision in (out.get("builds") or {}).get("decisions") or []:
                note("build failure diagnosed", cause=decision["cause"], plan=decision["planned"])
            for decision in out.get("anomalies") or []:
                note(
                    "anomaly",
                    kind=decision["anomaly"],
                    playbook=decision["playbook"],
                    status=decision["status"],
                    reason=decision["reason"],
                )
            remediation = out.get("remediation") or {}
            for action in remediation.get("planned") or []:
                note(
                    "remediation planned",
                    playbook=action.get("playbook"),
                    status=action["status"],
                    reason=action.get("reason"),
                )
            for action in remediation.get("executed") or []:
                note("remediation executed", status=action["status"])
            for check in remediation.get("verified") or []:
                note("remediation verified", recovered=check["recovered"])


async def _judge(scenario: Scenario, stage: Stage, result: ScenarioResult) -> None:
    """Read what the agent recorded, through its API, and score it against the scenario."""
    since = quote(stage.start.isoformat())
    history = await stage.operator("GET", f"/api/alerts/history?since={since}&limit=1000")
    listed = await stage.operator("GET", "/api/alerts/remediation?limit=500")
    actions = [
        a for a in listed["actions"] if datetime.fromisoformat(a["requested_at"]) >= stage.start
    ]

    def ready_at(deployment_id: str) -> datetime | None:
        built = stage.sandbox.deployments.get(deployment_id)
        return built.ready if built is not None else None

    judge(
        scenario,
        result,
        alerts=history["alerts"],
        actions=actions,
        kpis=await stage.operator("GET", "/api/kpis"),
        received=stage.received,
        ready_at=ready_at,
    )
