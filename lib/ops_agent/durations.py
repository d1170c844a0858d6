"""Durations as people write them, one parser for every place that takes one: `250ms`, `30s`,
`5m`, `1h`, `1.5h`, `7d`, `2w`, and compounds such as `1h30m`. Pure."""

from __future__ import annotations

import re

UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# At most 15 digits a part: every duration read stays finite and fits a timedelta's arithmetic.
_PART = r"(\d{1,15}(?:\.\d{1,15})?)(ms|s|m|h|d|w)"
_WHOLE = re.compile(rf"^(?:{_PART})+$")
_EACH = re.compile(_PART)


def parse_seconds(text: str) -> float | None:
    """The seconds `text` spells (`"5m"` is 300.0, `"1h30m"` 5400.0), or None when it is not a
    duration. Surrounding space is ignored; a bare number is not a duration here."""
    value = text.strip().lower()
    if not _WHOLE.match(value):
        return None
    return sum(float(n) * UNITS[unit] for n, unit in _EACH.findall(value))


def describe() -> str:
    """How to write a duration, for error messages."""
    return "a duration like 30s, 5m, 1h, 7d or 2w"
