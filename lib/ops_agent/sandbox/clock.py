"""Scenario time: a clock the sandbox and the agent share, which can run faster than real time.

`advance` moves it by hand (the demo and the tests step a minute at a time, so an hour of
scenario runs in seconds); `speed` makes it run on its own, `speed` scenario seconds per real
second (`serve --sandbox` uses 1).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class ScenarioClock:
    def __init__(self, start: datetime | None = None, *, speed: float = 0.0) -> None:
        self._base = start or datetime.now(UTC).replace(second=0, microsecond=0)
        self._t0 = time.monotonic()
        self.speed = speed

    def now(self) -> datetime:
        return self._base + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)

    def advance(self, seconds: float) -> datetime:
        self._base += timedelta(seconds=seconds)
        return self.now()
