"""Detection that does not wait for the cron: a delivery (log or trace drain, a deploy webhook,
a Sentry event) evaluates the rules about its projects right away.

Bounded: at most one such evaluation per project per EVALUATE_ON_INGEST_SECONDS (a KV key
that expires), so a burst of deliveries costs one; and never alongside the tick's own
evaluation (the evaluation lock), which then covers it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ops_agent.runtime import Runtime

MAX_PROJECTS = 5  # per delivery: a delivery for many projects waits for the tick


async def evaluate_on_ingest(runtime: Runtime, projects: Iterable[str]) -> dict[str, Any]:
    """Evaluate the rules about `projects` (names or ids), unless one did within the bound.
    Reports what was evaluated and what changed."""
    seconds = runtime.settings.evaluate_on_ingest_seconds
    wanted = sorted({p for p in projects if p})
    if seconds <= 0 or not wanted:
        return {"evaluated": False}
    kv = await runtime.kv()
    due = [p for p in wanted[:MAX_PROJECTS] if await kv.set_if_absent(f"evaluate:{p}", seconds)]
    if not due:
        return {"evaluated": False, "reason": f"evaluated within {seconds:.0f}s"}
    report = await (await runtime.alerts()).evaluate(projects=due)
    if report.skipped:
        return {"evaluated": False, "reason": report.skipped}
    return {
        "evaluated": True,
        "projects": due,
        "rules": report.rules,
        "fired": report.fired,
        "resolved": report.resolved,
    }
