"""The task language: accuracy per intent on the phrasing corpus, and parse time per task,
against a named baseline in the same run.

Baseline: the parser as it was before the task language was rebuilt (`git show
3485df0:lib/ops_agent/agent/tasks.py`, loaded from this repository's history). Its thresholds
were fractions (5% as 0.05) and it had no `unit`, so "exact" compares a monitor task by the
rule it creates (tests/agent/test_tasks.py compares params as written).

Columns: phrasings, the share with the right intent, and the share with the right intent and
params, per intent, for the tuned and the held-out splits; then microseconds per parse (best of
--rounds over the whole corpus) and the ratio to the baseline.

    python bench/tasks.py [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))
sys.path.insert(0, str(ROOT))

from tests.agent.phrasings import Parse, Phrasing, Score, adapter, evaluate, load, table  # noqa: E402

from ops_agent.agent.language import TaskNotUnderstood, parse_task  # noqa: E402
from ops_agent.agent.monitor_rules import monitor_condition  # noqa: E402

BASELINE_COMMIT = "3485df0"


def baseline() -> Parse | None:
    """The parser before the rebuild, from git history; None when history is not here."""
    git = shutil.which("git")
    if git is None:
        return None
    shown = subprocess.run(  # noqa: S603 (a fixed command on this repository)
        [git, "show", f"{BASELINE_COMMIT}:lib/ops_agent/agent/tasks.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode != 0:
        return None
    folder = Path(tempfile.mkdtemp(prefix="ops-agent-bench-"))
    (folder / "tasks_before.py").write_text(shown.stdout)
    spec = importlib.util.spec_from_file_location("tasks_before", folder / "tasks_before.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["tasks_before"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    shutil.rmtree(folder)
    return adapter(module.parse_task, module.TaskNotUnderstood)


def same(intent: str, got: dict[str, Any], want: dict[str, Any]) -> bool:
    """Equal params, with a monitor task's threshold compared by the rule it makes."""
    if intent != "monitor" or "threshold" not in got or "threshold" not in want:
        return got == want
    rest = ("metric", "operator", "threshold", "unit")
    try:
        rule_got, rule_want = monitor_condition(got), monitor_condition(want)
    except (TaskNotUnderstood, KeyError):
        return False
    strip = lambda p: {k: v for k, v in p.items() if k not in rest}  # noqa: E731
    return rule_got == rule_want and strip(got) == strip(want)


def per_parse_us(parse: Parse, phrasings: list[Phrasing], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for p in phrasings:
            parse(p.text)
        best = min(best, time.perf_counter() - started)
    return best / len(phrasings) * 1e6


def figures(score: Score) -> dict[str, Any]:
    return {
        "intent_accuracy": round(score.share(score.intent_right), 4),
        "exact_accuracy": round(score.share(score.exact), 4),
        "per_intent": {i: round(score.share(score.exact, i), 4) for i in sorted(score.total)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    phrasings = load()
    splits = {s: [p for p in phrasings if p.split == s] for s in ("tune", "holdout")}
    parsers: dict[str, Parse] = {"ours": adapter(parse_task, TaskNotUnderstood)}
    if (before := baseline()) is not None:
        parsers[f"baseline ({BASELINE_COMMIT})"] = before
    out: dict[str, Any] = {}
    for name, parse in parsers.items():
        out[name] = {split: figures(evaluate(parse, rows, same)) for split, rows in splits.items()}
        out[name]["us_per_parse"] = round(per_parse_us(parse, phrasings, args.rounds), 1)
    if len(parsers) == 2:
        ours, base = (out[n]["us_per_parse"] for n in parsers)
        out["time_ratio_to_baseline"] = round(ours / base, 2)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for name, parse in parsers.items():
        for split, rows in splits.items():
            print(f"\n{name}, {split} ({len(rows)} phrasings)")
            print(table(evaluate(parse, rows, same)))
    print()
    for name in parsers:
        print(f"{name:24} {out[name]['us_per_parse']:>8.1f} us per parse")
    if "time_ratio_to_baseline" in out:
        print(f"{'ratio to baseline':24} {out['time_ratio_to_baseline']:>8.2f}x")


if __name__ == "__main__":
    main()
