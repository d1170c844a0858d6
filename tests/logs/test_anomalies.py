"""The anomaly scoring on synthetic series with known change points."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from ops_agent.logs.anomalies import (
    DeploymentMark,
    Onset,
    rate_shift,
    recent_onset,
    suspect_deployment,
)
from ops_agent.logs.tool import DROP, SLOWER, SPIKE

BUCKET = 300.0


def spike_in(series: list[float], recent: int) -> Onset | None:
    times = [i * BUCKET for i in range(len(series))]
    return recent_onset(times, series, recent, kind="count", **SPIKE)


def poisson(rng: random.Random, lam: float, n: int) -> list[float]:
    """n Poisson(lam) draws: Knuth's method for small rates, a rounded normal for large."""
    out = []
    for _ in range(n):
        if lam > 50:
            out.append(float(max(0, round(rng.gauss(lam, math.sqrt(lam))))))
            continue
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                break
            k += 1
        out.append(float(k))
    return out


@pytest.mark.parametrize("lam", [0.2, 2.0, 20.0, 200.0])
def test_a_steady_noisy_stream_raises_nothing(lam: float) -> None:
    """100 independent streams per rate, 12 recent buckets each: no false positive at all."""
    rng = random.Random(int(lam * 10))
    false_positives = sum(spike_in(poisson(rng, lam, 300), 12) is not None for _ in range(100))
    assert false_positives == 0


def test_step_change_is_found_where_it_starts() -> None:
    rng = random.Random(1)
    series = poisson(rng, 5, 288) + poisson(rng, 60, 6)
    spike = spike_in(series, recent=12)
    assert spike is not None and spike.index == 288 and spike.score > 6
    assert spike.expected == pytest.approx(5, abs=1.5) and spike.peak >= 40


def test_small_absolute_changes_are_ignored() -> None:
    assert spike_in([0.0] * 200 + [4.0], recent=1) is None  # "from 0 to 4" is not an incident


def test_daily_seasonality_is_not_an_anomaly() -> None:
    """Hourly buckets over 4 days with a daily peak at 14:00 of 10x the night level."""
    rng = random.Random(2)
    day = [(100.0 if h == 14 else 10.0) for h in range(24)]
    series = [max(0.0, v + rng.gauss(0, math.sqrt(v))) for _ in range(4) for v in day]
    series = series[: 3 * 24 + 15]  # ends just after today's peak
    times = [i * 3600.0 for i in range(len(series))]
    assert recent_onset(times, series, 3, kind="count", **SPIKE) is None
    spiky = [*series[:-1], 600.0]
    assert recent_onset(times, spiky, 3, kind="count", **SPIKE) is not None


def test_a_traffic_drop_is_found_and_a_quiet_site_is_not_one() -> None:
    rng = random.Random(4)
    busy = [*poisson(rng, 120, 600), 3.0, 1.0, 2.0]
    times = [i * BUCKET for i in range(len(busy))]
    drop = recent_onset(times, busy, 6, kind="count", **DROP)
    assert drop is not None and drop.index == 600 and drop.direction == -1
    quiet = [*poisson(rng, 2, 600), 0.0, 0.0, 0.0]
    assert recent_onset(times, quiet, 6, kind="count", **DROP) is None


def test_a_latency_regression_is_found_with_gaps() -> None:
    rng = random.Random(5)
    p95: list[float | None] = [100.0 + rng.gauss(0, 5) for _ in range(300)]
    p95[100:110] = [None] * 10  # no requests, no latency
    p95 += [400.0, 420.0, 390.0, 410.0]
    times = [i * BUCKET for i in range(len(p95))]
    found = recent_onset(times, p95, 6, kind="gauge", **SLOWER)
    assert found is not None and found.index == 300 and found.peak == 420.0
    calm = [*p95[:300], 104.0, 99.0, 101.0, 100.0]
    assert recent_onset(times, calm, 6, kind="gauge", **SLOWER) is None


def test_rate_shift() -> None:
    assert rate_shift(20, 10_000, 90, 1_000) is not None  # 0.2 % to 9 %
    assert rate_shift(20, 10_000, 3, 1_000) is None  # same rate
    assert rate_shift(0, 10_000, 5, 100) is None  # too few events
    assert rate_shift(200, 10_000, 24, 1_000) is None  # 2 % to 2.4 %: noise


def test_suspect_deployment_is_the_latest_before_the_change() -> None:
    t = datetime(2026, 11, 24, 12, tzinfo=UTC)
    marks = [
        DeploymentMark("dpl_old", t - timedelta(hours=3)),
        DeploymentMark("dpl_a", t - timedelta(minutes=20)),
        DeploymentMark("dpl_b", t - timedelta(minutes=4)),
        DeploymentMark("dpl_after", t + timedelta(minutes=10)),
    ]
    found = suspect_deployment(t, marks, timedelta(minutes=30))
    assert found is not None and found["id"] == "dpl_b" and found["lag_seconds"] == 240
    assert suspect_deployment(t, marks[:1], timedelta(minutes=30)) is None
