"""Anomaly scoring over per-bucket series: pure functions, no I/O.

Robust statistics throughout: a baseline is the median of past buckets, its spread the MAD
(scaled to a standard deviation) but never less than Poisson noise (sqrt of the median), so a
quiet stream's ordinary jitter never scores high. Where the history holds whole earlier days,
the same time of day is a second baseline, and a bucket must beat both (a daily peak is not an
anomaly). A spike must also be large in absolute terms (`min_count`) and relative ones
(`min_ratio`), which is what keeps false positives down.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ops_agent.observations import AnomalyKind
from ops_agent.results import Indexable

MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class Baseline:
    median: float
    spread: float

    def score(self, value: float) -> float:
        return (value - self.median) / self.spread


def baseline(values: Sequence[float]) -> Baseline:
    """Median and robust spread of `values` (at least Poisson noise, at least 1)."""
    if not values:
        return Baseline(0.0, 1.0)
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values)
    return Baseline(median, max(MAD_TO_SIGMA * mad, math.sqrt(max(median, 0.0)), 1.0))


@dataclass(frozen=True)
class Spike:
    start: int  # index of the first anomalous bucket
    value: float  # the largest value in the anomalous run
    score: float
    baseline: Baseline
    seasonal: Baseline | None = None


def find_spike(
    series: Sequence[float],
    recent: int,
    *,
    season: int | None = None,
    threshold: float = 6.0,
    min_count: float = 10.0,
    min_ratio: float = 3.0,
    min_history: int = 6,
) -> Spike | None:
    """A spike within the last `recent` buckets of `series` against the buckets before them.

    `season` is the period in buckets (a day); when the history holds at least two earlier
    periods, the values at the same phase form a second baseline. Returns the first bucket of
    the anomalous run and its peak, or None.
    """
    history = list(series[:-recent]) if recent < len(series) else []
    if len(history) < min_history:
        return None
    trailing = baseline(history)
    best: Spike | None = None
    for offset in range(recent):
        index = len(series) - recent + offset
        value = series[index]
        seasonal = _seasonal(series, index, season)
        expected = max(trailing.median, seasonal.median if seasonal else 0.0)
        score = min(trailing.score(value), seasonal.score(value) if seasonal else math.inf)
        if score >= threshold and value >= min_count and value >= min_ratio * max(expected, 1.0):
            if best is None:
                best = Spike(index, value, score, trailing, seasonal)
            elif value > best.value:
                best = Spike(best.start, value, max(score, best.score), trailing, seasonal)
    return best


def _seasonal(series: Sequence[float], index: int, season: int | None) -> Baseline | None:
    """The values at the same phase of earlier periods, when there are two or more."""
    if not season:
        return None
    same_phase = [series[i] for i in range(index - season, -1, -season)]
    return baseline(same_phase) if len(same_phase) >= 2 else None


@dataclass(frozen=True)
class RateShift:
    before: float
    after: float
    z: float


def rate_shift(
    before_hits: float,
    before_total: float,
    after_hits: float,
    after_total: float,
    *,
    threshold: float = 5.0,
    min_hits: float = 10.0,
    min_ratio: float = 2.0,
    floor: float = 0.01,
) -> RateShift | None:
    """A rise in a proportion (5xx / requests) that is significant (two-proportion z test),
    large (`min_ratio`, and at least `floor` absolute), and not a handful of events."""
    if after_total <= 0 or before_total <= 0 or after_hits < min_hits:
        return None
    p1, p2 = before_hits / before_total, after_hits / after_total
    pooled = (before_hits + after_hits) / (before_total + after_total)
    se = math.sqrt(max(pooled * (1 - pooled) * (1 / before_total + 1 / after_total), 1e-12))
    z = (p2 - p1) / se
    if z >= threshold and p2 >= min_ratio * p1 and p2 - p1 >= floor:
        return RateShift(p1, p2, z)
    return None


@dataclass(frozen=True)
class LevelShift:
    before: float
    after: float
    score: float


def level_shift(
    before: Sequence[float],
    after: Sequence[float],
    *,
    threshold: float = 6.0,
    min_ratio: float = 1.5,
    min_points: int = 3,
) -> LevelShift | None:
    """A sustained rise of a level (p95 latency): the median of `after` against `before`'s
    median and spread (here the spread's floor is 10 % of the median, not Poisson noise)."""
    before = [v for v in before if v is not None and not math.isnan(v)]
    after = [v for v in after if v is not None and not math.isnan(v)]
    if len(before) < min_points * 2 or len(after) < min_points:
        return None
    median = statistics.median(before)
    mad = statistics.median(abs(v - median) for v in before)
    spread = max(MAD_TO_SIGMA * mad, 0.1 * abs(median), 1.0)
    now = statistics.median(after)
    score = (now - median) / spread
    if score >= threshold and now >= min_ratio * median:
        return LevelShift(median, now, score)
    return None


@dataclass(frozen=True)
class DeploymentMark:
    id: str
    at: datetime
    url: str | None = None


def suspect_deployment(
    change_at: datetime, deployments: Sequence[DeploymentMark], window: timedelta
) -> dict[str, Any] | None:
    """The latest deployment that went live within `window` before the change started (or
    in the same bucket), as evidence for the anomaly."""
    candidates = [
        d for d in deployments if change_at - window <= d.at <= change_at + timedelta(minutes=1)
    ]
    if not candidates:
        return None
    chosen = max(candidates, key=lambda d: d.at)
    return {
        "id": chosen.id,
        "at": chosen.at.isoformat(),
        "url": chosen.url,
        "lag_seconds": round((change_at - chosen.at).total_seconds()),
    }


@dataclass
class Anomaly(Indexable):
    """Something unusual in the logs, with how unusual (`score`) and why (`evidence`)."""

    kind: AnomalyKind
    subject: str
    score: float
    started_at: datetime
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    suspected_deployment: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "score": round(self.score, 2),
            "started_at": self.started_at.isoformat(),
            "summary": self.summary,
            "evidence": self.evidence,
            "suspected_deployment": self.suspected_deployment,
        }
