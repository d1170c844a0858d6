"""One duration parser for rules, windows, time ranges and health-check conditions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ops_agent.alerts.rules import AlertRule
from ops_agent.durations import parse_seconds
from ops_agent.logs.timerange import parse_range
from ops_agent.monitoring.conditions import parse as parse_condition
from ops_agent.monitoring.query import parse


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("250ms", 0.25),
        ("30s", 30),
        ("5m", 300),
        ("1.5h", 5400),
        ("1h30m", 5400),
        ("7d", 604800),
        ("1w", 604800),
        (" 2W ", 1209600),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "m", "5 minutes", "5x", "-5m", "1h-30m"])
def test_what_is_not_a_duration(text: str) -> None:
    assert parse_seconds(text) is None


def test_one_week_works_wherever_a_duration_does() -> None:
    rule = AlertRule.model_validate(
        {"name": "r", "condition": "avg(latency_ms[1w]) > 300", "for": "1w"}
    )
    assert rule.for_seconds == 604800
    parse("rate(requests[1w])")
    assert parse_range("1w") == parse_range("7d") == timedelta(days=7)
    assert parse_range("1h30m") == timedelta(minutes=90)
    assert parse_condition("[RESPONSE_TIME] < 1w") is not None
