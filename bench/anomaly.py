"""The metric anomaly detector (`ops_agent.anomaly.score_series`) on labelled series, scored
the way the Numenta Anomaly Benchmark scores streaming detectors, against two baselines run
on the same series in the same run.

Series (tests/anomaly_series.py, fixed seeds): 5-minute traffic with daily and weekly cycles
and a drop and a spike, latencies with a daily swing and a lasting regression, error-rate
steps, CPU variance bursts, and drifting gauges with a jump; two weeks each, with gaps.

Scoring (NAB's standard profile): a window around each labelled onset, a tenth of the series
over the number of anomalies, centred on it. The first alert in a window earns
A_tp * (2 * sigmoid(-5y) - 1), y its position relative to the window's end (-1 at the start,
so earlier earns more); a window with no alert costs A_fn; an alert outside every window costs
A_fp, scaled by the same sigmoid of its distance after the previous window. Normalised: 0 is
a detector that never alerts, 100 a perfect one.
A_tp = 1, A_fp = 0.11, A_fn = 1.

Baselines: a rolling z-score (one day of points, alert at |z| >= 4) and NAB's windowed
Gaussian (mean and variance of the last 1,000 points, refreshed every 100; alert when the
point's two-sided tail probability is below 1e-5). Each alerts at the onset of a run only.

    python bench/anomaly.py [--seeds 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "lib"))

from tests.anomaly_series import Labelled, corpus  # noqa: E402

from ops_agent.anomaly import score_series  # noqa: E402

A_TP, A_FP, A_FN = 1.0, 0.11, 1.0
Detector = Callable[[Labelled], list[bool]]  # an alert flag per point


def ours(s: Labelled) -> list[bool]:
    return [p.alert for p in score_series(s.timestamps, s.values, kind=s.kind)]


def _onsets(flags: list[bool]) -> list[bool]:
    return [f and (i == 0 or not flags[i - 1]) for i, f in enumerate(flags)]


def rolling_z(s: Labelled, window: int = 288, threshold: float = 4.0) -> list[bool]:
    recent: deque[float] = deque(maxlen=window)
    flags = []
    for x in s.values:
        flag = False
        if len(recent) >= 12:
            mean = statistics.fmean(recent)
            sd = statistics.pstdev(recent, mean) or 1e-9
            flag = abs(x - mean) / sd >= threshold
        flags.append(flag)
        recent.append(x)
    return _onsets(flags)


def windowed_gaussian(s: Labelled, window: int = 1000, step: int = 100) -> list[bool]:
    recent: deque[float] = deque(maxlen=window)
    mean, sd = 0.0, 0.0
    flags = []
    for i, x in enumerate(s.values):
        if i % step == 0 and len(recent) >= 12:
            mean = statistics.fmean(recent)
            sd = statistics.pstdev(recent, mean) or 1e-9
        flag = False
        if sd:
            tail = math.erfc(abs(x - mean) / sd / math.sqrt(2))
            flag = tail < 1e-5
        flags.append(flag)
        recent.append(x)
    return _onsets(flags)


def _sigmoid(y: float) -> float:
    return 2 / (1 + math.exp(5 * y)) - 1


def nab_score(s: Labelled, alerts: Sequence[bool]) -> tuple[float, int, int, int]:
    """Raw NAB score of one series, and its true positives, false positives, misses."""
    times = s.timestamps
    length = (times[-1] - times[0]) * 0.1 / max(1, len(s.onsets))
    windows = [(o - length / 2, o + length / 2) for o in s.onsets]
    hit = [False] * len(windows)
    raw, fps = 0.0, 0
    for t, alert in zip(times, alerts, strict=True):
        if not alert:
            continue
        inside = [k for k, (a, b) in enumerate(windows) if a <= t <= b]
        if inside:
            k = inside[0]
            if not hit[k]:
                hit[k] = True
                a, b = windows[k]
                raw += A_TP * _sigmoid((t - b) / (b - a))
            continue
        fps += 1
        before = [b for a, b in windows if b < t]
        if before:
            raw -= A_FP * -_sigmoid((t - before[-1]) / length)  # in (0, 1]: later costs more
        else:
            raw -= A_FP
    misses = hit.count(False)
    raw -= A_FN * misses
    return raw, hit.count(True), fps, misses


def evaluate(detector: Detector, series: list[Labelled]) -> dict[str, float]:
    raw = perfect = null = 0.0
    tp = fp = fn = points = 0
    started = time.perf_counter()
    flags = [detector(s) for s in series]
    elapsed = time.perf_counter() - started
    for s, alerts in zip(series, flags, strict=True):
        r, t, f, m = nab_score(s, alerts)
        raw, tp, fp, fn = raw + r, tp + t, fp + f, fn + m
        perfect += A_TP * _sigmoid(-1.0) * len(s.onsets)
        null -= A_FN * len(s.onsets)
        points += len(s.values)
    return {
        "score": round(100 * (raw - null) / (perfect - null), 1),
        "found": tp,
        "missed": fn,
        "false_alarms": fp,
        "points_per_s": round(points / elapsed),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    series = corpus(range(args.seeds))
    detectors: dict[str, Detector] = {
        "rolling_z (baseline)": rolling_z,
        "windowed_gaussian": windowed_gaussian,
        "ops_agent.anomaly": ours,
    }
    results = {name: evaluate(d, series) for name, d in detectors.items()}
    base = results["rolling_z (baseline)"]["score"]
    anomalies = sum(len(s.onsets) for s in series)
    if args.json:
        print(json.dumps({"series": len(series), "anomalies": anomalies, "results": results}))
        return 0
    print(f"NAB standard profile, {len(series)} series, {anomalies} labelled anomalies")
    print(f"{'detector':<22} {'score':>6} {'vs base':>8} {'found':>6} {'missed':>7} {'false':>6}")
    for name, r in results.items():
        ratio = f"{r['score'] / base:.2f}x" if base > 0 else "-"
        print(
            f"{name:<22} {r['score']:>6} {ratio:>8} {r['found']:>6} {r['missed']:>7} "
            f"{r['false_alarms']:>6}   {r['points_per_s']:>9,} points/s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
