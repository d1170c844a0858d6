"""Labelled metric series for the anomaly detector's tests and bench/anomaly.py: traffic with
daily and weekly cycles, latencies, error rates, CPU and drifting gauges, each with noise and
gaps, with the onset of every injected anomaly known. Seeded: the same seed, the same series."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from ops_agent.anomaly import Kind

STEP = 300.0  # five minutes
DAY_POINTS = int(86400 / STEP)


@dataclass
class Labelled:
    name: str
    kind: Kind
    timestamps: list[float]
    values: list[float]
    onsets: list[float] = field(default_factory=list)  # when each anomaly starts, seconds


def _poisson(rng: random.Random, lam: float) -> float:
    if lam > 50:  # normal approximation, for speed
        return max(0.0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p < limit:
            return float(k)
        k += 1


def _with_gaps(rng: random.Random, s: Labelled, gaps: int) -> Labelled:
    """Remove `gaps` stretches of 1 to 6 hours, never over an onset."""
    keep = [True] * len(s.timestamps)
    for _ in range(gaps):
        start = rng.randrange(DAY_POINTS, len(keep) - DAY_POINTS)
        length = rng.randint(12, 72)
        span = (s.timestamps[start], s.timestamps[min(start + length, len(keep) - 1)])
        if any(span[0] - 6 * 3600 <= o <= span[1] + 6 * 3600 for o in s.onsets):
            continue
        for i in range(start, min(start + length, len(keep))):
            keep[i] = False
    s.timestamps = [t for t, k in zip(s.timestamps, keep, strict=True) if k]
    s.values = [v for v, k in zip(s.values, keep, strict=True) if k]
    return s


def traffic(seed: int, days: int = 14) -> Labelled:
    """Requests per 5 minutes: a daily cycle, quieter weekends; a drop to almost nothing (the
    site went down) and a spike (a burst of traffic)."""
    rng = random.Random(seed)
    n = days * DAY_POINTS
    ts = [i * STEP for i in range(n)]
    base = rng.uniform(100, 2000)
    values = []
    for t in ts:
        day = 0.55 + 0.45 * math.sin(2 * math.pi * (t / 86400 - 0.3))
        weekend = 0.6 if int(t / 86400) % 7 in (5, 6) else 1.0
        values.append(_poisson(rng, base * day * weekend))
    drop = rng.randrange(9 * DAY_POINTS, 10 * DAY_POINTS)
    for i in range(drop, drop + 12):
        values[i] = _poisson(rng, base * 0.02)
    spike = rng.randrange(11 * DAY_POINTS, 13 * DAY_POINTS)
    for i in range(spike, spike + 3):
        values[i] *= 3.5
    s = Labelled(f"traffic-{seed}", "count", ts, values, [ts[drop], ts[spike]])
    return _with_gaps(rng, s, 3)


def latency(seed: int, days: int = 14) -> Labelled:
    """p95 latency in ms: log-normal noise on a daily swing; a lasting regression."""
    rng = random.Random(seed)
    n = days * DAY_POINTS
    ts = [i * STEP for i in range(n)]
    base = rng.uniform(80, 400)
    values = [
        base * (1 + 0.3 * math.sin(2 * math.pi * t / 86400)) * math.exp(rng.gauss(0, 0.08))
        for t in ts
    ]
    shift = rng.randrange(10 * DAY_POINTS, 12 * DAY_POINTS)
    for i in range(shift, n):
        values[i] *= 1.8
    s = Labelled(f"latency-{seed}", "gauge", ts, values, [ts[shift]])
    return _with_gaps(rng, s, 3)


def error_rate(seed: int, days: int = 14) -> Labelled:
    """The 5xx share: a fraction of a percent, then a step up for two hours."""
    rng = random.Random(seed)
    n = days * DAY_POINTS
    ts = [i * STEP for i in range(n)]
    base = rng.uniform(0.002, 0.01)
    values = [max(0.0, rng.gauss(base, base * 0.3)) for _ in ts]
    step = rng.randrange(8 * DAY_POINTS, 12 * DAY_POINTS)
    for i in range(step, step + 24):
        values[i] = max(0.0, rng.gauss(base + 0.05, 0.01))
    s = Labelled(f"error_rate-{seed}", "ratio", ts, values, [ts[step]])
    return _with_gaps(rng, s, 2)


def cpu(seed: int, days: int = 14) -> Labelled:
    """CPU %: steady with noise, then two hours of the same mean with four times the spread."""
    rng = random.Random(seed)
    n = days * DAY_POINTS
    ts = [i * STEP for i in range(n)]
    mean, sd = rng.uniform(20, 60), rng.uniform(1, 3)
    values = [rng.gauss(mean, sd) for _ in ts]
    burst = rng.randrange(8 * DAY_POINTS, 12 * DAY_POINTS)
    for i in range(burst, burst + 24):
        values[i] = rng.gauss(mean, sd * 6)
    s = Labelled(f"cpu-{seed}", "gauge", ts, values, [ts[burst]])
    return _with_gaps(rng, s, 2)


def drift(seed: int, days: int = 14) -> Labelled:
    """A gauge drifting up slowly (memory, queue depth): not an anomaly; then a jump that is."""
    rng = random.Random(seed)
    n = days * DAY_POINTS
    ts = [i * STEP for i in range(n)]
    base = rng.uniform(100, 1000)
    values = [base * (1 + 0.5 * i / n) + rng.gauss(0, base * 0.02) for i in range(n)]
    jump = rng.randrange(10 * DAY_POINTS, 12 * DAY_POINTS)
    for i in range(jump, n):
        values[i] += base * 0.3
    s = Labelled(f"drift-{seed}", "gauge", ts, values, [ts[jump]])
    return _with_gaps(rng, s, 2)


GENERATORS = (traffic, latency, error_rate, cpu, drift)


def corpus(seeds: range = range(3)) -> list[Labelled]:
    """Every generator with every seed."""
    return [make(seed) for seed in seeds for make in GENERATORS]
