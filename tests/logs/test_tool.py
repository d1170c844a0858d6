"""LogAnalysisTool on real Postgres, through both store transports."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from ops_agent.deployments.records import DeploymentHistory
from ops_agent.errors import InvalidInput
from ops_agent.logs import LogAnalysisTool, QuerySyntaxError
from ops_agent.logs.entries import normalise
from ops_agent.logs.tool import STORED_BATCH
from ops_agent.store.errors import StoreUnavailable
from tests.conftest import clean_tables
from tests.logs.conftest import CountingStore
from tests.logs.payloads import as_json, batch, entry

NOW = datetime(2026, 11, 24, 12, 30, tzinfo=UTC)


def tool_for(store: CountingStore) -> LogAnalysisTool:
    return LogAnalysisTool(store, clock=lambda: NOW)


async def test_5000_entries_in_a_call_per_batch_and_redelivery_is_a_no_op(
    log_store: CountingStore,
) -> None:
    tool = tool_for(log_store)
    body = as_json(batch(5000))
    report = await tool.ingest_delivery(body)
    assert (report.received, report.accepted, report.duplicates) == (5000, 5000, 0)
    assert log_store.calls["ops_drain_ingest"] == 5000 // STORED_BATCH
    again = await tool.ingest_delivery(body)
    assert (again.accepted, again.duplicates) == (0, 5000)
    templates = await log_store.rpc("ops_log_template_changes", {"p_after_version": 0})
    assert sum(1 for t in templates["templates"] if not t["merged_into"]) <= 12


class FailingOnce(CountingStore):
    """Fails the `fail_at`-th drain ingest call (from 1) as a database outage would."""

    def __init__(self, inner: CountingStore, fail_at: int) -> None:
        super().__init__(inner.inner)
        self.fail_at = fail_at

    async def rpc(self, function: str, args: dict[str, Any] | None = None) -> Any:
        if function == "ops_drain_ingest" and self.calls[function] + 1 == self.fail_at:
            self.calls[function] += 1
            raise StoreUnavailable("the database did not answer ops_drain_ingest in 5s")
        return await super().rpc(function, args)


async def test_a_delivery_that_fails_part_way_is_stored_once_by_its_retry(
    log_store: CountingStore, pg_url: str
) -> None:
    """Batches before the failure stay stored; the sender's retry stores the rest, and every
    entry and every request is counted once."""

    def stored() -> int:
        with psycopg.connect(pg_url) as conn:
            row = conn.execute("select count(*) from log_entries").fetchone()
            return int(row[0]) if row else 0

    clean_tables(pg_url, "metric_rollups")
    tool = tool_for(FailingOnce(log_store, fail_at=3))
    entries = batch(3 * STORED_BATCH - 10)
    body = as_json(entries)
    with pytest.raises(StoreUnavailable):
        await tool.ingest_delivery(body)
    assert stored() == 2 * STORED_BATCH  # the two batches before the failure
    retry = await tool.ingest_delivery(body)
    assert (retry.accepted, retry.duplicates) == (len(entries) - 2 * STORED_BATCH, 2 * STORED_BATCH)
    assert stored() == len(entries)
    series = await log_store.rpc(
        "ops_metric_rollup_series",
        {"p_from": NOW - timedelta(days=1), "p_to": NOW + timedelta(days=1)},
    )
    assert sum(row["requests"] for row in series) == len(entries)  # one request per entry


async def test_concurrent_redeliveries_to_two_instances_store_once(
    log_store: CountingStore,
) -> None:
    one, two = tool_for(log_store), tool_for(log_store)
    body = as_json(batch(300))
    reports = await asyncio.gather(*(t.ingest_delivery(body) for t in (one, two, one, two)))
    assert sum(r.accepted for r in reports) == 300
    page = await one.search_logs(time_range="7d", limit=1000)
    assert len(page.hits) == 300


async def test_instances_grow_the_same_templates(log_store: CountingStore) -> None:
    one, two = tool_for(log_store), tool_for(log_store)
    users = ["root", "admin", "oracle", "guest", "bob", "eve"]
    for i, user in enumerate(users):
        writer = one if i % 2 == 0 else two  # deliveries land on different instances
        await writer.ingest([normalise(entry(i, message=f"Invalid user {user} from 10.0.0.{i}"))])
    hits = (await one.search_logs(time_range="7d", limit=100)).hits
    assert len({h["template_id"] for h in hits[:2]}) == 1
    assert hits[0]["template"] == "Invalid user <*> from <*>"


async def test_search_grammar_and_filters(log_store: CountingStore) -> None:
    tool = tool_for(log_store)
    at = NOW - timedelta(minutes=10)
    rows = [
        entry(
            1,
            at=at,
            level="error",
            status=502,
            path="/api/orders",
            message="Connection to db-1 refused after 30 ms",
        ),
        entry(
            2,
            at=at + timedelta(seconds=1),
            level="error",
            status=500,
            path="/api/pay",
            message="Task timed out after 10.01 seconds",
        ),
        entry(
            3,
            at=at + timedelta(seconds=2),
            level="info",
            status=200,
            path="/api/orders",
            message="GET /api/orders/1 took 12ms",
        ),
        entry(
            4,
            at=at + timedelta(seconds=3),
            level="warning",
            status=404,
            path="/blog",
            source="static",
            message="not found: connection page",
        ),
        entry(
            5,
            at=NOW - timedelta(hours=3),
            level="error",
            status=500,
            message="Connection to db-2 refused after 31 ms",
        ),
    ]
    await tool.ingest([normalise(r) for r in rows])

    async def ids(q: str, **kw: object) -> list[str]:
        page = await tool.search_logs(q, kw.pop("time_range", "1h"), **kw)  # type: ignore[arg-type]
        return [h["id"][-1] for h in page.hits]

    assert await ids("level:error") == ["2", "1"]
    assert await ids("level:error", time_range="6h") == ["2", "1", "5"]
    assert await ids("status:>=500") == ["2", "1"]
    assert await ids("status:5xx path:/api/*") == ["2", "1"]
    assert await ids('"refused after"') == ["1"]
    assert await ids("connection") == ["4", "1"]
    assert await ids("connection -source:static") == ["1"]
    assert await ids("timed OR refused") == ["2", "1"]
    assert await ids("conn*") == ["4", "1"]
    assert await ids("level:>=warning NOT status:500") == ["4", "1"]
    assert await ids("", severity="error", path="/api/orders") == ["1"]
    assert await ids("", status="404") == ["4"]
    hit = (await tool.search_logs("refused")).hits[0]
    assert hit["template"] == "Connection to <*> refused after <*> ms" and hit["template_id"]
    with pytest.raises(QuerySyntaxError):
        await tool.search_logs("(level:error")
    with pytest.raises(InvalidInput, match="time range"):
        await tool.search_logs("x", "forever")


async def test_keyset_pagination(log_store: CountingStore) -> None:
    tool = tool_for(log_store)
    await tool.ingest([normalise(entry(i, at=NOW - timedelta(seconds=i))) for i in range(25)])
    seen, cursor = [], None
    while True:
        page = await tool.search_logs("", "1h", limit=10, cursor=cursor)
        seen += [h["id"] for h in page.hits]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [f"log_{i:08d}" for i in range(25)]


async def test_error_patterns_rank_and_explain(log_store: CountingStore) -> None:
    tool = tool_for(log_store)
    rows = []
    for i in range(40):  # a growing timeout problem
        at = NOW - timedelta(hours=2) + timedelta(minutes=3 * i if i < 10 else 80 + i)
        rows.append(
            entry(
                i,
                at=at,
                level="error",
                status=504,
                path="/api/pay",
                message=f"Task timed out after {10 + i % 3}.01 seconds",
            )
        )
    for i in range(40, 55):  # a steady, smaller one
        rows.append(
            entry(
                i,
                at=NOW - timedelta(minutes=i),
                level="error",
                status=500,
                message=f"Error: connect ECONNREFUSED 10.0.0.{i}:5432",
            )
        )
    await tool.ingest([normalise(r) for r in rows])
    patterns = await tool.analyze_error_patterns("6h")
    top = patterns[0]
    assert top.template == "Task timed out after <*> seconds" and top.count == 40
    assert top.diagnosis == "FUNCTION_INVOCATION_TIMEOUT" and top.fix
    assert top.paths == ["/api/pay"] and top.deployments and top.samples
    assert sum(top.trend) == 40 and top.growth > 1
    assert patterns[1].diagnosis == "DB_CONNECTION"


async def test_anomalies_new_template_and_spike_blame_the_deployment(
    log_store: CountingStore,
) -> None:
    tool = tool_for(log_store)
    deploy_at = NOW - timedelta(minutes=40)
    await DeploymentHistory(log_store).record(
        {
            "id": "dpl_bad",
            "project_id": "prj_Qmc52npNy86S8VV4Mt8a8dP1LEkR",
            "target": "production",
            "state": "READY",
            "at": deploy_at.isoformat(),
            "created_at": deploy_at.isoformat(),
            "source": "test",
        }
    )
    rows, i = [], 0
    start = NOW - timedelta(days=3, hours=1)
    t = start
    while t < NOW:  # three days of quiet traffic: 2 requests a minute, an error an hour
        rows.append(entry(i, at=t, status=200, message=f"GET /api/orders/{i} took 12ms"))
        i += 1
        if t.minute == 0 and t.second < 30:
            rows.append(
                entry(
                    i,
                    at=t,
                    level="error",
                    status=500,
                    message="upstream returned 500 for inventory",
                )
            )
            i += 1
        t += timedelta(seconds=30)
    for k in range(120):  # after the deployment: a new error, many times
        at = deploy_at + timedelta(minutes=5, seconds=15 * k)
        rows.append(
            entry(
                i,
                at=at,
                level="error",
                status=500,
                message=f"TypeError: Cannot read properties of undefined (reading 'sku') at {k}",
            )
        )
        i += 1
    for chunk in range(0, len(rows), 5000):
        await tool.ingest([normalise(r) for r in rows[chunk : chunk + 5000]])
    found = await tool.detect_anomalies("1h")
    kinds = {a.kind for a in found}
    assert "new_template" in kinds and "error_spike" in kinds and "server_error_rate" in kinds
    for anomaly in found:
        assert anomaly.suspected_deployment and anomaly.suspected_deployment["id"] == "dpl_bad"
        assert anomaly.score > 0 and anomaly.evidence
    assert "upstream returned" not in " ".join(a.summary for a in found)


async def test_quiet_stream_raises_no_anomaly(log_store: CountingStore) -> None:
    tool = tool_for(log_store)
    rows, i, t = [], 0, NOW - timedelta(days=3)
    while t < NOW:
        rows.append(
            entry(
                i,
                at=t,
                status=200 if i % 50 else 500,
                level="info" if i % 50 else "error",
                message=f"GET /api/orders/{i} took {10 + i % 7}ms"
                if i % 50
                else "upstream returned 500 for inventory",
            )
        )
        i += 1
        t += timedelta(seconds=60)
    await tool.ingest([normalise(r) for r in rows])
    assert await tool.detect_anomalies("1h") == []


async def test_retention(log_store: CountingStore) -> None:
    tool = tool_for(log_store)
    await tool.ingest(
        [normalise(entry(1, at=NOW - timedelta(days=30))), normalise(entry(2, at=NOW))]
    )
    assert await tool.purge_older_than(14) == 1
    assert [h["id"] for h in (await tool.search_logs("", "90d")).hits] == ["log_00000002"]
