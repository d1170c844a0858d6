"""The log tables, through the store's SQL functions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ops_agent.logs.mining import TemplateState
from ops_agent.store import Store


class LogRecords:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def template_changes(
        self, after_version: int, limit: int = 5000
    ) -> tuple[list[TemplateState], int]:
        """Templates created or merged since `after_version`, and the version to ask from next."""
        out = await self._store.rpc(
            "ops_log_template_changes", {"p_after_version": after_version, "p_limit": limit}
        )
        states = [
            TemplateState(t["id"], list(t["tokens"]), t.get("merged_into"))
            for t in out["templates"]
        ]
        return states, int(out["version"])

    async def ingest(
        self, rows: Sequence[dict[str, Any]], templates: Sequence[dict[str, Any]]
    ) -> dict[str, int]:
        """Store entries (skipping ids already stored) and template changes in one call."""
        out = await self._store.rpc(
            "ops_drain_ingest", {"p_entries": list(rows), "p_templates": list(templates)}
        )
        return {k: int(v) for k, v in out.items()}

    async def purge(self, older_than: datetime, *, batch: int = 5000) -> int:
        out = await self._store.rpc("ops_log_purge", {"p_older_than": older_than, "p_batch": batch})
        return int(out["deleted"])

    async def search(
        self,
        filter_: dict[str, Any],
        start: datetime,
        end: datetime,
        *,
        limit: int,
        before: tuple[datetime, str] | None = None,
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self._store.rpc(
            "ops_log_search",
            {
                "p_filter": filter_,
                "p_from": start,
                "p_to": end,
                "p_limit": limit,
                "p_before_ts": before[0] if before else None,
                "p_before_id": before[1] if before else None,
            },
        )
        return rows

    async def patterns(
        self,
        start: datetime,
        end: datetime,
        *,
        project: str | None,
        min_level: str,
        bucket_seconds: int,
        limit: int,
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self._store.rpc(
            "ops_log_patterns",
            {
                "p_from": start,
                "p_to": end,
                "p_project": project,
                "p_min_level": min_level,
                "p_bucket_seconds": bucket_seconds,
                "p_limit": limit,
            },
        )
        return rows

    async def series(
        self, start: datetime, end: datetime, *, project: str | None, bucket_seconds: int
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self._store.rpc(
            "ops_log_series",
            {
                "p_from": start,
                "p_to": end,
                "p_project": project,
                "p_bucket_seconds": bucket_seconds,
            },
        )
        return rows

    async def ingest_spans(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        """Roll request spans up (`ops_trace_ingest`); spans seen before are skipped."""
        result: dict[str, Any] = await self._store.rpc("ops_trace_ingest", {"p_spans": rows})
        return result

    async def latency_series(
        self, start: datetime, end: datetime, *, project: str | None, bucket_seconds: int
    ) -> list[dict[str, Any]]:
        """Per-bucket latency histograms from the trace drain rollups (log lines carry no
        duration): `[{bucket, buckets}]`."""
        rows: list[dict[str, Any]] = await self._store.rpc(
            "ops_latency_series",
            {
                "p_from": start,
                "p_to": end,
                "p_project": project,
                "p_bucket_seconds": bucket_seconds,
            },
        )
        return rows

    async def template_series(
        self,
        template_ids: Sequence[str],
        start: datetime,
        end: datetime,
        *,
        project: str | None,
        bucket_seconds: int,
    ) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = await self._store.rpc(
            "ops_log_template_series",
            {
                "p_template_ids": list(template_ids),
                "p_from": start,
                "p_to": end,
                "p_project": project,
                "p_bucket_seconds": bucket_seconds,
            },
        )
        return out
