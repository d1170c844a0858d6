"""The agent's deployment history as typed records, and the store calls that keep it."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ops_agent.store import Store


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)


class TimelineEntry(Record):
    at: datetime
    state: str | None = None
    event: str | None = None
    source: str | None = None


class DeploymentRecord(Record):
    """One deployment as the agent knows it, with every state it went through."""

    id: str
    project_id: str | None = None
    project_name: str | None = None
    target: str | None = None
    state: str | None = None
    state_at: datetime | None = None
    url: str | None = None
    branch: str | None = None
    commit_sha: str | None = None
    commit_message: str | None = None
    creator: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    inspector_url: str | None = None
    created_at: datetime
    ready_at: datetime | None = None
    promoted_at: datetime | None = None
    updated_at: datetime | None = None
    timeline: list[TimelineEntry] = Field(default_factory=list)


class DeploymentAction(Record):
    """Something the agent (or an operator through it) did to a project's deployments."""

    id: int | None = None
    at: datetime | None = None
    action: str
    project_id: str | None = None
    from_deployment: str | None = None
    to_deployment: str | None = None
    actor: str
    reason: str | None = None
    outcome: str
    details: dict[str, Any] = Field(default_factory=dict)


class DeploymentStats(Record):
    total: int
    ready: int
    error: int
    canceled: int
    in_progress: int
    median_build_seconds: float | None = None

    @property
    def success_rate(self) -> float | None:
        """READY / (READY + ERROR); None when nothing finished. Canceled ones do not count."""
        finished = self.ready + self.error
        return self.ready / finished if finished else None


class RecordResult(Record):
    """What merging one fact did: the row after it, and the observation it published."""

    deployment: DeploymentRecord
    observation_id: int | None = None
    state_changed: bool = False


class IngestResult(Record):
    duplicate: bool
    results: list[RecordResult] = Field(default_factory=list)


class DeploymentHistory:
    """The deployment tables, through the store's SQL functions."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def record(self, event: dict[str, Any]) -> RecordResult:
        """Merge one fact about a deployment (see `events.py`) into its history."""
        result = await self._store.rpc("ops_deployment_record", {"p_event": event})
        return RecordResult.model_validate(result)

    async def ingest_webhook(
        self, delivery: dict[str, Any], events: Sequence[dict[str, Any]]
    ) -> IngestResult:
        """Store a webhook delivery once and merge its facts; a redelivery changes nothing."""
        result = await self._store.rpc(
            "ops_vercel_webhook_ingest", {"p_delivery": delivery, "p_events": list(events)}
        )
        return IngestResult.model_validate(result)

    async def get(self, deployment_id: str) -> DeploymentRecord | None:
        row = await self._store.rpc("ops_deployment_get", {"p_id": deployment_id})
        return DeploymentRecord.model_validate(row) if row else None

    async def list(
        self,
        *,
        project: str | None = None,
        target: str | None = None,
        states: Sequence[str] | None = None,
        branch: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before: tuple[datetime, str] | None = None,
        limit: int = 50,
    ) -> builtins.list[DeploymentRecord]:
        """Newest first; `before` is the (created_at, id) of the last row of the previous page."""
        rows = await self._store.rpc(
            "ops_deployment_list",
            {
                "p_project": project,
                "p_target": target,
                "p_states": list(states) if states else None,
                "p_branch": branch,
                "p_since": since,
                "p_until": until,
                "p_before_created": before[0] if before else None,
                "p_before_id": before[1] if before else None,
                "p_limit": limit,
            },
        )
        return [DeploymentRecord.model_validate(r) for r in rows]

    async def stats(
        self, *, project: str | None = None, target: str | None = None, since: datetime | None
    ) -> DeploymentStats:
        row = await self._store.rpc(
            "ops_deployment_stats", {"p_project": project, "p_target": target, "p_since": since}
        )
        return DeploymentStats.model_validate(row)

    async def record_action(self, action: DeploymentAction) -> DeploymentAction:
        row = await self._store.rpc(
            "ops_deployment_action_record",
            {"p_action": action.model_dump(mode="json", exclude={"id", "at"})},
        )
        return DeploymentAction.model_validate(row)

    async def actions(
        self, *, project: str | None = None, action: str | None = None, limit: int = 50
    ) -> builtins.list[DeploymentAction]:
        rows = await self._store.rpc(
            "ops_deployment_action_list",
            {"p_project": project, "p_action": action, "p_limit": limit},
        )
        return [DeploymentAction.model_validate(r) for r in rows]

    async def pinned(self, *, limit: int = 200) -> builtins.list[DeploymentAction]:
        """The projects whose production an instant rollback pinned: for each project, its
        latest production move (rollback or promote) when that was a rollback that did not
        fail. Vercel then leaves new production builds staged until one is promoted."""
        latest: dict[str | None, DeploymentAction] = {}
        for a in await self.actions(limit=limit):  # newest first
            if a.action in ("rollback", "promote") and a.outcome not in ("failed", "refused"):
                latest.setdefault(a.project_id, a)
        return [a for a in latest.values() if a.action == "rollback"]

    async def purge_webhooks(self, older_than: datetime, *, batch: int = 5000) -> int:
        """Forget webhook deliveries (the dedup record) older than `older_than`, one batch."""
        result = await self._store.rpc(
            "ops_vercel_webhook_purge", {"p_older_than": older_than, "p_batch": batch}
        )
        return int(result["deleted"])
