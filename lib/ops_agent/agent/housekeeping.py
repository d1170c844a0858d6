"""Housekeeping the tick runs: retention of what the agent stores, in bounded batches."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ops_agent.plausible import WEBHOOK_DEDUP_DAYS
from ops_agent.store import Store

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


OBSERVATION_DAYS = 30
"""Observations are kept a month: long past any redelivery that could repeat them."""


async def purge_old_observations(store: Store, budget: float) -> dict[str, Any]:
    """Forget observations older than OBSERVATION_DAYS."""
    cutoff = datetime.now(UTC) - timedelta(days=OBSERVATION_DAYS)

    async def purge(before: datetime, batch: int) -> int:
        out = await store.rpc("ops_observation_purge", {"p_older_than": before, "p_batch": batch})
        return int(out["deleted"])

    return await purge_in_batches(purge, cutoff, budget)
