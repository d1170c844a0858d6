"""One cron tick: a time-budgeted run of phases under a cluster-wide lock.

Observe (health checks, failed builds, Sentry events, releases, queued tasks), orient and
decide (alert rules, log anomalies, correlation with recent deployments, remediation guards),
act (notify, remediate, share what was learned), then housekeeping. Phases are independent
coroutines; each reports what it did. A phase that would start after the budget is spent is
deferred to the next tick.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ops_agent.agent.executor import TaskExecutor
from ops_agent.agent.queue import TaskQueue
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


async def run_health_checks(runtime: Runtime) -> dict[str, Any]:
    """Run the health checks that are due."""
    return await (await runtime.monitoring()).run_due()


async def evaluate_and_remediate(runtime: Runtime) -> dict[str, Any]:
    """Orient, decide, act: evaluate the alert rules (fire, resolve, notify, remind,
    escalate), then run the remediation playbooks of firing alerts under their guards."""
    from ops_agent.agent.act import RemediationEngine

    alerts = await runtime.alerts()
    evaluation = await alerts.evaluate()
    if evaluation.skipped or evaluation.situation is None:
        return {"alerts": evaluation.as_dict()}
    remediation = await RemediationEngine(runtime).run(alerts, evaluation.situation)
    return {"alerts": evaluation.as_dict(), "remediation": remediation}


async def run_queued_tasks(runtime: Runtime, budget: float) -> dict[str, Any]:
    """Tasks from people and agents that were queued, highest priority first."""
    executor = TaskExecutor(runtime, actor="agent")
    return await TaskQueue(await runtime.store()).run(executor, budget)


def phases(runtime: Runtime, store: Store) -> list[tuple[str, Phase]]:
    """The tick's phases in order: observe, orient and decide, act, then housekeeping."""
    from ops_agent.agent import housekeeping as hk
    from ops_agent.agent import observe
    from ops_agent.agent.digest import daily_digest
    from ops_agent.agent.learnings import share_learnings

    s = runtime.settings
    return [
        ("monitoring.health_checks", lambda left: run_health_checks(runtime)),
        ("observe.failed_builds", lambda left: observe.failed_builds(runtime)),
        ("observe.evidence", lambda left: observe.evidence(runtime)),
        ("orient.anomalies", lambda left: observe.log_anomalies(runtime)),
        ("tasks.queue", lambda left: run_queued_tasks(runtime, left)),
        ("alerts.evaluate_and_remediate", lambda left: evaluate_and_remediate(runtime)),
        ("agent.share_learnings", lambda left: share_learnings(runtime)),
        ("alerts.daily_digest", lambda left: daily_digest(runtime)),
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


MONITORING_PHASES = ("monitoring.health_checks", "orient.anomalies")
"""What `monitoring=False` leaves out: the agent's own watching of services and logs."""


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
        for name, phase in phases(runtime, store):
            if not monitoring and name in MONITORING_PHASES:
                continue
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
