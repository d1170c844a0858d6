"""How unusual each point of a metric series is: causal, online, in any units. Pure.

`score_series(timestamps, values, kind=...)` reads a series once, oldest first, and scores each
point against what the points before it predicted; the answer for point i depends only on
points 0..i, so scoring a prefix gives the same answers (alert rules evaluate as data arrives).

The model, per series:
- a level and a damped trend (Holt), so slow drift is followed, not alarmed on;
- a seasonal profile by time of day and by time of week, each learnt from the data and used
  only once it has seen two periods and predicts better than the plain model (a daily
  latency swing is expected, not an anomaly);
- a robust scale: the exponentially weighted mean absolute residual, never below the noise a
  `kind` implies (Poisson for counts, half a percentage point for ratios, 1 % of the level for
  gauges), so a flat series's tiny jitter never scores high;
- a short-term residual spread against the long-term one, for bursts of variance.
A point's score is in [0, 1]: 0.5 at 4 robust deviations from the prediction, 0.8 at about 6.
Points at or above ALERT_SCORE are anomalous; a run of them is one alert, at its onset. An
anomalous point updates the model with its residual clipped, so a spike does not drag the
baseline; a run that lasts (a level shift) is adopted as the new level after `ADOPT_AFTER`
points, so a change is reported once and the series then is quiet again.
Irregular timestamps are fine: the seasonal phase comes from the time itself, and a gap widens
the tolerance for the first points after it.

Cost: a few microseconds a point; memory is bounded by the seasonal profiles (at most 288
daily and 168 weekly bins), not by the length of the series.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal["gauge", "count", "ratio"]

ALERT_SCORE = 0.8  # about 6 robust deviations
CALM_SCORE = 0.5  # a run of anomalous points ends below this
HALF_Z = 4.0  # the deviation that scores 0.5
ADOPT_AFTER = 6  # anomalous points in a row after which the new level is the level
WARMUP = 12  # points before any alert
CLIP = 4.0  # residuals clipped to this many deviations when they update the model
DAY = 86400.0
WEEK = 7 * DAY
_MAD_TO_SIGMA = 1.2533  # mean absolute deviation to standard deviation, for normal noise
_LN2 = math.log(2)


@dataclass(frozen=True, slots=True)
class PointScore:
    """One point's verdict. `score` in [0, 1]; `alert` only at the onset of an anomalous run;
    `expected` what the model predicted (None while warming up); `direction` +1 above it,
    -1 below, 0 when the point is not anomalous."""

    score: float
    alert: bool
    expected: float | None = None
    direction: int = 0


def _alpha(half_life: float) -> float:
    return 1.0 - math.pow(0.5, 1.0 / half_life)


A_LEVEL = _alpha(12)
A_TREND = _alpha(60)
DAMP = 0.98
A_SCALE = _alpha(48)
A_SHORT = _alpha(6)


class _Model:
    """Holt's level and damped trend over the series less a seasonal profile (or none).

    The profile of a bin is the median of the last deviations seen in it (about three
    periods' worth), from the points as they were: a cycle that recurs is learnt in two
    periods however large it is, and one odd period does not move a median of three."""

    __slots__ = (
        "abs_err",
        "bins",
        "fit",
        "keep",
        "level",
        "period",
        "profile",
        "recent",
        "started",
        "trend",
    )

    def __init__(
        self, level: float, period: float, bins: int, started: float, step: float = 60.0
    ) -> None:
        self.level = level
        self.trend = 0.0
        self.period = period
        self.bins = bins
        per_bin = max(1, round(period / bins / step)) if bins else 1
        self.keep = min(15, 3 * per_bin)
        self.recent: list[list[float]] = [[] for _ in range(bins)]
        self.profile = [0.0] * bins
        self.abs_err = 0.0  # mean absolute residual, clipped: the model's robust scale
        self.fit = 0.0  # mean absolute residual as it was: how well it predicts, to choose
        self.started = started

    def phase(self, t: float) -> int:
        return int((t % self.period) / self.period * self.bins) if self.bins else 0

    def seasonal(self, t: float) -> float:
        """The profile's offset at `t` (0 where it has not been seen, or with no profile)."""
        return self.profile[self.phase(t)] if self.bins else 0.0

    def predict(self, t: float) -> float:
        return self.level + DAMP * self.trend + self.seasonal(t)

    def ready(self, t: float) -> bool:
        """Plain models always are; a seasonal one once it has seen two periods (one is
        not enough: a profile learnt from one week takes that week's noise for the norm)."""
        return not self.bins or t - self.started >= 2 * self.period

    def learn(self, t: float, raw: float, kind: Kind) -> None:
        """Learn from the point at `t`: the level from `raw` with its residual clipped to
        CLIP of this model's own scale, the profile from `raw` as it was. (One method, not
        predict-then-update: it runs for every model at every point.)"""
        if self.bins:
            b = int((t % self.period) / self.period * self.bins)
            offset = self.profile[b]
        else:
            b, offset = 0, 0.0
        forecast = self.level + DAMP * self.trend
        predicted = forecast + offset
        own = CLIP * max(self.abs_err * _MAD_TO_SIGMA, _floor(kind, self.level))
        x = predicted + max(-own, min(own, raw - predicted))
        self.abs_err += A_SCALE * (abs(x - forecast - offset) - self.abs_err)
        self.fit += A_SCALE * (abs(raw - forecast - offset) - self.fit)
        previous = self.level
        self.level = forecast + A_LEVEL * (x - offset - forecast)
        self.trend = DAMP * self.trend + A_TREND * (self.level - previous - DAMP * self.trend)
        if self.bins:
            kept = self.recent[b]
            kept.append(raw - self.level)
            if len(kept) > self.keep:
                del kept[0]
            ordered = sorted(kept)
            middle = len(ordered) // 2
            self.profile[b] = (
                ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
            )

    def adopt(self, level: float) -> None:
        self.level, self.trend = level, 0.0


def _floor(kind: Kind, level: float) -> float:
    """The least deviation a point of this kind can be judged by: its noise floor."""
    if kind == "count":
        return math.sqrt(max(abs(level), 1.0))
    if kind == "ratio":
        return 0.005
    return max(0.01 * abs(level), 1e-9)


class SeriesDetector:
    """The state behind `score_series`, for a caller that feeds points as they arrive."""

    def __init__(self, kind: Kind = "gauge") -> None:
        self.kind: Kind = kind
        self._warm: list[tuple[float, float]] = []
        self._models: list[_Model] = []
        self._short = 0.0
        self._step = 0.0
        self._last_t: float | None = None
        self._chosen = 0  # index of the model in use
        self._run = 0
        self._run_points: list[tuple[float, float]] = []
        # The normal before the last adopted change, kept a while: a return to it (an outage
        # that ends) is the end of that change, not a second one.
        self._before: list[tuple[float, float, float]] | None = None
        self._before_left = 0

    def update(self, t: float, x: float) -> PointScore:
        """Score the point (`t` in seconds, not before the last one), then learn from it."""
        if not math.isfinite(x):
            return PointScore(0.0, False)
        if not self._models:
            return self._warm_up(t, x)
        gap = (t - self._last_t) / self._step if self._last_t is not None and self._step else 1
        self._last_t = t
        model = self._best(t)
        expected = model.predict(t)
        residual = x - expected
        scale = self._scale_of(model)
        if gap > 3:  # after a gap the prediction is older than it looks
            scale *= min(3.0, math.sqrt(gap / 3))
        z = abs(residual) / scale
        burst = 2.0 * math.sqrt(self._short) / scale if self._short else 0.0
        score = 1.0 - math.exp(-_LN2 * (max(z, burst) / HALF_Z) ** 2)
        anomalous = score >= ALERT_SCORE
        if anomalous and self._run == 0 and self._returns(t, x):
            return PointScore(round(score, 6), False, expected, 0)
        onset = anomalous and self._run == 0
        direction = (1 if residual > 0 else -1) if anomalous else 0
        self._learn(t, x, residual, scale, anomalous or (self._run > 0 and score >= CALM_SCORE))
        return PointScore(round(score, 6), onset, expected, direction)

    def _warm_up(self, t: float, x: float) -> PointScore:
        self._warm.append((t, x))
        if len(self._warm) < WARMUP:
            return PointScore(0.0, False)
        times = [p[0] for p in self._warm]
        values = [p[1] for p in self._warm]
        steps = [b - a for a, b in itertools.pairwise(times) if b > a]
        self._step = statistics.median(steps) if steps else 60.0
        level = statistics.median(values)
        spread = statistics.fmean(abs(v - level) for v in values)
        started = times[0]
        self._models = [_Model(level, 1.0, 0, started)]
        for period, most in ((DAY, 288), (WEEK, 168)):
            bins = max(12, min(most, int(period / max(self._step, 1.0))))
            if self._step * 4 <= period:  # at least a few points a period
                self._models.append(_Model(level, period, bins, started, self._step))
        for model in self._models:
            model.abs_err = model.fit = spread
        self._last_t = times[-1]
        return PointScore(0.0, False, level)

    def _returns(self, t: float, x: float) -> bool:
        """Whether `x` is back at the normal from before the last adopted change; if so,
        that normal is restored."""
        if self._before is None:
            return False
        states = self._before
        level, _, spread = states[0]
        bound = 3 * max(spread * _MAD_TO_SIGMA, _floor(self.kind, level))
        if abs(x - (level + self._models[0].seasonal(t))) > bound:
            return False
        for model, state in zip(self._models, states, strict=True):
            model.level, model.trend, model.abs_err = state
        self._short, self._before, self._before_left = 0.0, None, 0
        return True

    def _scale_of(self, model: _Model) -> float:
        """The deviation a point is judged by under `model`: its own robust spread, at least
        the noise floor of the series's kind."""
        return max(model.abs_err * _MAD_TO_SIGMA, _floor(self.kind, model.level))

    def _best(self, t: float) -> _Model:
        """The model that predicts best lately; another takes over only when clearly better
        (a fifth less error), so the choice does not flap on noise."""
        current = self._models[self._chosen]
        for i, model in enumerate(self._models):
            if model.ready(t) and model.fit < 0.8 * current.fit:
                self._chosen, current = i, model
        return current

    def _learn(self, t: float, x: float, residual: float, scale: float, in_run: bool) -> None:
        bound = CLIP * scale
        clipped = max(-bound, min(bound, residual))
        if in_run:
            self._run += 1
            self._run_points.append((t, x))
            if self._run >= ADOPT_AFTER:  # a sustained change: it is the new normal
                self._before = [(m.level, m.trend, m.abs_err) for m in self._models]
                self._before_left = 20 * ADOPT_AFTER
                for model in self._models:
                    run = [v - model.seasonal(u) for u, v in self._run_points]
                    model.adopt(statistics.median(run))
                self._run, self._run_points = 0, []
                self._short = 0.0
                return
        else:
            self._run, self._run_points = 0, []
        if self._before_left:
            self._before_left -= 1
            if not self._before_left:
                self._before = None
        for model in self._models:
            model.learn(t, x, self.kind)
        self._short += A_SHORT * (clipped * clipped - self._short)


def score_series(
    timestamps: Sequence[float], values: Sequence[float], *, kind: Kind = "gauge"
) -> list[PointScore]:
    """Each point's score against the points before it; `timestamps` in seconds, ascending.

    `kind` sets the noise floor: "count" (events per interval), "ratio" (a share, 0 to 1) or
    "gauge" (anything else: latencies, CPU, bytes)."""
    if len(timestamps) != len(values):
        raise ValueError("timestamps and values differ in length")
    detector = SeriesDetector(kind)
    return [detector.update(float(t), float(v)) for t, v in zip(timestamps, values, strict=True)]
