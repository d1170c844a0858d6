"""The agent loop's cost, per scenario minute, against a named baseline in the same run.

Runs sandbox scenarios (the same ones as tests/e2e) on an embedded Postgres and Redis, with the
agent as a real HTTP server on 127.0.0.1, and reports:

1. the whole tick (`GET /api/cron/tick` round trip) and each of its phases, p50 and p95.
   Baseline: the drain delivery of that minute's traffic (120 entries), which every
   minute also pays.
2. scenario speed: scenario minutes per real second. Baseline: real time (1 minute a minute).

    python bench/agent.py [--scenario bad_deploy|all] [--rate 2] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="all")
    parser.add_argument("--rate", type=float, default=2.0, help="requests per second of traffic")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
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
    if args.json:
        print(json.dumps({"phases": rows, "speed": speed}))
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


if __name__ == "__main__":
    main()
