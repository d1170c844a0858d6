"""Timestamps as the store gives them back: a datetime, an ISO 8601 string, or nothing. Pure."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def as_datetime(value: Any) -> datetime | None:
    """`value` as a datetime: None (or empty) stays None, a datetime is kept, and anything else
    is read as ISO 8601 (the form Postgres's JSON gives)."""
    if value is None or value == "":
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
