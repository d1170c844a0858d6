"""Metrics over real Postgres: rollups made while drained logs are ingested, pushed samples,
custom metrics, and queries end to end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from ops_agent.errors import Conflict, InvalidInput
from ops_agent.logs import LogAnalysisTool
from ops_agent.logs.entries import normalise
from ops_agent.monitoring.metrics import Metrics, Sample
from ops_agent.monitoring.query import QueryError
from ops_agent.store import Store
from tests.conftest import clean_tables
from tests.logs.payloads import PROJECT, entry, otlp_export

NOW = datetime(2026, 11, 24, 12, 0, 30, tzinfo=UTC)
LATENCY: dict[str, float] = {}  # request id -> the latency its span reports


@pytest.fixture
def metrics_store(store: Store, pg_url: str) -> Store:
    clean_tables(
        pg_url,
        "metric_rollups",
        "metric_samples",
        "metric_definitions",
        "trace_spans_seen",
        "deployments",
        "log_entries",
        "log_templates",
    )
    return store


async def drain(store: Store, rows: list[dict]) -> None:
    await LogAnalysisTool(store, clock=lambda: NOW).ingest([normalise(r) for r in rows])


def traffic(
    minutes: int, per_minute: int, *, errors_from: int | None = None, start: int = 0
) -> list[dict]:
    rows, i = [], start
    for m in range(minutes):
        at = NOW - timedelta(minutes=minutes - m)
        for k in range(per_minute):
            bad = errors_from is not None and m >= errors_from and k % 4 == 1
            e = entry(
                i,
                at=at + timedelta(seconds=k),
                status=500 if bad else 200,
                path=f"/api/orders/{i}?page=1" if k % 2 else "/blog/post",
            )
            LATENCY[e["requestId"]] = 400 if bad else 40
            rows.append(e)
            i += 1
    return rows


async def test_rollups_are_made_at_ingest_and_redelivery_adds_nothing(
    metrics_store: Store, pg_url: str
) -> None:
    rows = traffic(10, 20)
    await drain(metrics_store, rows)
    await drain(metrics_store, rows)  # Vercel retries: nothing is counted twice
    with psycopg.connect(pg_url) as conn:
        total, routes = conn.execute(
            "select sum(requests), array_agg(distinct route) from metric_rollups"
        ).fetchone()
    assert total == 200 and sorted(routes) == ["/api/orders/:id", "/blog/post"]


async def test_queries_over_drained_traffic(metrics_store: Store, pg_url: str) -> None:
    rows = traffic(30, 20, errors_from=25)
    await drain(metrics_store, rows)
    with psycopg.connect(pg_url) as conn:  # the history names the project, as webhooks do
        conn.execute(
            "insert into deployments (id, project_id, project_name, target, created_at) "
            "values (%s, %s, 'shop', 'production', now()) on conflict do nothing",
            (rows[0]["deploymentId"], PROJECT),
        )
    tool = LogAnalysisTool(metrics_store, clock=lambda: NOW)
    export = otlp_export(rows, LATENCY)
    first = await tool.ingest_traces(export, "application/json")
    again = await tool.ingest_traces(export, "application/json")  # redelivered: nothing new
    assert first.accepted == len(rows) and again.accepted == 0 and again.duplicates == len(rows)
    m = Metrics(metrics_store, clock=lambda: NOW)
    rate = await m.query("rate(requests[5m])", "30m", 60)
    assert rate.latest == pytest.approx(20 / 60, rel=0.05)
    ratio = await m.query("rate(status_5xx[5m]) / rate(requests[5m])", "30m", 60)
    assert ratio.latest == pytest.approx(0.25, abs=0.02)
    firing = await m.query("error_rate > 5%", "30m", 60)
    assert firing.latest is not None and firing.points[10][1] is None
    p95 = await m.query('p95(latency_ms{project="shop"})[5m]', "30m", 60)
    assert 250 < (p95.latest or 0) <= 500
    quiet = await m.query('p95(latency_ms{route=~"/blog/.*"})[5m]', "30m", 60)
    assert (quiet.latest or 0) <= 50
    assert (await m.query('rate(requests{project="nope"}[5m])', "30m", 60)).latest == 0.0
    with pytest.raises(QueryError):
        await m.query("rate(requests[5m]", "1h")
    with pytest.raises(InvalidInput, match="step"):
        await m.query("requests", "7d", 10)


async def test_pushed_samples_are_idempotent_and_queryable(metrics_store: Store) -> None:
    m = Metrics(metrics_store, clock=lambda: NOW)
    samples = [
        Sample(
            name="cpu_percent",
            value=v,
            labels={"host": "web-1"},
            ts=NOW - timedelta(seconds=30 + 10 * (3 - i)),
        )
        for i, v in enumerate([10, 20, 95, 97])
    ]
    assert await m.ingest(samples) == {"received": 4, "inserted": 4}
    assert await m.ingest(samples) == {"received": 4, "inserted": 0}
    with_id = Sample(id="s-1", name="queue_depth", value=3, ts=NOW)
    assert (await m.ingest([with_id, with_id]))["inserted"] == 1
    result = await m.query('max(cpu_percent{host="web-1"})[1m]', "5m", 60)
    assert result.latest == 97
    await m.add_custom_metric("web_hot", 'avg(cpu_percent{host="web-1"})[1m] > 50')
    assert (await m.query("web_hot", "5m", 60)).latest == pytest.approx(55.5)
    with pytest.raises(Conflict, match="built-in"):
        await m.add_custom_metric("requests", "1")
    with pytest.raises(ValueError, match="finite"):
        await m.ingest([Sample(name="x", value=float("nan"))])


async def test_retention_purges_old_samples_and_rollups(metrics_store: Store, pg_url: str) -> None:
    from ops_agent.agent.housekeeping import purge_old_metrics

    old = datetime.now(UTC) - timedelta(days=40)
    await Metrics(metrics_store).ingest(
        [Sample(name="x", value=1, ts=old), Sample(name="x", value=2)]
    )
    await drain(metrics_store, [entry(1, at=old), entry(2, at=datetime.now(UTC))])
    result = await purge_old_metrics(metrics_store, 30, budget=10)
    assert result == {"deleted": 2, "done": True}
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("select count(*) from metric_samples").fetchone() == (1,)
        assert conn.execute("select count(*) from metric_rollups").fetchone() == (1,)
