"""One cron tick: a time-budgeted run of phases under a cluster-wide lock.

Phases are independent coroutines; each reports what it did. A phase that would start after the
budget is spent is skipped and runs on the next tick instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ops_agent.kv import KV
from ops_agent.settings import Settings
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


WEBHOOK_DEDUP_DAYS = 7
"""Vercel retries a webhook for 24 h; its delivery id is remembered for a week."""

Purge = Callable[[datetime, int], Awaitable[int]]


async def purge_in_batches(purge: Purge, cutoff: datetime, budget: float) -> dict[str, Any]:
    """Call `purge(cutoff, batch)` until it deletes less than a batch or the budget is spent."""
    deadline = time.monotonic() + budget
    deleted, batch = 0, 5000
    while time.monotonic() < deadline:
        n = await purge(cutoff, batch)
        deleted += n
        if n < batch:
            return {"deleted": deleted, "done": True}
    return {"deleted": deleted, "done": False}


async def purge_old_audit(store: Store, retention_days: int, budget: float) -> dict[str, Any]:
    """Delete audit entries past retention, in bounded batches, until done or out of budget."""
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    return await purge_in_batches(
        lambda before, batch: store.purge_audit(before, batch=batch), cutoff, budget
    )


async def purge_old_webhooks(store: Store, budget: float) -> dict[str, Any]:
    """Forget webhook delivery ids older than WEBHOOK_DEDUP_DAYS."""
    from ops_agent.deployments.records import DeploymentHistory

    history = DeploymentHistory(store)
    cutoff = datetime.now(UTC) - timedelta(days=WEBHOOK_DEDUP_DAYS)
    return await purge_in_batches(
        lambda before, batch: history.purge_webhooks(before, batch=batch), cutoff, budget
    )


async def purge_old_logs(store: Store, retention_days: int, budget: float) -> dict[str, Any]:
    """Delete log entries older than LOG_RETENTION_DAYS, in bounded batches."""
    from ops_agent.logs.records import LogRecords

    records = LogRecords(store)
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    return await purge_in_batches(
        lambda before, batch: records.purge(before, batch=batch), cutoff, budget
    )


async def run_health_checks(settings: Settings, store: Store) -> dict[str, Any]:
    """Run the health checks that are due."""
    from ops_agent.monitoring import MonitoringTool

    tool = MonitoringTool(store, settings=settings)
    try:
        return await tool.run_due()
    finally:
        await tool.aclose()


async def purge_old_checks(store: Store, retention_days: int, budget: float) -> dict[str, Any]:
    """Delete health-check results older than MONITOR_RETENTION_DAYS."""
    from ops_agent.monitoring.records import MonitorRecords

    records = MonitorRecords(store)
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    return await purge_in_batches(
        lambda before, batch: records.purge(before, batch=batch), cutoff, budget
    )


async def purge_old_metrics(store: Store, retention_days: int, budget: float) -> dict[str, Any]:
    """Delete pushed samples and request rollups older than MONITOR_RETENTION_DAYS."""
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)

    async def purge(before: datetime, batch: int) -> int:
        out = await store.rpc("ops_metric_purge", {"p_older_than": before, "p_batch": batch})
        return int(out["deleted"])

    return await purge_in_batches(purge, cutoff, budget)


async def evaluate_and_remediate(settings: Settings, store: Store, kv: KV) -> dict[str, Any]:
    """Orient, decide, act: evaluate the alert rules (fire, resolve, notify, remind,
    escalate), then run the remediation playbooks of firing alerts under their guards."""
    from ops_agent.remediation import RemediationEngine
    from ops_agent.runtime import Runtime

    runtime = Runtime(settings, store=store, kv=kv)
    try:
        alerts = await runtime.alerts()
        report = (await alerts.evaluate()).as_dict()
        if report.get("skipped"):
            return {"alerts": report}
        return {"alerts": report, "remediation": await RemediationEngine(runtime).run(alerts)}
    finally:
        await runtime.close_tools()


async def run_tick(settings: Settings, store: Store, kv: KV) -> TickReport:
    """Run every phase once, unless another tick holds the lock."""
    started = time.monotonic()
    budget = settings.tick_budget_seconds
    lock = await kv.try_lock(TICK_LOCK, ttl=settings.tick_lock_seconds)
    if lock is None:
        return TickReport(status="skipped", reason="another tick is running")
    phases: list[tuple[str, Phase]] = [
        ("monitoring.health_checks", lambda left: run_health_checks(settings, store)),
        ("alerts.evaluate_and_remediate", lambda left: evaluate_and_remediate(settings, store, kv)),
        (
            "housekeeping.audit_retention",
            lambda left: purge_old_audit(store, settings.audit_retention_days, left),
        ),
        ("housekeeping.webhook_dedup", lambda left: purge_old_webhooks(store, left)),
        (
            "housekeeping.check_retention",
            lambda left: purge_old_checks(store, settings.monitor_retention_days, left),
        ),
        (
            "housekeeping.metric_retention",
            lambda left: purge_old_metrics(store, settings.monitor_retention_days, left),
        ),
        (
            "housekeeping.log_retention",
            lambda left: purge_old_logs(store, settings.log_retention_days, left),
        ),
    ]
    report = TickReport(status="ran")
    try:
        for name, phase in phases:
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
    report.duration_ms = round((time.monotonic() - started) * 1000, 2)
    return report
