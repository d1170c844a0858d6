"""What an evaluation saw, for whoever decides next: the rules it evaluated, the alerts open
after it (with their incidents), and which of them are quiet (silenced or in maintenance),
all as of one moment. The agent decides remediation from it without reading any of it again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ops_agent.alerts.records import Alert
from ops_agent.alerts.rules import AlertRule


@dataclass(frozen=True)
class Situation:
    now: datetime
    rules: Mapping[str, AlertRule]
    open_alerts: Sequence[Alert]
    quiet: Mapping[str, str] = field(default_factory=dict)  # alert id -> why it is quiet

    def firing(self) -> list[Alert]:
        """The alerts firing now (not pending, not acknowledged)."""
        return [a for a in self.open_alerts if a.get("state") == "firing"]
