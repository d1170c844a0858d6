"""One cron tick: observe -> orient -> decide -> act, time-budgeted, under a cluster-wide
lock, then housekeeping.

- observe (`observe.py`): due health checks run; pending facts are read (failed builds,
  Sentry events, releases, service changes); new log anomalies are published.
- orient (`orient.py`): evidence joins its incident's timeline; the alert rules are evaluated
  (fire, resolve, notify, remind, escalate), which hands back a `Situation`.
- decide (`act/decide.py`, pure): remediation candidates from the situation, failed builds to
  diagnose, anomalies paired with their bound playbooks.
- act (`act/phase.py`, then tasks, FAQ learnings, the daily digest): plans under the guards,
  executions, verifications.

Each phase reads what the one before produced and reports what it did. A phase that would
start after the budget is spent is deferred to the next tick; an observation is consumed only
by the phase that handled it, so a failure is retried on the next tick.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ops_agent.agent.act.decide import Decisions, decide
from ops_agent.agent.act.phase import act
from ops_agent.agent.act.tools import Tools
from ops_agent.agent.digest import daily_digest
from ops_agent.agent.executor import TaskExecutor
from ops_agent.agent.learnings import share_learnings
from ops_agent.agent.observe import Observed, observe
from ops_agent.agent.orient import Oriented, orient
from ops_agent.agent.queue import TaskQueue
from ops_agent.monitoring.config import load_config
from ops_agent.runtime import Runtime
from ops_agent.store import Store

log = logging.getLogger(__name__)

TICK_LOCK = "lock:tick"

Phase = Callable[[float], Awaitable[dict[str, Any]]]
"""A phase gets the seconds left in the budget and returns what it did."""


@dataclass
class TickReport:
    status: str  # "ran" or "skipped"
    reason: str | None = None
    phases: list[dict[str, Any]] = field(default_factory=list)
    duration_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "phases": self.phases,
            "duration_ms": self.duration_ms,
        }


@dataclass
class Loop:
    """One pass of observe -> orient -> decide -> act over a runtime; each phase reads what
    the one before it produced (a phase that did not run leaves None, and the next ones work
    with what there is)."""

    runtime: Runtime
    monitoring: bool = True
    observed: Observed | None = None
    oriented: Oriented | None = None
    decisions: Decisions | None = None

    async def observe(self, budget: float | None = None) -> dict[str, Any]:
        bindings = load_config(self.runtime.settings.monitor_config).anomalies
        self.observed = await observe(
            self.runtime, bindings, monitoring=self.monitoring, budget=budget
        )
        return self.observed.summary()

    async def orient(self) -> dict[str, Any]:
        evidence = self.observed.evidence if self.observed else []
        self.oriented = await orient(self.runtime, evidence)
        return self.oriented.summary()

    async def decide(self) -> dict[str, Any]:
        observed = self.observed or Observed()
        evaluation = self.oriented.evaluation if self.oriented else None
        bindings = load_config(self.runtime.settings.monitor_config).anomalies
        self.decisions = decide(
            evaluation.situation if evaluation else None,
            observed.failed_builds,
            observed.anomalies,
            bindings,
        )
        return self.decisions.summary()

    async def act(self) -> dict[str, Any]:
        return await act(await Tools.of(self.runtime), self.decisions or Decisions())

    async def tasks(self, budget: float) -> dict[str, Any]:
        """Tasks from people and agents that were queued, highest priority first."""
        executor = TaskExecutor(self.runtime, actor="agent")
        return await TaskQueue(await self.runtime.store()).run(executor, budget)


def phases(loop: Loop, store: Store) -> list[tuple[str, Phase]]:
    """The tick's phases in order: observe, orient, decide, act, then housekeeping."""
    from ops_agent.agent import housekeeping as hk
    from ops_agent.agent.pull import observe_vercel

    runtime = loop.runtime
    s = runtime.settings
    return [
        ("observe.vercel", lambda left: observe_vercel(runtime, min(left, 20.0))),
        ("observe", loop.observe),
        ("orient", lambda left: loop.orient()),
        ("decide", lambda left: loop.decide()),
        ("act.remediation", lambda left: loop.act()),
        ("act.tasks", loop.tasks),
        ("act.share_learnings", lambda left: share_learnings(runtime)),
        ("act.daily_digest", lambda left: daily_digest(runtime)),
        (
            "housekeeping.audit_retention",
            lambda left: hk.purge_old_audit(store, s.audit_retention_days, left),
        ),
        ("housekeeping.webhook_dedup", lambda left: hk.purge_old_webhooks(store, left)),
        ("housekeeping.observations", lambda left: hk.purge_old_observations(store, left)),
        (
            "housekeeping.check_retention",
            lambda left: hk.purge_old_checks(store, s.monitor_retention_days, left),
        ),
        (
            "housekeeping.metric_retention",
            lambda left: hk.purge_old_metrics(store, s.monitor_retention_days, left),
        ),
        (
            "housekeeping.log_retention",
            lambda left: hk.purge_old_logs(store, s.log_retention_days, left),
        ),
    ]


async def run_tick(runtime: Runtime, *, monitoring: bool = True) -> TickReport:
    """Run every phase once, unless another tick holds the lock. A phase that fails is
    reported and the others still run. `monitoring=False` leaves out health checks and log
    anomaly detection (alerts, remediation, tasks and housekeeping still run)."""
    started = time.monotonic()
    settings = runtime.settings
    budget = settings.tick_budget_seconds
    store, kv = await runtime.store(), await runtime.kv()
    # The tick's own tools, over the shared store and KV: closing them at the end cannot pull
    # a client from under a request the same instance is serving.
    runtime = Runtime(settings, store=store, kv=kv, clock=runtime.now)
    lock = await kv.try_lock(TICK_LOCK, ttl=settings.tick_lock_seconds)
    if lock is None:
        return TickReport(status="skipped", reason="another tick is running")
    report = TickReport(status="ran")
    try:
        for name, phase in phases(Loop(runtime, monitoring), store):
            left = budget - (time.monotonic() - started)
            if left <= 0:
                report.phases.append({"name": name, "status": "deferred"})
                continue
            phase_started = time.monotonic()
            try:
                result = await phase(left)
                status = "ok"
            except Exception as exc:
                log.exception("tick phase failed", extra={"phase": name})
                result, status = {"error": type(exc).__name__}, "failed"
            report.phases.append(
                {
                    "name": name,
                    "status": status,
                    "result": result,
                    "duration_ms": round((time.monotonic() - phase_started) * 1000, 2),
                }
            )
    finally:
        await lock.release()
        await runtime.close_tools()
    report.duration_ms = round((time.monotonic() - started) * 1000, 2)
    return report
