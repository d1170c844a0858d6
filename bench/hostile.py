"""What a burst of hostile drain deliveries costs the server: its peak RSS and /api/health
latency while 40 unsigned gzip bodies arrive at once.

`ops-agent serve` runs in its own process (on its embedded Postgres and Redis, in a throwaway
folder), so its memory is measured apart from this client's. In the same run:
- baseline: 40 small unsigned bodies (a few hundred bytes each);
- candidate: 40 unsigned 64 KB gzip bodies, each inflating to about 64 MB (a gzip bomb).
An unsigned delivery is refused before it is inflated, so the ratios should stay near 1.
Read the ratios; this machine is shared and noisy.

    python bench/hostile.py [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

from served import served

ROOT = Path(__file__).resolve().parents[1]
BODIES = 40
HEALTH_EVERY = 0.05  # seconds between health probes during a burst


def bomb() -> bytes:
    """About 64 KB of gzip that inflates to about 64 MB."""
    return gzip.compress(b"[" + b" " * (64 * 1024 * 1024) + b"]", compresslevel=9)


def small() -> bytes:
    return gzip.compress(b'[{"id": "x", "message": "hello", "timestamp": 1}]')


class PeakRss:
    """Samples a process's RSS every 5 ms in a thread until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.005)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


async def burst(url: str, body: bytes, pid: int) -> dict[str, float]:
    """Send BODIES unsigned deliveries at once while probing health; peak RSS in MB and the
    health latencies in ms."""
    headers = {"content-encoding": "gzip", "content-type": "application/json"}
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=BODIES + 4)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def probe(until: asyncio.Event) -> None:
            while not until.is_set():
                started = time.perf_counter()
                await client.get("/api/health")
                latencies.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(HEALTH_EVERY)

        async def deliver() -> int:
            r = await client.post("/api/drains/logs", content=body, headers=headers)
            return r.status_code

        with PeakRss(pid) as rss:
            before = rss.process.memory_info().rss
            done = asyncio.Event()
            prober = asyncio.create_task(probe(done))
            statuses = await asyncio.gather(*(deliver() for _ in range(BODIES)))
            await asyncio.sleep(0.2)  # a probe or two after the burst
            done.set()
            await prober
    assert set(statuses) == {401}, statuses
    return {
        "rss_before_mb": round(before / 2**20, 1),
        "peak_rss_mb": round(rss.peak / 2**20, 1),
        "health_p50_ms": round(statistics.median(latencies), 1),
        "health_max_ms": round(max(latencies), 1),
    }


def run(rounds: int) -> dict[str, dict[str, float]]:
    bodies = {"small_unsigned": small(), "gzip_bomb_unsigned": bomb()}
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in bodies}
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "OPS_AGENT_DATA_DIR": tmp,
            "VERCEL_DRAIN_SECRET": "bench-drain-secret",
            "LOG_LEVEL": "WARNING",
            # What is measured is the cost of refusing, not the limit that would soon step in.
            "API_RATE_LIMITS": "anonymous=1000000/60",
        }
        command = [str(Path(sys.executable).parent / "ops-agent"), "serve", "--no-crons"]
        with served(command, Path(tmp), env) as (server, url):
            for _ in range(rounds):
                for name, body in bodies.items():  # alternating, so drift hits both alike
                    samples[name].append(asyncio.run(burst(url, body, server.pid)))
    results = {
        name: {key: statistics.median(s[key] for s in runs) for key in runs[0]}
        for name, runs in samples.items()
    }
    base = results["small_unsigned"]
    for r in results.values():
        r["rss_ratio"] = round(r["peak_rss_mb"] / base["peak_rss_mb"], 2)
        r["health_p50_ratio"] = round(r["health_p50_ms"] / base["health_p50_ms"], 2)
    results["gzip_bomb_unsigned"]["body_kb"] = round(len(bodies["gzip_bomb_unsigned"]) / 1024)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args.rounds)
    if args.json:
        print(json.dumps({"rounds": args.rounds, "baseline": "small_unsigned", "results": results}))
        return 0
    print(f"{BODIES} unsigned drain deliveries at once, median of {args.rounds} rounds")
    print("(baseline: small bodies; the server runs in its own process)")
    header = f"{'bodies':<20} {'peak RSS MB':>12} {'RSS ratio':>10} {'health p50 ms':>14}"
    print(f"{header} {'p50 ratio':>10} {'health max ms':>14}")
    for name, r in results.items():
        print(
            f"{name:<20} {r['peak_rss_mb']:>12.1f} {r['rss_ratio']:>9.2f}x "
            f"{r['health_p50_ms']:>14.1f} {r['health_p50_ratio']:>9.2f}x "
            f"{r['health_max_ms']:>14.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
