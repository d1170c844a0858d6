"""The monitoring tables, through the store's SQL functions."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ops_agent.monitoring.config import ServiceCheck
from ops_agent.store import Store


class MonitorRecords:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def services(self) -> builtins.list[ServiceCheck]:
        rows = await self._store.rpc("ops_monitor_service_list")
        return [ServiceCheck.model_validate(r["config"]) for r in rows]

    async def upsert_service(self, check: ServiceCheck, actor: str) -> None:
        await self._store.rpc(
            "ops_monitor_service_upsert",
            {"p_name": check.name, "p_config": check.model_dump(mode="json"), "p_actor": actor},
        )

    async def delete_service(self, name: str) -> bool:
        out = await self._store.rpc("ops_monitor_service_delete", {"p_name": name})
        return int(out["deleted"]) > 0

    async def record(self, rows: Sequence[dict[str, Any]]) -> builtins.list[dict[str, Any]]:
        """Store results; return the state changes they caused."""
        if not rows:
            return []
        out = await self._store.rpc("ops_monitor_record", {"p_results": list(rows)})
        changes: builtins.list[dict[str, Any]] = out["changes"]
        return changes

    async def heartbeat(self, name: str, at: datetime | None = None) -> dict[str, Any]:
        args: dict[str, Any] = {"p_service": name}
        if at is not None:
            args["p_at"] = at
        row: dict[str, Any] = await self._store.rpc("ops_monitor_heartbeat", args)
        return row

    async def states(self) -> dict[str, dict[str, Any]]:
        rows = await self._store.rpc("ops_monitor_state_list")
        return {r["service"]: r for r in rows}

    async def uptime(
        self, service: str | None = None, windows: Sequence[int] = (3600, 86400, 604800)
    ) -> builtins.list[dict[str, Any]]:
        rows: builtins.list[dict[str, Any]] = await self._store.rpc(
            "ops_monitor_uptime", {"p_service": service, "p_windows": list(windows)}
        )
        return rows

    async def uptime_bars(
        self, start: datetime, end: datetime, bucket_seconds: int
    ) -> builtins.list[dict[str, Any]]:
        rows: builtins.list[dict[str, Any]] = await self._store.rpc(
            "ops_monitor_uptime_bars",
            {"p_from": start, "p_to": end, "p_bucket_seconds": bucket_seconds},
        )
        return rows

    async def results(self, service: str, limit: int = 50) -> builtins.list[dict[str, Any]]:
        rows: builtins.list[dict[str, Any]] = await self._store.rpc(
            "ops_monitor_results", {"p_service": service, "p_limit": limit}
        )
        return rows

    async def purge(self, older_than: datetime, *, batch: int = 5000) -> int:
        out = await self._store.rpc(
            "ops_monitor_purge", {"p_older_than": older_than, "p_batch": batch}
        )
        return int(out["deleted"])
