"""Anomalies in per-bucket log series: pure functions, no I/O.

Counts (errors, one template's lines, requests) and levels (p95 latency) are scored by the
one series detector every part of the agent uses (`ops_agent.anomaly.score_series`): causal,
both directions, with a daily cycle learnt from the data when the history holds one, and a
noise floor suited to counts. `recent_onset` reports the first alert within the recent
buckets. A share with a varying denominator (5xx of requests) is judged by a two-proportion
test instead (`rate_shift`), since how sure a share is depends on how many requests made it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ops_agent.anomaly import HALF_Z, Kind, score_series
from ops_agent.observations import AnomalyKind
from ops_agent.results import Indexable


@dataclass(frozen=True)
class Onset:
    """Where a change in the recent buckets starts, and how far it went."""

    index: int  # the first anomalous bucket
    expected: float  # what the series predicted there
    peak: float  # the value furthest from `expected` from the onset on, the same way
    score: float  # deviations from the prediction at the onset (4 scores 0.5 in anomaly.py)
    direction: int  # +1 a rise, -1 a drop


def recent_onset(
    times: Sequence[float],
    values: Sequence[float | None],
    recent: int,
    *,
    kind: Kind,
    direction: int = 1,
    min_peak: float = 0.0,
    min_ratio: float = 1.0,
) -> Onset | None:
    """The first change in `direction` the detector alerts on within the last `recent`
    points, when it is also large in absolute terms (a rise's peak at least `min_peak`) and
    relative ones (at least `min_ratio` times the expected, or below 1/`min_ratio` of it for
    a drop). Points that are None are gaps."""
    known = [(i, t, v) for i, (t, v) in enumerate(zip(times, values, strict=True)) if v is not None]
    scores = score_series([t for _, t, _ in known], [v for _, _, v in known], kind=kind)
    first = len(values) - recent
    for k, ((i, _, value), point) in enumerate(zip(known, scores, strict=True)):
        if i < first or not point.alert or point.direction != direction:
            continue
        expected = point.expected if point.expected is not None else value
        later = [v for _, _, v in known[k:]]
        peak = max(later) if direction > 0 else min(later)
        if direction > 0 and (peak < min_peak or peak < min_ratio * max(expected, 1.0)):
            continue
        if direction < 0 and peak * min_ratio > expected:
            continue
        return Onset(i, expected, peak, deviations(point.score), direction)
    return None


def deviations(score: float) -> float:
    """The robust deviations a detector score stands for (its inverse; 4 for 0.5)."""
    return HALF_Z * math.sqrt(math.log(1 / max(1e-12, 1 - score)) / math.log(2))


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
