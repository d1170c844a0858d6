"""Time ranges as people write them: "15m", "1h", "24h", "7d"."""

from __future__ import annotations

import re
from datetime import timedelta

from ops_agent.errors import InvalidInput

_RANGE = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
MAX_RANGE = timedelta(days=90)


def parse_range(text: str | timedelta) -> timedelta:
    """`15m`, `1h`, `24h`, `7d`, `2w` (or a timedelta) as a timedelta; InvalidInput otherwise."""
    if isinstance(text, timedelta):
        span = text
    else:
        match = _RANGE.match(text)
        if match is None:
            raise InvalidInput(
                f"time range {text!r} is not like 15m, 1h, 24h or 7d", code="invalid_time_range"
            )
        span = timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
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
