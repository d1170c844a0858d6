"""The alert rule a `monitor` task asks for: its metric as a query, and its threshold in the
metric's own unit. Pure."""

from __future__ import annotations

from typing import Any

from ops_agent.agent.language import TaskNotUnderstood

# A metric of the task language as a query of the metrics language; `{sel}` takes the
# project's label selector where the metric has one.
METRIC_QUERIES = {
    "error_rate": "error_rate{sel}[5m]",
    "p95_latency_ms": "p95(latency_ms{sel})[5m]",
    "p99_latency_ms": "p99(latency_ms{sel})[5m]",
    "p50_latency_ms": "p50(latency_ms{sel})[5m]",
    "request_rate": "rate(requests{sel}[5m])",
    "cpu_percent": "avg(system_cpu_percent)[5m]",
    "memory_percent": "avg(system_memory_percent)[5m]",
    "disk_percent": "max(system_disk_percent)[5m]",
}
# Each unit a threshold may be written in, as a factor to the metric's own unit.
_FACTORS: dict[str, dict[str | None, float]] = {
    "ratio": {"%": 0.01},
    "ms": {None: 1, "ms": 1, "s": 1000},
    "req/s": {None: 1, "req/s": 1, "req/min": 1 / 60},
    "%": {None: 1, "%": 1},
}
_KIND = {
    "error_rate": "ratio",
    "p95_latency_ms": "ms",
    "p99_latency_ms": "ms",
    "p50_latency_ms": "ms",
    "request_rate": "req/s",
    "cpu_percent": "%",
    "memory_percent": "%",
    "disk_percent": "%",
}


def threshold_value(metric: str, threshold: float, unit: str | None) -> float:
    """`threshold`, written in `unit`, in `metric`'s own unit. error_rate is a fraction: 5%
    is 0.05, and a bare number above 1 can only be a percentage (`> 5` is 5%)."""
    kind = _KIND.get(metric)
    if kind is None:
        raise TaskNotUnderstood(f"cannot monitor {metric!r}; known: {', '.join(METRIC_QUERIES)}")
    if kind == "ratio" and unit is None:
        return threshold / 100 if threshold > 1 else threshold
    factor = _FACTORS[kind].get(unit)
    if factor is None:
        raise TaskNotUnderstood(f"{metric} is not measured in {unit!r}")
    return round(threshold * factor, 9)


def monitor_condition(params: dict[str, Any]) -> str:
    """The alert condition a `monitor` task asks for: the same rule whichever way the task
    wrote its threshold (`> 5%`, `> 5`, `> 0.05`)."""
    metric = params["metric"]
    value = threshold_value(metric, float(params["threshold"]), params.get("unit"))
    project = params.get("project")
    selector = f'{{project="{project}"}}' if project else ""
    query = METRIC_QUERIES[metric].replace("{sel}", selector)
    return f"{query} {params['operator']} {value:g}"
