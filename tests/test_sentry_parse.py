"""Sentry deliveries as facts: one per resource and action, with the release that links it."""

from __future__ import annotations

import pytest

from ops_agent.errors import InvalidInput
from ops_agent.sentry import parse


def test_event_alert_carries_release_from_tags_and_the_rule() -> None:
    fact = parse(
        "event_alert",
        {
            "action": "triggered",
            "data": {
                "event": {
                    "event_id": "e1",
                    "title": "ZeroDivisionError: division by zero",
                    "level": "error",
                    "tags": [["release", "abc1234def"], ["environment", "production"]],
                    "web_url": "https://sentry.io/organizations/acme/issues/1/events/e1/",
                },
                "triggered_rule": "Send a notification for high priority issues",
            },
        },
    )
    assert fact is not None
    assert (fact.kind, fact.subject, fact.release, fact.environment) == (
        "sentry.event_alert.triggered",
        "e1",
        "abc1234def",
        "production",
    )
    assert fact.dedup_key == "sentry.event_alert.triggered:e1"


def test_metric_alert_and_unobserved_resources() -> None:
    fact = parse(
        "metric_alert",
        {
            "action": "critical",
            "data": {
                "metric_alert": {"id": "7", "alert_rule": {"name": "p95 > 2s"}},
                "description_title": "Critical: p95 > 2s in shop",
            },
        },
    )
    assert fact is not None and fact.kind == "sentry.metric_alert.critical"
    assert fact.level == "critical" and fact.title == "Critical: p95 > 2s in shop"
    assert parse("comment", {"action": "created"}) is None
    assert parse("installation", {"action": "deleted"}) is None


def test_missing_ids_are_refused() -> None:
    with pytest.raises(InvalidInput, match="issue"):
        parse("issue", {"action": "created", "data": {"issue": {"title": "x"}}})
    with pytest.raises(InvalidInput, match="event_id"):
        parse("error", {"action": "created", "data": "not an object"})
