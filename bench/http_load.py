"""`/api/health` under a fixed-rate load with up to 100 concurrent connections, against a
trivial FastAPI route served by the same server in the same run (the baseline).

The server is `local_app` (every function, on its embedded Postgres and Redis in a throwaway
folder) plus one route that answers `{"ok": true}`, in its own process under uvicorn. The
load is open-loop: request i is due at i / rate seconds, and its latency counts from then
(a slow server cannot slow the load down and hide its own queueing). Phases alternate,
baseline first. Read the ratios; this machine is shared and noisy (and the load generator
shares its cores).

    python bench/http_load.py [--rate 300] [--seconds 6] [--rounds 2] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from served import served

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = 100
TRIVIAL = "/bench/trivial"


def serve(port: int) -> None:
    """The server side (run in a child process by `main`)."""
    import uvicorn

    from ops_agent.http.local import local_app

    app = local_app(crons=False)

    @app.get(TRIVIAL, include_in_schema=False)
    async def trivial() -> dict[str, bool]:
        return {"ok": True}

    # uvicorn re-raises SIGTERM after its shutdown, which would skip atexit (and the embedded
    # Postgres and Redis would outlive us): exit through Python instead.
    signal.signal(signal.SIGTERM, lambda signum, _: sys.exit(128 + signum))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def load(url: str, path: str, rate: float, seconds: float) -> dict[str, float]:
    """Open-loop load on `path`; latencies in ms from each request's due time."""
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    gate = asyncio.Semaphore(CONNECTIONS)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        start = time.perf_counter()

        async def one(i: int) -> None:
            nonlocal errors
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            async with gate:
                response = await client.get(path)
            latencies.append((time.perf_counter() - due) * 1000)
            errors += response.status_code != 200

        await asyncio.gather(*(one(i) for i in range(total)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "rps": round(total / elapsed),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 2),
        "errors": errors,
    }


def run(rate: float, seconds: float, rounds: int) -> dict[str, dict[str, float]]:
    phases = {"baseline": TRIVIAL, "health": "/api/health"}
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in phases}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "OPS_AGENT_DATA_DIR": f"{tmp}/data", "LOG_LEVEL": "WARNING"}
        with served([sys.executable, __file__, "--serve"], Path(tmp), env) as (_, url):
            asyncio.run(load(url, TRIVIAL, rate, 1.0))  # warm both sides
            for _ in range(rounds):
                for name, path in phases.items():
                    samples[name].append(asyncio.run(load(url, path, rate, seconds)))
    results = {
        name: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        for name, runs in samples.items()
    }
    base = results["baseline"]
    results["health"]["p99_ratio"] = round(results["health"]["p99_ms"] / base["p99_ms"], 2)
    return results


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1:3] == ["--serve", "--port"]:
        sys.path.insert(0, str(ROOT / "lib"))
        serve(int(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=300.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args.rate, args.seconds, args.rounds)
    if args.json:
        print(json.dumps(results))
        return 0
    print(
        f"{args.rate:g} requests/s for {args.seconds:g} s, up to {CONNECTIONS} connections, "
        f"median of {args.rounds} rounds (baseline: a trivial route on the same server)"
    )
    print(f"{'route':<10} {'rps':>6} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, r in results.items():
        print(
            f"{name:<10} {r['rps']:>6.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
            f"{r['errors']:>7.0f}"
        )
    print(f"health p99 / baseline p99: {results['health']['p99_ratio']}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
