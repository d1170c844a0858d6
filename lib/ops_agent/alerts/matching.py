"""Label matchers, silences and maintenance windows: pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import re2  # type: ignore[import-untyped]
from pydantic import BaseModel, Field, field_validator, model_validator

from ops_agent.alerts.records import Alert
from ops_agent.alerts.rules import NAME

MAX_LABEL_VALUE = 1000  # what a regex is matched against, at most
_RE2 = re2.Options()
_RE2.log_errors = False  # a bad pattern is the caller's error, said in the answer


def _regex(pattern: str) -> Any:
    return re2.compile(pattern, _RE2)


class Matcher(BaseModel):
    """`label op value`. Regexes run on RE2 (linear time: no pattern can stall the loop);
    backreferences and lookaround, which RE2 does not have, are refused when declared."""

    label: str = Field(min_length=1, max_length=100)
    op: Literal["=", "!=", "=~", "!~"] = "="
    value: str = Field(max_length=500)

    @model_validator(mode="after")
    def _regex_compiles(self) -> Matcher:
        if self.op in ("=~", "!~"):
            try:
                _regex(self.value)
            except re2.error as exc:
                raise ValueError(
                    f"bad regex {self.value!r}: {exc} (RE2 syntax: no backreferences or lookaround)"
                ) from None
        return self

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.label, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        found = _regex(self.value).fullmatch(actual[:MAX_LABEL_VALUE]) is not None
        return found if self.op == "=~" else not found


def matches_all(matchers: Sequence[Matcher], labels: Mapping[str, str]) -> bool:
    return all(m.matches(labels) for m in matchers)


class Silence(BaseModel):
    id: str | None = None
    matchers: list[Matcher] = Field(min_length=1, max_length=20)
    starts_at: datetime
    ends_at: datetime
    created_by: str | None = None
    comment: str = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _ordered(self) -> Silence:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self

    def active(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


class MaintenanceWindow(BaseModel):
    """One-off (`starts_at` to `ends_at`) or recurring (`cron` opens it, UTC, for
    `duration_seconds`). Alerts whose labels match (all alerts, without matchers) stay quiet."""

    id: str | None = None
    name: str = Field(pattern=NAME)
    matchers: list[Matcher] = Field(default_factory=list, max_length=20)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    cron: str | None = Field(default=None, max_length=100)
    duration_seconds: int | None = Field(default=None, ge=60, le=7 * 86400)
    comment: str | None = Field(default=None, max_length=1000)

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None:
            from croniter import croniter

            if not croniter.is_valid(value):
                raise ValueError(f"{value!r} is not a 5-field cron expression")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> MaintenanceWindow:
        one_off = self.starts_at is not None and self.ends_at is not None
        recurring = self.cron is not None and self.duration_seconds is not None
        if one_off == recurring:
            raise ValueError("give starts_at and ends_at, or cron and duration_seconds")
        if one_off and self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self

    def active(self, at: datetime) -> bool:
        if self.starts_at is not None and self.ends_at is not None:
            return self.starts_at <= at < self.ends_at
        from croniter import croniter

        assert self.cron is not None and self.duration_seconds is not None
        opened: datetime = croniter(self.cron, at + timedelta(seconds=1)).get_prev(datetime)
        return at < opened + timedelta(seconds=self.duration_seconds)


@dataclass(frozen=True)
class Muted:
    """Why an alert stays quiet: what kind of thing mutes it, and in words."""

    kind: Literal["silenced", "maintenance", "inhibited"]
    reason: str


def quieted(
    labels: Mapping[str, str],
    at: datetime,
    silences: Sequence[Silence],
    windows: Sequence[MaintenanceWindow],
) -> Muted | None:
    """Why an alert with `labels` must not notify at `at` (a silence or a maintenance
    window), or None."""
    for silence in silences:
        if silence.active(at) and matches_all(silence.matchers, labels):
            return Muted("silenced", f"silenced by {silence.id or 'a silence'}: {silence.comment}")
    for window in windows:
        if window.active(at) and matches_all(window.matchers, labels):
            return Muted("maintenance", f"maintenance window {window.name}")
    return None


def inhibited(
    alert: Alert | Mapping[str, Any], firing: Sequence[Alert | Mapping[str, Any]]
) -> str | None:
    """A firing critical alert on the same project mutes that project's lower-severity
    alerts: they are symptoms. Returns the inhibiting alert's rule, or None."""
    if alert["severity"] == "critical":
        return None
    project = (alert.get("labels") or {}).get("project")
    for other in firing:
        if (
            other["id"] != alert["id"]
            and other["severity"] == "critical"
            and other["state"] in ("firing", "acknowledged")
            and (other.get("labels") or {}).get("project") == project
        ):
            return str(other["rule"])
    return None
