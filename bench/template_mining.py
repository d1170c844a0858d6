"""Template mining quality and speed: our miner against Drain3, in the same run.

For every system folder in DATA (the layout of shared/data/loghub-2k: `<Name>/<Name>_2k.log_
structured.csv` with `Content` and `EventId`), both miners read the `Content` column in order,
each with one configuration for every system (ours: the defaults; Drain3: its defaults). Printed
per system and on average: grouping accuracy (GA, the share of lines whose predicted group is
exactly their ground-truth group) and lines per second (best of --rounds). Read the ratios:
this machine is shared and noisy.

    python bench/template_mining.py --data ../shared/data/loghub-2k [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from ops_agent.logs.mining import TemplateMiner  # noqa: E402

Parser = Callable[[Sequence[str]], list[str]]


def grouping_accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Share of lines whose predicted group holds exactly the lines of their true group."""
    true_groups: dict[str, set[int]] = defaultdict(set)
    predicted_groups: dict[str, set[int]] = defaultdict(set)
    for i, (t, p) in enumerate(zip(truth, predicted, strict=True)):
        true_groups[t].add(i)
        predicted_groups[p].add(i)
    correct = sum(
        1 for t, p in zip(truth, predicted, strict=True) if true_groups[t] == predicted_groups[p]
    )
    return correct / len(truth) if truth else 0.0


def ours(lines: Sequence[str]) -> list[str]:
    miner = TemplateMiner()
    ids = [miner.add(line) for line in lines]
    return [miner.resolve(i) for i in ids]  # a line's group is its template at the end


def drain3(lines: Sequence[str]) -> list[str]:
    from drain3 import TemplateMiner as Drain3Miner

    logging.getLogger("drain3").setLevel(logging.WARNING)
    miner = Drain3Miner()
    return [str(miner.add_log_message(line)["cluster_id"]) for line in lines]


def measure(
    parser: Parser, lines: Sequence[str], truth: Sequence[str], rounds: int
) -> dict[str, float]:
    best = float("inf")
    predicted: list[str] = []
    for _ in range(rounds):
        started = time.perf_counter()
        predicted = parser(lines)
        best = min(best, time.perf_counter() - started)
    return {
        "ga": round(grouping_accuracy(truth, predicted), 4),
        "lines_per_s": round(len(lines) / best),
    }


def load(folder: Path) -> tuple[list[str], list[str]]:
    [path] = sorted(folder.glob("*_structured.csv"))
    with path.open(newline="", encoding="utf-8", errors="replace") as f:
        rows = list(csv.DictReader(f))
    return [r["Content"] for r in rows], [r["EventId"] for r in rows]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder of system folders")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    systems = []
    for folder in sorted(p for p in args.data.iterdir() if p.is_dir()):
        if not list(folder.glob("*_structured.csv")):
            continue
        lines, truth = load(folder)
        systems.append(
            {
                "name": folder.name,
                "lines": len(lines),
                "ours": measure(ours, lines, truth, args.rounds),
                "drain3": measure(drain3, lines, truth, args.rounds),
            }
        )
    if not systems:
        print(f"no system folders with *_structured.csv under {args.data}", file=sys.stderr)
        return 2
    average = {
        who: {
            "ga": round(sum(s[who]["ga"] for s in systems) / len(systems), 4),
            "lines_per_s": round(sum(s[who]["lines_per_s"] for s in systems) / len(systems)),
        }
        for who in ("ours", "drain3")
    }
    if args.json:
        print(json.dumps({"systems": systems, "average": average}, indent=2))
        return 0
    print(
        f"{'system':<12} {'GA ours':>8} {'GA drain3':>10} {'lines/s ours':>13} "
        f"{'lines/s drain3':>15} {'speed ratio':>12}"
    )
    for s in [*systems, {"name": "average", **average}]:
        o, d = s["ours"], s["drain3"]
        print(
            f"{s['name']:<12} {o['ga']:>8.3f} {d['ga']:>10.3f} {o['lines_per_s']:>13,} "
            f"{d['lines_per_s']:>15,} {o['lines_per_s'] / d['lines_per_s']:>11.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
