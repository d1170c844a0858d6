"""When a delivered event could plausibly have happened. Pure.

Vercel signs the body of a webhook or drain delivery but no timestamp, so a captured delivery
stays valid forever. Dedup ids are kept longer than Vercel retries (webhooks: up to 24 h;
their ids are kept `WEBHOOK_DEDUP_DAYS`), and what claims a time outside the window in which
it could still arrive (older than what is kept, or ahead of the clock by more than skew
explains) is flagged and not acted on: a replay, or a clock that is badly wrong.
"""

from __future__ import annotations

from datetime import datetime, timedelta

WEBHOOK_DEDUP_DAYS = 7  # delivery ids kept; Vercel retries a webhook for up to 24 h
WEBHOOK_WINDOW = timedelta(days=WEBHOOK_DEDUP_DAYS - 1)  # a day inside what is kept
MAX_AHEAD = timedelta(hours=1)  # clock skew, ours or the sender's, and no more


def outside_window(at: datetime, now: datetime, oldest: timedelta) -> str | None:
    """Why `at` cannot be a fresh event's time (None when it can): older than `oldest`, or
    more than MAX_AHEAD ahead of `now`."""
    if at > now + MAX_AHEAD:
        return f"stamped {at.isoformat()}, more than {MAX_AHEAD} ahead of now"
    if at < now - oldest:
        return f"stamped {at.isoformat()}, older than the {oldest.days}-day window"
    return None
