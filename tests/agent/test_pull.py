"""Seeing without drains: the tick pulls production runtime logs from Vercel's API (here the
local double, over HTTP), resumes from its cursor, stores a row once, counts its requests
apart, and steps aside when a log drain starts covering the same minutes."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from pydantic import SecretStr

from ops_agent.agent.pull import observe_vercel
from ops_agent.kv.redis import RedisKV
from ops_agent.runtime import Runtime
from ops_agent.sandbox import SandboxVercel, ScenarioClock
from ops_agent.sandbox.servers import Served
from ops_agent.sandbox.traffic import Behaviour, Where, log_lines, requests, runtime_rows
from ops_agent.settings import Settings
from ops_agent.store.postgres import PostgresStore
from tests.conftest import ALL_TABLES, clean_tables


class Team:
    def __init__(self, sandbox: SandboxVercel, clock: ScenarioClock, runtime: Runtime) -> None:
        self.sandbox, self.clock, self.runtime = sandbox, clock, runtime
        live = sandbox.live()
        assert live is not None
        self.where = Where(sandbox.project.id, "shop", live.id, "shop.example")

    def serve(self, minutes: int, seed: int, behaviour: Behaviour | None = None) -> list[Any]:
        """Traffic the live deployment served over the last `minutes`, into its runtime logs."""
        start = self.clock.now() - timedelta(minutes=minutes)
        reqs = requests(
            self.where,
            start=start,
            seconds=minutes * 60,
            behaviour=behaviour or Behaviour(),
            rate_per_second=1,
            seed=seed,
        )
        self.sandbox.log_runtime(self.where.deployment_id, runtime_rows(self.where, reqs))
        return reqs


@pytest.fixture
async def team(settings: Settings, pg_url: str, redis_socket: str) -> AsyncIterator[Team]:
    clean_tables(pg_url, *ALL_TABLES)
    clock = ScenarioClock()
    sandbox = SandboxVercel(clock.now)
    async with Served(sandbox.app) as server:
        s = settings.model_copy(
            update={
                "vercel_token": SecretStr(sandbox.token),
                "vercel_api_url": server.url,
                "vercel_team_id": None,
                "vercel_project": "shop",
            }
        )
        runtime = Runtime(
            s,
            store=PostgresStore(pg_url),
            kv=RedisKV(unix_socket_path=redis_socket, prefix=f"p{uuid.uuid4().hex[:6]}:"),
            clock=clock.now,
        )
        try:
            yield Team(sandbox, clock, runtime)
        finally:
            await runtime.close()
    assert sandbox.violations == []


def counts(pg_url: str) -> dict[str, int]:
    with psycopg.connect(pg_url) as conn:
        row = conn.execute(
            "select (select count(*) from log_entries where via = 'pull'),"
            " (select count(*) from log_entries where via = 'drain'),"
            " (select coalesce(sum(pulled), 0) from metric_rollups),"
            " (select coalesce(sum(requests), 0) from metric_rollups)"
        ).fetchone()
    assert row is not None
    names = ("pulled_rows", "drained_rows", "pulled", "requests")
    return dict(zip(names, map(int, row), strict=True))


async def test_pull_resumes_from_its_cursor_and_stores_each_row_once(
    team: Team, pg_url: str
) -> None:
    first = team.serve(5, seed=1)
    report = await observe_vercel(team.runtime, 30)
    rows = len(team.sandbox.runtime_logs[team.where.deployment_id])
    assert report["shop"]["runtime_logs"]["stored"] == rows
    assert counts(pg_url)["pulled"] == len(first)  # one `request` row per request
    logs = await team.runtime.logs()
    found = await logs.search_logs("via:pull status:>=200", "1h", limit=5)
    assert found.hits and all(h["via"] == "pull" for h in found.hits)
    assert not (await logs.search_logs("via:drain", "1h", limit=5)).hits
    again = await observe_vercel(team.runtime, 30)
    assert again["shop"]["runtime_logs"]["stored"] == 0 and counts(pg_url)["pulled"] == len(first)
    team.clock.advance(60)
    later = team.serve(1, seed=2)
    more = await observe_vercel(team.runtime, 30)
    assert 0 < more["shop"]["runtime_logs"]["stored"] <= len(runtime_rows(team.where, later)) + 2
    assert counts(pg_url)["pulled"] == len(first) + len(later)
    with psycopg.connect(pg_url) as conn:
        [(cursor,)] = conn.execute("select pulled from log_pull_cursors").fetchall()
    assert cursor == counts(pg_url)["pulled_rows"]


async def test_a_drain_covering_the_same_minutes_counts_nothing_twice(
    team: Team, pg_url: str
) -> None:
    reqs = team.serve(5, seed=3, behaviour=Behaviour(error_rate=0.2))
    await observe_vercel(team.runtime, 30)
    assert counts(pg_url)["pulled_rows"] > 0
    logs = await team.runtime.logs()
    delivery = json.dumps(log_lines(team.where, reqs)).encode()
    await logs.ingest_delivery(delivery)
    after = counts(pg_url)
    assert after["pulled_rows"] == 0  # the drain's copies replace the pulled ones
    store = await team.runtime.store()
    since, until = team.clock.now() - timedelta(minutes=10), team.clock.now()
    series = await store.rpc(
        "ops_metric_rollup_series", {"p_from": since, "p_to": until, "p_filters": []}
    )
    served = [r for r in reqs if r.status != -1]
    assert sum(int(m["requests"]) for m in series) == len(served)  # the drain's count, once
    skipped = await observe_vercel(team.runtime, 30)
    assert skipped["shop"]["runtime_logs"].startswith("drained")


async def test_without_a_token_nothing_is_pulled(team: Team) -> None:
    bare = Runtime(team.runtime.settings.model_copy(update={"vercel_token": None}))
    assert await observe_vercel(bare, 30) == {"skipped": "VERCEL_TOKEN is not set"}


async def test_on_hobby_deployments_are_polled_into_the_history(team: Team, pg_url: str) -> None:
    """No account webhooks on Hobby: the tick polls deployments, and a failed build becomes an
    observation once, as a webhook would have made it."""
    hobby = Runtime(
        team.runtime.settings.model_copy(update={"vercel_plan": "hobby"}),
        store=await team.runtime.store(),
        kv=await team.runtime.kv(),
        clock=team.clock.now,
    )
    broken = team.sandbox.push("feat: broken types", Behaviour(build="code"))
    team.clock.advance(120)
    team.sandbox.advance()
    team.sandbox.outbox.clear()  # nothing is delivered: Hobby has no account webhooks
    first = await observe_vercel(hobby, 30)
    assert first["shop"]["deployments"] >= 1
    again = await observe_vercel(hobby, 30)
    assert again["shop"]["deployments"] == 0  # nothing changed since
    record = await (await hobby.deployments()).history.get(broken)
    assert record is not None and record.state == "ERROR"
    with psycopg.connect(pg_url) as conn:
        kinds = [k for (k,) in conn.execute("select kind from observations").fetchall()]
    assert kinds.count("deployment.error") == 1
