"""Evaluating a parsed metrics query over fetched series. Pure.

Two kinds of series feed a query:

- request rollups (per minute, from drained logs): `requests`, `status_4xx`, `status_5xx`,
  `error_rate` (5xx / requests, a fraction), `error_rate_4xx`, and `latency_ms` (alias
  `response_time`) from a latency histogram;
- pushed samples (`POST /api/metrics/ingest`): gauges for avg/min/max/pNN and the bare name
  (its last value), increments for sum/count/rate.

A query is evaluated at each step's end over the window before it (the step, by default).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ops_agent.anomaly import Kind, score_series
from ops_agent.errors import Unprocessable
from ops_agent.histogram import histogram_quantile
from ops_agent.monitoring.query import Anomaly, Binary, Call, Expr, Number, Selector

ROLLUP_METRICS = frozenset(
    {
        "requests",
        "status_4xx",
        "status_5xx",
        "error_rate",
        "error_rate_4xx",
        "latency_ms",
        "response_time",
    }
)
QUANTILES = {"p50": 0.5, "p90": 0.9, "p95": 0.95, "p99": 0.99}
ANOMALY_HISTORY = 3 * 86400.0  # seconds of history `anomaly()` learns from before the range
ANOMALY_POINTS = 5000  # at most this many points of that history (a coarse step sees less)
COUNTS = frozenset({"requests", "status_4xx", "status_5xx"})

Value = float | None


@dataclass(frozen=True)
class Rollup:
    minute: float  # epoch seconds of the minute's start
    requests: int
    status_4xx: int
    status_5xx: int
    duration_count: int
    duration_sum: float
    buckets: tuple[int, ...]


@dataclass
class Data:
    rollups: dict[Selector, list[Rollup]] = field(default_factory=dict)
    samples: dict[Selector, list[tuple[float, float]]] = field(default_factory=dict)
    definitions: dict[str, Expr] = field(default_factory=dict)


def quantile(q: float, values: Sequence[float]) -> Value:
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _rollup_value(name: str, function: str | None, rows: Sequence[Rollup], window: float) -> Value:
    if not rows:
        return (
            None if name in ("error_rate", "error_rate_4xx", "latency_ms", "response_time") else 0.0
        )
    requests = sum(r.requests for r in rows)
    if name in ("error_rate", "error_rate_4xx"):
        hits = sum(r.status_5xx if name == "error_rate" else r.status_4xx for r in rows)
        return hits / requests if requests else None
    if name in ("latency_ms", "response_time"):
        count = sum(r.duration_count for r in rows)
        if function in QUANTILES:
            merged = [sum(col) for col in zip(*(r.buckets for r in rows), strict=True)]
            return histogram_quantile(QUANTILES[function], merged)
        if function == "count":
            return float(count)
        if function == "sum":
            return sum(r.duration_sum for r in rows)
        if function == "rate":
            return count / window
        return sum(r.duration_sum for r in rows) / count if count else None
    per_minute = [float(getattr(r, name)) for r in rows]
    total = sum(per_minute)
    if function == "rate":
        return total / window
    if function == "avg":
        return total / max(1.0, window / 60)
    if function == "min":
        return min(per_minute) if len(per_minute) >= window // 60 else 0.0
    if function == "max":
        return max(per_minute)
    if function in QUANTILES:
        return quantile(QUANTILES[function], per_minute)
    return total  # sum, count, or the bare name


def _sample_value(function: str | None, values: Sequence[float], window: float) -> Value:
    if not values:
        return None
    if function is None:
        return values[-1]
    if function == "avg":
        return sum(values) / len(values)
    if function == "sum":
        return sum(values)
    if function == "count":
        return float(len(values))
    if function == "rate":
        return sum(values) / window
    if function == "min":
        return min(values)
    if function == "max":
        return max(values)
    return quantile(QUANTILES[function], values)


def evaluate(
    expr: Expr, data: Data, timestamps: Sequence[float], step: float, *, depth: int = 0
) -> list[Value]:
    """The value of `expr` at each timestamp (None where there is none)."""
    if depth > 5:
        raise Unprocessable("custom metrics refer to each other too deeply")
    if isinstance(expr, Number):
        return [expr.value] * len(timestamps)
    if isinstance(expr, Anomaly):
        return _anomaly(expr, data, timestamps, step, depth)
    if isinstance(expr, Binary):
        left = evaluate(expr.left, data, timestamps, step, depth=depth)
        right = evaluate(expr.right, data, timestamps, step, depth=depth)
        return [_apply(expr.op, a, b) for a, b in zip(left, right, strict=True)]
    function = expr.function if isinstance(expr, Call) else None
    selector = expr.selector if isinstance(expr, Call) else expr
    window = float((expr.window if isinstance(expr, Call) else None) or selector.window or step)
    if selector.name in data.definitions and selector.name not in ROLLUP_METRICS:
        return evaluate(data.definitions[selector.name], data, timestamps, step, depth=depth + 1)
    if selector.name in ROLLUP_METRICS:
        rows = data.rollups.get(selector, [])
        keys = [r.minute for r in rows]
        return [
            _rollup_value(selector.name, function, _between(rows, keys, t - window, t), window)
            for t in timestamps
        ]
    points = data.samples.get(selector, [])
    keys = [p[0] for p in points]
    return [
        _sample_value(function, [p[1] for p in _between(points, keys, t - window, t, True)], window)
        for t in timestamps
    ]


def _anomaly(
    expr: Anomaly, data: Data, timestamps: Sequence[float], step: float, depth: int
) -> list[Value]:
    """Each timestamp's anomaly score of `expr.expr`, the detector having first read the
    history before the range at the same step."""
    if not timestamps:
        return []
    count = min(ANOMALY_POINTS, int(ANOMALY_HISTORY // step))
    history = [timestamps[0] - step * k for k in range(count, 0, -1)]
    stamps = [*history, *timestamps]
    values = evaluate(expr.expr, data, stamps, step, depth=depth)
    known = [(t, v) for t, v in zip(stamps, values, strict=True) if v is not None]
    scores = score_series([t for t, _ in known], [v for _, v in known], kind=_kind(expr.expr))
    by_time = {t: s.score for (t, _), s in zip(known, scores, strict=True)}
    return [by_time.get(t) for t in timestamps]


def _kind(expr: Expr) -> Kind:
    """What noise floor suits `expr`: counts of requests, a ratio, or a gauge."""
    selector = expr.selector if isinstance(expr, Call) else expr
    function = expr.function if isinstance(expr, Call) else None
    if isinstance(selector, Selector):
        if selector.name in COUNTS and function in (None, "sum", "count"):
            return "count"
        if selector.name.startswith("error_rate"):
            return "ratio"
    return "gauge"


def _between[T](
    rows: list[T], keys: list[float], start: float, end: float, closed: bool = False
) -> list[T]:
    """Rows keyed in [start, end), or (start, end] when `closed`."""
    if closed:
        return rows[bisect.bisect_right(keys, start) : bisect.bisect_right(keys, end)]
    return rows[bisect.bisect_left(keys, start) : bisect.bisect_left(keys, end)]


_OPS: dict[str, Callable[[float, float], Value]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b if b else None,
}


def _apply(op: str, a: Value, b: Value) -> Value:
    if a is None or b is None:
        return None
    if op in _OPS:
        return _OPS[op](a, b)
    holds = {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b, "==": a == b, "!=": a != b}[op]
    return a if holds else None
