"""The delivery log and disabled endpoints, through the store's SQL functions."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ops_agent.notify.models import DeliveryResult
from ops_agent.store import Store


class NotificationRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int
    created_at: datetime
    channel: str
    destination: str
    status: str
    attempts: int
    error: str | None = None
    permanent: bool = False
    message_id: str | None = None
    latency_ms: float | None = None
    dedup_key: str | None = None
    alert_id: str | None = None
    kind: str | None = None
    fallback_of: str | None = None
    attempt_log: list[dict[str, Any]] = Field(default_factory=list)


class Endpoint(BaseModel):
    model_config = ConfigDict(extra="ignore")

    endpoint_key: str
    channel: str
    destination: str
    disabled_at: datetime | None = None
    reason: str | None = None


class NotificationLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def record(self, results: Sequence[tuple[DeliveryResult, dict[str, Any]]]) -> list[int]:
        """Store results (each with its dedup_key, alert_id and kind) in one round trip."""
        rows = [
            {
                **r.model_dump(
                    mode="json",
                    include={
                        "channel",
                        "destination",
                        "status",
                        "attempts",
                        "error",
                        "permanent",
                        "message_id",
                        "latency_ms",
                        "fallback_of",
                        "attempt_log",
                    },
                ),
                **context,
            }
            for r, context in results
        ]
        out = await self._store.rpc("ops_notification_record", {"p_rows": rows})
        return [int(i) for i in out["ids"]]

    async def list(
        self,
        *,
        alert_id: str | None = None,
        channel: str | None = None,
        status: str | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[NotificationRow]:
        rows = await self._store.rpc(
            "ops_notification_list",
            {
                "p_alert_id": alert_id,
                "p_channel": channel,
                "p_status": status,
                "p_before_id": before_id,
                "p_limit": limit,
            },
        )
        return [NotificationRow.model_validate(r) for r in rows]

    async def stats(self, since: datetime) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = await self._store.rpc(
            "ops_notification_stats", {"p_since": since}
        )
        return result

    async def endpoint(self, key: str) -> Endpoint | None:
        row = await self._store.rpc("ops_notification_endpoint_get", {"p_key": key})
        return Endpoint.model_validate(row) if row else None

    async def disable_endpoint(
        self, key: str, *, channel: str, destination: str, reason: str
    ) -> Endpoint:
        row = await self._store.rpc(
            "ops_notification_endpoint_disable",
            {"p_key": key, "p_channel": channel, "p_destination": destination, "p_reason": reason},
        )
        return Endpoint.model_validate(row)

    async def enable_endpoint(self, key: str) -> Endpoint | None:
        row = await self._store.rpc("ops_notification_endpoint_enable", {"p_key": key})
        return Endpoint.model_validate(row) if row else None

    async def disabled_endpoints(self) -> builtins.list[Endpoint]:
        rows = await self._store.rpc("ops_notification_endpoint_list", {"p_disabled_only": True})
        return [Endpoint.model_validate(r) for r in rows]
