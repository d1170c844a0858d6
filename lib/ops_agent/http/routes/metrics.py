"""/api/metrics: queries, pushed samples, custom metrics, Prometheus exposition, system."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from ops_agent.deployments.records import DeploymentHistory
from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep, StoreDep, audit
from ops_agent.monitoring.metrics import METRIC_NAME, Metrics, Sample
from ops_agent.monitoring.prometheus import Gauge, exposition
from ops_agent.store import Role

router = APIRouter(prefix="/api/metrics", tags=["metrics"])

Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]


class SampleBatch(BaseModel):
    samples: list[Sample] = Field(min_length=1, max_length=5000)


class CustomMetric(BaseModel):
    name: str = Field(pattern=METRIC_NAME)
    query: str = Field(min_length=1, max_length=2000)
    description: str | None = Field(default=None, max_length=500)


@router.get("/query", summary="Evaluate a metrics query over a time range")
async def query(
    _: Viewer,
    store: StoreDep,
    expr: Annotated[str, Query(min_length=1, max_length=2000)],
    range: Annotated[str, Query(pattern=r"^\d+[smhdw]$")] = "1h",
    step: Annotated[int, Query(ge=10, le=86400)] = 60,
) -> dict[str, Any]:
    result = await Metrics(store).query(expr, range, step)
    return result.as_dict()


@router.post("/ingest", summary="Push system or custom metric samples (idempotent by id)")
async def ingest(
    body: SampleBatch, request: Request, _: Operator, store: StoreDep
) -> dict[str, Any]:
    result = await Metrics(store).ingest(body.samples)
    audit(
        request, action="metrics.ingest", received=result["received"], inserted=result["inserted"]
    )
    return result


@router.get("/custom", summary="Custom metrics: named queries")
async def custom(_: Viewer, store: StoreDep) -> dict[str, Any]:
    return {"metrics": await Metrics(store).custom_metrics()}


@router.post("/custom", status_code=201, summary="Name a query as a custom metric")
async def add_custom(
    body: CustomMetric, request: Request, principal: Operator, store: StoreDep
) -> dict[str, Any]:
    audit(request, action="metrics.custom.add", target=body.name)
    return await Metrics(store).add_custom_metric(
        body.name, body.query, description=body.description, actor=principal.name
    )


@router.get(
    "/prometheus",
    summary="The agent's current figures in Prometheus text format",
    response_class=PlainTextResponse,
)
async def prometheus(_: Viewer, runtime: RuntimeDep, store: StoreDep) -> PlainTextResponse:
    metrics = Metrics(store)
    figures = {
        "requests": "rate(requests[5m])",
        "errors": "error_rate[5m]",
        "p95": "p95(latency_ms)[5m]",
        "p99": "p99(latency_ms)[5m]",
    }
    latest = {k: (await metrics.query(q, "5m", 60)).latest for k, q in figures.items()}
    monitoring = await runtime.monitoring()
    services = await monitoring.overview()
    status_value = {"up": 1.0, "down": 0.0}

    stats = await DeploymentHistory(store).stats(since=datetime.now(UTC) - timedelta(days=7))
    gauges = [
        Gauge(
            "ops_agent_requests_per_second",
            "Requests per second over 5 minutes, from drained logs",
            [({}, latest["requests"])],
        ),
        Gauge(
            "ops_agent_error_ratio",
            "Share of 5xx responses over 5 minutes",
            [({}, latest["errors"])],
        ),
        Gauge(
            "ops_agent_latency_p95_ms",
            "p95 request latency over 5 minutes, ms",
            [({}, latest["p95"])],
        ),
        Gauge(
            "ops_agent_latency_p99_ms",
            "p99 request latency over 5 minutes, ms",
            [({}, latest["p99"])],
        ),
        Gauge(
            "ops_agent_service_up",
            "1 when the service is up, 0 when down, NaN when not yet known",
            [({"service": s["service"]}, status_value.get(s["status"])) for s in services],
        ),
        Gauge(
            "ops_agent_service_uptime_ratio_24h",
            "Share of successful checks over 24 hours",
            [({"service": s["service"]}, s["uptime"]["24h"].get("uptime")) for s in services],
        ),
        Gauge(
            "ops_agent_deployment_success_ratio_7d",
            "READY / (READY + ERROR) over 7 days",
            [({}, stats.success_rate)],
        ),
    ]
    return PlainTextResponse(exposition(gauges), media_type="text/plain; version=0.0.4")


@router.get("/system", summary="CPU, memory, disk, load and network of this host")
async def system(_: Viewer) -> dict[str, Any]:
    from ops_agent.monitoring.system import system_metrics

    return system_metrics()
