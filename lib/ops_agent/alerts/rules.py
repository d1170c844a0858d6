"""Alert rules: a condition in the metrics query language, a severity, where to send, and
the timers of the lifecycle."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ops_agent.durations import describe as describe_duration
from ops_agent.durations import parse_seconds
from ops_agent.errors import Unprocessable
from ops_agent.monitoring.query import QueryError, parse
from ops_agent.remediation_spec import RemediationSpec
from ops_agent.results import Indexable
from ops_agent.severity import Severity

Channel = Literal["email", "smtp", "slack", "webhook"]
NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"

# What a severity means when a rule does not say: where it goes and how loudly.
SEVERITY_DEFAULTS: dict[str, dict[str, Any]] = {
    "critical": {"channels": ["slack", "email", "webhook"], "repeat": 3600, "escalate": 900},
    "high": {"channels": ["slack", "email"], "repeat": 4 * 3600, "escalate": None},
    "medium": {"channels": ["slack"], "repeat": 12 * 3600, "escalate": None},
    "low": {"channels": [], "repeat": None, "escalate": None},  # the daily digest only
}


class RuleError(Unprocessable):
    """A rule is invalid; `position` is set when its condition does not parse."""

    error_code = "invalid_rule"

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message, details={"position": position})
        self.position = position


def seconds(value: int | float | str | None) -> int | None:
    """`300`, `"300"`, `"5m"`, `"1h"`, `"1w"`, `"1h30m"` as whole seconds; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return int(value)
    if value.strip().isdigit():
        return int(value)
    parsed = parse_seconds(value)
    if parsed is None:
        raise ValueError(f"{value!r} is not {describe_duration()}")
    return int(parsed)


class AlertRule(BaseModel, Indexable):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(pattern=NAME)
    condition: str = Field(min_length=1, max_length=2000)
    severity: Severity = "high"
    channels: list[Channel] | None = None  # default: by severity
    for_seconds: int = Field(default=0, ge=0, le=7 * 86400, alias="for")
    keep_firing_for_seconds: int = Field(default=0, ge=0, le=86400, alias="keep_firing_for")
    labels: dict[str, str] = Field(default_factory=dict, max_length=20)
    group_by: list[str] = Field(default_factory=lambda: ["project"], max_length=10)
    description: str | None = Field(default=None, max_length=2000)
    runbook_url: str | None = Field(default=None, max_length=2000)
    remediation: RemediationSpec | None = None
    repeat_interval_seconds: int | None = Field(default=None, ge=60, alias="repeat_interval")
    escalate_after_seconds: int | None = Field(default=None, ge=60, alias="escalate_after")
    escalation: list[list[Channel]] = Field(default_factory=list, max_length=5)
    notify_resolved: bool = True
    enabled: bool = True

    @field_validator(
        "for_seconds",
        "keep_firing_for_seconds",
        "repeat_interval_seconds",
        "escalate_after_seconds",
        mode="before",
    )
    @classmethod
    def _durations(cls, value: Any) -> Any:
        return seconds(value)

    @field_validator("condition")
    @classmethod
    def _condition_parses(cls, value: str) -> str:
        try:
            parse(value)
        except QueryError as exc:
            raise PydanticCustomError(
                "condition",
                "{message} at position {position}",
                {"message": exc.message, "position": exc.position},
            ) from None
        return value

    @field_validator("runbook_url")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("runbook_url must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _defaults(self) -> AlertRule:
        defaults = SEVERITY_DEFAULTS[self.severity]
        if self.repeat_interval_seconds is None:
            self.repeat_interval_seconds = defaults["repeat"]
        if self.escalate_after_seconds is None:
            self.escalate_after_seconds = defaults["escalate"]
        return self

    def resolved_channels(self, available: list[str]) -> list[str]:
        """The channels of the first notification: the rule's, or its severity's that exist.
        When a severity that notifies finds none of its channels configured, every available
        channel is used: an alert that should reach someone must not reach no one."""
        if self.channels is not None:
            return list(self.channels)
        defaults = SEVERITY_DEFAULTS[self.severity]["channels"]
        chosen = [c for c in defaults if c in available]
        return chosen if chosen or not defaults else list(available)

    def escalation_chain(self, available: list[str]) -> list[list[str]]:
        """The channels of each escalation step. Critical alerts without a chain escalate to
        every available channel."""
        if self.escalation:
            return [list(step) for step in self.escalation]
        if self.escalate_after_seconds and self.severity == "critical":
            return [list(available)]
        return []

    def fingerprint(self) -> str:
        raw = json.dumps([self.name, sorted(self.labels.items())])
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    def group_key(self) -> str:
        values = [f"{k}={self.labels.get(k, '')}" for k in self.group_by if k in self.labels]
        return "|".join(values) if values else f"rule={self.name}"

    def spec(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=False)
