"""Time ranges as people write them: "15m", "1h", "24h", "7d"."""

from __future__ import annotations

from datetime import timedelta

from ops_agent.durations import parse_seconds
from ops_agent.errors import InvalidInput

MAX_RANGE = timedelta(days=90)


def parse_range(text: str | timedelta) -> timedelta:
    """`15m`, `1h`, `24h`, `7d`, `2w` (or a timedelta) as a timedelta; InvalidInput otherwise."""
    if isinstance(text, timedelta):
        span = text
    else:
        seconds = parse_seconds(text)
        if seconds is None:
            raise InvalidInput(
                f"time range {text!r} is not like 15m, 1h, 24h or 7d", code="invalid_time_range"
            )
        # Judged before it becomes a timedelta, which cannot hold a billion days.
        span = timedelta(seconds=min(seconds, MAX_RANGE.total_seconds() + 1))
    if span <= timedelta(0) or span > MAX_RANGE:
        raise InvalidInput(
            "a time range must be positive and at most 90 days", code="invalid_time_range"
        )
    return span


def bucket_for(span: timedelta, buckets: int = 12) -> int:
    """A round bucket size in seconds giving about `buckets` buckets over `span`."""
    for size in (60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400):
        if span.total_seconds() / size <= buckets:
            return size
    return 86400
