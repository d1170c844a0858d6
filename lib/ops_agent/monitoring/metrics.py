"""Metrics: querying stored series, custom metrics, and pushed samples (store I/O)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from ops_agent.errors import Conflict, InvalidInput
from ops_agent.logs.timerange import parse_range
from ops_agent.monitoring.evaluate import (
    ANOMALY_HISTORY,
    ROLLUP_METRICS,
    Data,
    Rollup,
    Value,
    evaluate,
)
from ops_agent.monitoring.query import Expr, Selector, has_anomaly, parse, selectors
from ops_agent.store import Store

METRIC_NAME = r"^[A-Za-z_][A-Za-z0-9_.:]{0,127}$"


class Sample(BaseModel):
    """One pushed sample. Without an id, name + labels + timestamp identify it."""

    id: str | None = Field(default=None, max_length=200)
    name: str = Field(pattern=METRIC_NAME)
    value: float
    labels: dict[str, str] = Field(default_factory=dict, max_length=20)
    ts: datetime | None = None

    def row(self, now: datetime) -> dict[str, Any]:
        ts = self.ts or now
        if not math.isfinite(self.value):
            raise ValueError(f"{self.name}: value must be a finite number")
        key = (
            self.id
            or hashlib.sha256(
                f"{self.name}|{sorted(self.labels.items())}|{ts.isoformat()}".encode()
            ).hexdigest()[:40]
        )
        return {
            "id": key,
            "name": self.name,
            "labels": self.labels,
            "ts": ts.isoformat(),
            "value": self.value,
        }


@dataclass
class QueryResult:
    expr: str
    start: datetime
    end: datetime
    step: int
    points: list[tuple[datetime, Value]]

    @property
    def latest(self) -> Value:
        return self.points[-1][1] if self.points else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "expr": self.expr,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "step": self.step,
            "points": [[t.isoformat(), v] for t, v in self.points],
            "latest": self.latest,
        }


class Metrics:
    def __init__(self, store: Store, *, clock: Callable[[], datetime] | None = None) -> None:
        self._store = store
        self._now = clock or (lambda: datetime.now(UTC))

    async def query(
        self, expr: str, time_range: str | timedelta = "1h", step: int = 60
    ) -> QueryResult:
        """`expr` evaluated every `step` seconds over the last `time_range`. Raises QueryError
        (with a position) for a malformed query, InvalidInput for a bad range or step."""
        tree = parse(expr)
        span = parse_range(time_range)
        if not 10 <= step <= 86400 or span.total_seconds() / step > 2000:
            raise InvalidInput(
                "step must be 10 s to 1 day, and give at most 2000 points", code="invalid_step"
            )
        # Steps end on multiples of the step, so per-minute rollups fall whole into windows
        # (the minute still being filled is left for the next evaluation).
        now = self._now().timestamp()
        end = datetime.fromtimestamp(now - now % step, UTC)
        start = end - span
        reach = timedelta(seconds=ANOMALY_HISTORY) if has_anomaly(tree) else timedelta(0)
        data = await self._data(tree, start - reach, end, step)
        n = int(span.total_seconds() // step)
        stamps = [end.timestamp() - step * (n - 1 - i) for i in range(n)]
        values = evaluate(tree, data, stamps, step)
        points = [(datetime.fromtimestamp(t, UTC), v) for t, v in zip(stamps, values, strict=True)]
        return QueryResult(expr, start, end, step, points)

    async def _data(self, tree: Expr, start: datetime, end: datetime, step: int) -> Data:
        data = Data()
        definitions = await self.custom_metrics()
        pending = list(selectors(tree))
        depth = 0
        while pending and depth < 6:
            nxt: list[Selector] = []
            for selector in pending:
                name = selector.name
                if name in definitions and name not in ROLLUP_METRICS:
                    if name not in data.definitions:
                        data.definitions[name] = parse(definitions[name])
                        nxt += selectors(data.definitions[name])
                    continue
                window = timedelta(seconds=selector.window or 7 * 86400)
                since = start - min(window, timedelta(days=7))
                filters = [{"label": lbl, "op": op, "value": v} for lbl, op, v in selector.matchers]
                if name in ROLLUP_METRICS:
                    rows = await self._store.rpc(
                        "ops_metric_rollup_series",
                        {"p_from": since, "p_to": end, "p_filters": filters},
                    )
                    data.rollups[selector] = [_rollup(r) for r in rows]
                else:
                    rows = await self._store.rpc(
                        "ops_metric_sample_series",
                        {
                            "p_name": name,
                            "p_from": since,
                            "p_to": end + timedelta(seconds=1),
                            "p_filters": filters,
                        },
                    )
                    data.samples[selector] = [(float(t), float(v)) for t, v in rows]
            pending, depth = nxt, depth + 1
        return data

    async def ingest(self, samples: Sequence[Sample]) -> dict[str, int]:
        """Store pushed samples; a sample id (or name, labels and time) seen before is skipped."""
        now = self._now()
        rows = list({r["id"]: r for r in (s.row(now) for s in samples)}.values())
        out = await self._store.rpc("ops_metric_samples_ingest", {"p_samples": rows})
        return {"received": len(samples), "inserted": int(out["inserted"])}

    async def add_custom_metric(
        self, name: str, query: str, *, description: str | None = None, actor: str = "api"
    ) -> dict[str, Any]:
        """Name a query so that other queries, dashboards and alert rules can use it."""
        if name in ROLLUP_METRICS:
            raise Conflict(f"{name} is a built-in metric")
        parse(query)
        row: dict[str, Any] = await self._store.rpc(
            "ops_metric_definition_upsert",
            {"p_name": name, "p_query": query, "p_description": description, "p_actor": actor},
        )
        return row

    async def custom_metrics(self) -> dict[str, str]:
        rows = await self._store.rpc("ops_metric_definition_list")
        return {r["name"]: r["query"] for r in rows}


def _rollup(row: dict[str, Any]) -> Rollup:
    minute = row["minute"]
    moment = minute if isinstance(minute, datetime) else datetime.fromisoformat(minute)
    return Rollup(
        minute=moment.timestamp(),
        requests=int(row["requests"]),
        status_4xx=int(row["status_4xx"]),
        status_5xx=int(row["status_5xx"]),
        duration_count=int(row["duration_count"]),
        duration_sum=float(row["duration_sum"]),
        buckets=tuple(int(b) for b in row["buckets"]),
    )
