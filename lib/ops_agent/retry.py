"""When to try an HTTP call again: pure functions over the answer's status and headers."""

from __future__ import annotations

import random
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def server_delay(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds the server asked us to wait, from `Retry-After` (seconds or an HTTP date) or
    `X-RateLimit-Reset` (epoch seconds); None when it did not say."""
    retry_after = headers.get("retry-after")
    if retry_after:
        value = retry_after.strip()
        if value.isdigit():
            return float(value)
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - now)
        except (TypeError, ValueError):
            pass
    reset = headers.get("x-ratelimit-reset")
    if reset:
        try:
            return max(0.0, float(reset) - now)
        except ValueError:
            return None
    return None


def backoff_delay(
    attempt: int,
    *,
    base: float = 0.5,
    cap: float = 20.0,
    server: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before retry number `attempt` (1-based).

    The server's own figure wins when it gave one (plus up to a second of jitter so that
    instances waiting on the same window do not all return at once); otherwise full-jitter
    exponential backoff. Never more than `cap`.
    """
    r = rng or random
    if server is not None:
        return min(cap, server + r.uniform(0, 1.0))
    return min(cap, r.uniform(0, base * 2 ** (attempt - 1)))
