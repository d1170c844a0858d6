"""Latency histograms as the rollups keep them: counts per bucket, and quantiles read from them.

The buckets' upper bounds in milliseconds match `ops_metric_bucket` in the metrics migration.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

BOUNDS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, math.inf)


def histogram_quantile(q: float, buckets: Sequence[int]) -> float | None:
    """The q-quantile of a latency histogram, interpolated inside its bucket; None when the
    histogram is empty."""
    total = sum(buckets)
    if total == 0:
        return None
    rank = q * total
    seen = 0.0
    for i, count in enumerate(buckets):
        if count and seen + count >= rank:
            lower = BOUNDS[i - 1] if i else 0.0
            upper = BOUNDS[i]
            if math.isinf(upper):
                return float(lower)
            return lower + (upper - lower) * (rank - seen) / count
        seen += count
    return float(BOUNDS[-2])
