"""The crons declared in vercel.json: when each is next due (for the local server), and what
each Vercel plan allows of them (for the build check and `ops-agent doctor`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from croniter import croniter


@dataclass(frozen=True)
class Cron:
    path: str
    schedule: str

    def next_after(self, moment: datetime) -> datetime:
        """The first time strictly after `moment` (UTC) at which this cron fires."""
        return croniter(self.schedule, moment).get_next(datetime)


def load_crons(vercel_json: Path) -> list[Cron]:
    """Crons from a vercel.json file; ValueError naming the entry when one is malformed."""
    config = json.loads(vercel_json.read_text(encoding="utf-8"))
    crons: list[Cron] = []
    for i, entry in enumerate(config.get("crons", [])):
        path, schedule = entry.get("path"), entry.get("schedule")
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"vercel.json crons[{i}].path must start with '/'")
        if not isinstance(schedule, str) or not croniter.is_valid(schedule):
            raise ValueError(f"vercel.json crons[{i}].schedule is not a cron expression")
        crons.append(Cron(path, schedule))
    return crons


TICK = "/api/cron/tick"
DAY = timedelta(days=1)
# Any fixed week will do: what matters is the gap between firings, not the date.
_SAMPLE_START = datetime(2026, 1, 5, tzinfo=UTC)


def shortest_gap(schedule: str) -> timedelta:
    """The shortest time between two firings of `schedule` over a sample week."""
    it = croniter(schedule, _SAMPLE_START)
    previous: datetime = it.get_next(datetime)
    shortest = timedelta(days=7)
    for _ in range(2000):  # bounded: every minute of a day and a half at most
        nxt: datetime = it.get_next(datetime)
        shortest = min(shortest, nxt - previous)
        if nxt - _SAMPLE_START > timedelta(days=7):
            break
        previous = nxt
    return shortest


def plan_problems(crons: Sequence[Cron], plan: str | None) -> list[str]:
    """What stops these crons from deploying on `plan`: Vercel fails a Hobby deployment whose
    crons run more than once a day (docs: cron-jobs/usage-and-pricing)."""
    if plan != "hobby":
        return []
    return [
        f"{cron.path} runs every {_gap_text(shortest_gap(cron.schedule))} ({cron.schedule!r}); "
        "Hobby allows a cron at most once a day, so the deployment would fail. Use a daily "
        "schedule such as '0 6 * * *' and tick every minute from QStash "
        "(ops-agent schedule qstash) or an outside scheduler"
        for cron in crons
        if shortest_gap(cron.schedule) < DAY
    ]


def tick_advice(
    crons: Sequence[Cron], plan: str | None, *, qstash: bool, cron_secret: bool
) -> list[str]:
    """Where the minute tick comes from, when vercel.json does not tick every minute."""
    tick = next((c for c in crons if c.path == TICK), None)
    if tick is not None and shortest_gap(tick.schedule) <= timedelta(minutes=1):
        return []
    if qstash:
        return []
    every = f"every {_gap_text(shortest_gap(tick.schedule))}" if tick else "never"
    where = (
        "set its schedule to '* * * * *' in vercel.json, or "
        if plan in ("pro", "enterprise")
        else ""
    )
    outside = (
        "an outside scheduler calling it with Authorization: Bearer $CRON_SECRET"
        if cron_secret
        else "an outside scheduler (set CRON_SECRET first)"
    )
    return [
        f"vercel.json ticks the agent {every}: detection waits that long. For a tick every "
        f"minute, {where}use QStash (QSTASH_CURRENT_SIGNING_KEY, QSTASH_NEXT_SIGNING_KEY; "
        f"ops-agent schedule qstash) or {outside}"
    ]


def _gap_text(gap: timedelta) -> str:
    minutes = int(gap.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    if minutes < 1440:
        return f"{minutes // 60} hour{'s' if minutes >= 120 else ''}"
    return f"{minutes // 1440} day{'s' if minutes >= 2880 else ''}"


def cron_every(seconds: float) -> str:
    """The cron expression that fires every `seconds`: whole minutes that divide an hour, or
    whole hours that divide a day. ValueError otherwise (cron cannot say it)."""
    minutes, rest = divmod(int(seconds), 60)
    if rest or seconds != int(seconds) or minutes < 1:
        raise ValueError("a schedule runs every whole number of minutes (at least 1m)")
    if minutes == 1:
        return "* * * * *"
    if minutes < 60 and 60 % minutes == 0:
        return f"*/{minutes} * * * *"
    hours, rest = divmod(minutes, 60)
    if not rest and 24 % hours == 0:
        return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    raise ValueError(
        f"every {minutes}m cannot be a cron expression; use minutes that divide an hour"
    )
