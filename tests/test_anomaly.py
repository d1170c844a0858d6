"""The metric anomaly detector's promises: causal, quiet on noise, cycles and drift, finds
rises, drops, level shifts and variance bursts in any units, copes with gaps and irregular
timestamps."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ops_agent.anomaly import ALERT_SCORE, Kind, score_series
from tests.anomaly_series import GENERATORS, Labelled

MINUTE = 60.0


def alerts(s: Labelled) -> list[float]:
    return [
        s.timestamps[i]
        for i, p in enumerate(score_series(s.timestamps, s.values, kind=s.kind))
        if p.alert
    ]


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=300),
    cut=st.integers(1, 300),
)
def test_a_prefix_scores_the_same_as_the_whole(values: list[float], cut: int) -> None:
    """Causal: the answer for point i depends on points 0..i only."""
    ts = [i * MINUTE for i in range(len(values))]
    whole = score_series(ts, values)
    assert score_series(ts[:cut], values[:cut]) == whole[:cut]
    assert all(0.0 <= p.score <= 1.0 for p in whole)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("gauge", lambda r, i: 250 + r.gauss(0, 12)),
        ("count", lambda r, i: float(sum(r.random() < 0.05 for _ in range(60)))),
        ("ratio", lambda r, i: max(0.0, r.gauss(0.004, 0.0015))),
        ("gauge", lambda r, i: 40 + 25 * math.sin(2 * math.pi * i / 1440) + r.gauss(0, 2)),
        ("gauge", lambda r, i: 1e-3 * (1 + i / 5000) + r.gauss(0, 2e-5)),  # slow drift, tiny units
    ],
)
def test_quiet_on_noise_cycles_and_drift(seed: int, kind: Kind, make: object) -> None:
    rng = random.Random(seed)
    n = 4 * 1440  # four days of minutes
    values = [make(rng, i) for i in range(n)]  # type: ignore[operator]
    scores = score_series([i * MINUTE for i in range(n)], values, kind=kind)
    assert sum(p.alert for p in scores) == 0


def test_the_labelled_corpus_is_found_with_few_false_alarms() -> None:
    """Over every generator and four seeds: at least nine in ten anomalies alerted within an
    hour of their onset, and at most one alert a series that is none. (The misses are drops
    at night on traffic whose weekly cycle is not learnt yet; bench/anomaly.py scores the
    whole corpus.)"""
    onsets = found = 0
    for make in GENERATORS:
        for seed in range(4):
            series = make(seed)
            seen = alerts(series)
            onsets += len(series.onsets)
            found += sum(any(o <= a <= o + 3600 for a in seen) for o in series.onsets)
            stray = [a for a in seen if not any(o <= a <= o + 3 * 3600 for o in series.onsets)]
            assert len(stray) <= 1, (series.name, [a / 86400 for a in stray])
    assert found >= 0.9 * onsets, f"found {found} of {onsets}"


@pytest.mark.parametrize("direction", [1, -1])
def test_a_rise_and_a_drop_are_each_one_alert_at_the_onset(direction: int) -> None:
    rng = random.Random(7)
    values = [500 + rng.gauss(0, 10) for _ in range(2000)]
    for i in range(1200, 1260):  # an hour away from normal, then back
        values[i] = 500 + direction * 300 + rng.gauss(0, 10)
    scores = score_series([i * MINUTE for i in range(2000)], values)
    onsets = [i for i, p in enumerate(scores) if p.alert]
    assert onsets == [1200]
    assert scores[1200].direction == direction and scores[1200].score >= ALERT_SCORE


def test_gaps_and_irregular_timestamps_are_not_anomalies() -> None:
    rng = random.Random(3)
    ts, t = [], 0.0
    while len(ts) < 3000:
        t += rng.uniform(20, 100)  # jittered sampling
        if len(ts) in (800, 2000):
            t += 6 * 3600  # the source was away for six hours
        ts.append(t)
    values = [80 + rng.gauss(0, 4) for _ in ts]
    assert sum(p.alert for p in score_series(ts, values)) == 0
    values[2500] = 200
    assert [i for i, p in enumerate(score_series(ts, values)) if p.alert] == [2500]


def test_non_finite_values_are_skipped_and_lengths_must_match() -> None:
    scores = score_series([0, 60, 120], [1.0, math.nan, math.inf])
    assert [p.score for p in scores] == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="length"):
        score_series([0, 1], [1.0])
