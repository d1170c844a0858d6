"""Template mining quality and speed: our miner against Drain3, in the same run.

Three sets of systems:
- every system folder in DATA (the layout of shared/data/loghub-2k: `<Name>/<Name>_2k.log_
  structured.csv` with `Content` and `EventId`), when --data is given;
- held-out Loghub: runs of labelled lines from the eight Loghub systems outside shared/data
  (bench/data/loghub-heldout, same layout; its README says which lines), always;
- our own labelled logs (tests/log_corpus.py: 36 systems, from web servers, proxies and
  syslog to Vercel function output, Next.js, queues and databases; 2,000 lines each, fixed
  seed), always.

Both miners read the lines in order, each with one configuration for every system (ours: the
defaults; Drain3: its defaults). Printed per system and on average per set: grouping accuracy
(GA, the share of lines whose predicted group is exactly their ground-truth group) and lines
per second (best of --rounds): the average of the systems' rates, and the whole set's lines
over the time they all took ("all lines", where a slow system weighs by its time). Read the
ratios: this machine is shared and noisy.

    python bench/template_mining.py [--data ../shared/data/loghub-2k] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "lib"))

from tests.log_corpus import SYSTEMS, drain3, grouping_accuracy, ours  # noqa: E402

Parser = Callable[[Sequence[str]], list[str]]
HELD_OUT = Path(__file__).resolve().parent / "data" / "loghub-heldout"


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


def loghub(data: Path) -> list[tuple[str, list[str], list[str]]]:
    out = []
    for folder in sorted(p for p in data.iterdir() if p.is_dir()):
        if list(folder.glob("*_structured.csv")):
            out.append((folder.name, *load(folder)))
    return out


def run(named: Sequence[tuple[str, list[str], list[str]]], rounds: int) -> dict[str, object]:
    systems = [
        {
            "name": name,
            "lines": len(lines),
            "ours": measure(ours, lines, truth, rounds),
            "drain3": measure(drain3, lines, truth, rounds),
        }
        for name, lines, truth in named
    ]
    average = {
        who: {
            "ga": round(sum(s[who]["ga"] for s in systems) / len(systems), 4),
            "lines_per_s": round(sum(s[who]["lines_per_s"] for s in systems) / len(systems)),
        }
        for who in ("ours", "drain3")
    }
    # The whole set as one stream: all its lines over all the time they took, so that a slow
    # system counts by its time (the average above counts each system's rate once).
    total = {
        who: {
            "ga": average[who]["ga"],
            "lines_per_s": round(
                sum(s["lines"] for s in systems)  # type: ignore[misc]
                / sum(s["lines"] / s[who]["lines_per_s"] for s in systems)  # type: ignore[operator]
            ),
        }
        for who in ("ours", "drain3")
    }
    return {"systems": systems, "average": average, "total": total}


def table(title: str, result: dict[str, object]) -> None:
    print(
        f"{title:<18} {'GA ours':>8} {'GA drain3':>10} {'lines/s ours':>13} "
        f"{'lines/s drain3':>15} {'speed ratio':>12}"
    )
    rows = [
        *result["systems"],  # type: ignore[misc]
        {"name": "average", **result["average"]},  # type: ignore[dict-item]
        {"name": "all lines", **result["total"]},  # type: ignore[dict-item]
    ]
    for s in rows:
        o, d = s["ours"], s["drain3"]
        print(
            f"{s['name']:<18} {o['ga']:>8.3f} {d['ga']:>10.3f} {o['lines_per_s']:>13,} "
            f"{d['lines_per_s']:>15,} {o['lines_per_s'] / d['lines_per_s']:>11.2f}x"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder of Loghub system folders")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, object]] = {}
    if args.data is not None:
        named = loghub(args.data)
        if not named:
            print(f"no system folders with *_structured.csv under {args.data}", file=sys.stderr)
            return 2
        results["loghub"] = run(named, args.rounds)
    results["heldout"] = run(loghub(HELD_OUT), args.rounds)
    results["own"] = run([(s.name, *s.lines()) for s in SYSTEMS], args.rounds)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    titles = {"loghub": "Loghub (dev)", "heldout": "Loghub (held out)", "own": "our own logs"}
    for i, (key, result) in enumerate(results.items()):
        if i:
            print()
        table(titles[key], result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
