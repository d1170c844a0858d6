"""The scales, in one place: how bad an alert is (severity) and how urgent a task is
(priority), and what each means to the other parts. Pure."""

from __future__ import annotations

from typing import Literal, get_args

Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)  # least to most severe

# A task's priority; the alert scale works too ("medium" is "normal").
Priority = Literal["low", "medium", "normal", "high", "critical"]
PRIORITIES: tuple[Priority, ...] = get_args(Priority)  # least to most urgent
PRIORITY_RANK: dict[Priority, int] = {"low": 0, "medium": 1, "normal": 1, "high": 2, "critical": 3}

# The severity of an alert rule a task creates, by the task's priority.
SEVERITY_OF_PRIORITY: dict[Priority, Severity] = {
    "low": "low",
    "medium": "medium",
    "normal": "high",
    "high": "high",
    "critical": "critical",
}
# How loud a notification is (notify.Severity), for an alert's severity or a task's priority.
NOTIFY_LEVEL: dict[Severity, str] = {
    "low": "info",
    "medium": "warning",
    "high": "error",
    "critical": "critical",
}
NOTIFY_LEVEL_OF_PRIORITY: dict[Priority, str] = {
    "low": "info",
    "medium": "info",
    "normal": "info",
    "high": "warning",
    "critical": "critical",
}


def rank(severity: str | None) -> int:
    """1 (low) to 4 (critical); 0 for what is not a severity."""
    return SEVERITIES.index(severity) + 1 if severity in SEVERITIES else 0
