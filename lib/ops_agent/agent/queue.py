"""The task queue: tasks from people and agents wait here, highest priority first, until a
tick (or a worker) runs them. A retried request with the same idempotency key finds its first
task instead of queueing a second one."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ops_agent.agent import language
from ops_agent.agent.language.intents import TaskNotUnderstood
from ops_agent.severity import PRIORITY_RANK, Priority
from ops_agent.store import Store

if TYPE_CHECKING:
    from ops_agent.agent.executor import TaskExecutor

PRIORITY_NAME: dict[int, Priority] = {0: "low", 1: "normal", 2: "high", 3: "critical"}
STALE_SECONDS = 600
"""A task claimed this long ago by a tick that never finished it is queued again."""


class TaskQueue:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def enqueue(
        self,
        task: str | dict[str, Any],
        priority: Priority,
        actor: str,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Validate and queue a task (TaskNotUnderstood when it is not one); the row has
        `duplicate: true` when the key was seen before."""
        intent = language.parse_task(task)
        body = {"task": task} if isinstance(task, str) else task
        row: dict[str, Any] = await self._store.rpc(
            "ops_task_enqueue",
            {
                "p_task": {
                    "idempotency_key": idempotency_key,
                    "priority": PRIORITY_RANK[priority],
                    "task": body,
                    "intent": intent.intent,
                    "actor": actor,
                }
            },
        )
        return public(row)

    async def get(self, task_id: str) -> dict[str, Any] | None:
        row = await self._store.rpc("ops_task_get", {"p_id": task_id})
        return public(row) if row else None

    async def list(self, status: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        rows = await self._store.rpc("ops_task_list", {"p_status": status, "p_limit": limit})
        return [public(r) for r in rows]

    async def run(self, agent: TaskExecutor, budget: float, batch: int = 5) -> dict[str, Any]:
        """Run queued tasks, highest priority first, until the queue is empty or `budget`
        seconds are spent (a claimed batch is always finished)."""
        deadline = time.monotonic() + budget
        requeued = await self._store.rpc(
            "ops_task_requeue_stale", {"p_stale_seconds": STALE_SECONDS}
        )
        done: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            claimed = await self._store.rpc("ops_task_claim", {"p_limit": batch})
            if not claimed:
                break
            for row in claimed:
                body = row["task"]
                task = body.get("task", body)
                try:
                    result = await agent.execute_task(
                        task, PRIORITY_NAME[int(row["priority"])], actor=row["actor"]
                    )
                except TaskNotUnderstood as exc:  # e.g. no project named and none configured
                    result = {"intent": row["intent"], "status": "failed", "error": exc.message}
                status = "failed" if result.get("status") == "failed" else "done"
                await self._store.rpc(
                    "ops_task_finish",
                    {"p_id": str(row["id"]), "p_status": status, "p_result": result},
                )
                done.append({"id": str(row["id"]), "intent": row["intent"], "status": status})
        return {"ran": done, "requeued": int(requeued or 0)}


def public(row: dict[str, Any]) -> dict[str, Any]:
    """A task as the API shows it: priority by name, ids as strings."""
    out = {k: v for k, v in row.items() if k != "idempotency_key"}
    out["id"] = str(row["id"])
    out["priority"] = PRIORITY_NAME.get(int(row["priority"]), "normal")
    return out
