"""The crons declared in vercel.json, and when each is next due (for the local server)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
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
