"""The task language: each intent from several paraphrases, params, and refusals."""

from __future__ import annotations

import pytest

from ops_agent.agent.executor import monitor_condition
from ops_agent.agent.tasks import INTENTS, TaskNotUnderstood, parse_task

CASES = [
    ("Deploy latest changes to production", "deploy", {"environment": "production"}),
    ("ship it to prod", "deploy", {"environment": "production"}),
    (
        "Please release the checkout branch of project shop to preview",
        "deploy",
        {"environment": "preview", "project": "shop", "branch": "checkout"},
    ),
    (
        "deploy branch feature/login to staging",
        "deploy",
        {"environment": "staging", "branch": "feature/login"},
    ),
    ("Roll back production", "rollback", {"environment": "production"}),
    ("revert the last deploy of project shop", "rollback", {"project": "shop"}),
    ("undo the latest deployment", "rollback", {}),
    (
        "What is the status of deployment dpl_abc123?",
        "deployment_status",
        {"deployment_id": "dpl_abc123"},
    ),
    ("did the deploy dpl_Zz9 succeed", "deployment_status", {"deployment_id": "dpl_Zz9"}),
    ("show recent deployments for project shop", "list_deployments", {"project": "shop"}),
    (
        "Monitor API error rate and alert if >5%",
        "monitor",
        {"metric": "error_rate", "operator": ">", "threshold": 0.05},
    ),
    (
        "Alert me when the error rate exceeds 2 percent, critical, via slack and email",
        "monitor",
        {
            "metric": "error_rate",
            "operator": ">",
            "threshold": 0.02,
            "severity": "critical",
            "channels": ["email", "slack"],
        },
    ),
    (
        "keep an eye on latency and page me if it goes above 800ms",
        "monitor",
        {"metric": "p95_latency_ms", "operator": ">", "threshold": 800.0},
    ),
    (
        "watch the cpu and notify us if it is over 90%",
        "monitor",
        {"metric": "cpu_percent", "operator": ">", "threshold": 90.0},
    ),
    (
        "set up an alert for requests below 10 req/s on project shop",
        "monitor",
        {"metric": "request_rate", "operator": "<", "threshold": 10.0, "project": "shop"},
    ),
    (
        "Analyze error logs from the past hour and identify root causes",
        "analyze_logs",
        {"time_range_seconds": 3600},
    ),
    (
        "why are we getting 500s in the last 30 minutes?",
        "analyze_logs",
        {"time_range_seconds": 1800},
    ),
    ("investigate the errors over the last 2 days", "analyze_logs", {"time_range_seconds": 172800}),
    (
        'Search the logs for "connection refused" in the last 24 hours',
        "search_logs",
        {"query": "connection refused", "time_range_seconds": 86400},
    ),
    ("Are there any anomalies in the last hour?", "detect_anomalies", {"time_range_seconds": 3600}),
    ("anything unusual today?", "detect_anomalies", {"time_range_seconds": 86400}),
    ("Check the health of the api service", "health_check", {"service": "api"}),
    ("is the checkout up?", "health_check", {}),
    ("Show CPU and memory usage", "system_metrics", {"metric": "cpu_percent"}),
    ("List the active alerts", "list_alerts", {}),
    ("what's firing?", "list_alerts", {}),
    ("any critical alerts?", "list_alerts", {"severity": "critical"}),
    (
        "Acknowledge alert 3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "acknowledge_alert",
        {"alert_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"},
    ),
    (
        "Notify the team on Slack: deploy starts at 5pm",
        "notify",
        {"channels": ["slack"], "message": "deploy starts at 5pm"},
    ),
    (
        'tell everyone by email "maintenance tonight"',
        "notify",
        {"channels": ["email"], "message": "maintenance tonight"},
    ),
]


@pytest.mark.parametrize(("text", "intent", "params"), CASES)
def test_paraphrases(text: str, intent: str, params: dict) -> None:
    parsed = parse_task(text)
    assert parsed.intent == intent
    assert parsed.params == params


def test_every_intent_is_covered() -> None:
    assert {intent for _, intent, _ in CASES} == set(INTENTS)


@pytest.mark.parametrize(
    "text",
    [
        "make me a sandwich",
        "",
        "hello there",
        "monitor the error rate",
        "acknowledge the alert",
        "notify the team",
    ],
)
def test_what_is_not_understood_is_refused_with_the_supported_list(text: str) -> None:
    with pytest.raises(TaskNotUnderstood) as info:
        parse_task(text)
    assert info.value.supported == INTENTS


def test_structured_requests() -> None:
    parsed = parse_task({"intent": "rollback", "params": {"project": "shop"}})
    assert parsed.as_dict() == {"intent": "rollback", "params": {"project": "shop"}}
    for bad in (
        {"intent": "launch_missiles"},
        {"intent": "deploy", "params": {"nope": 1}},
        {"intent": "monitor", "params": {"metric": "error_rate"}},
        {"intent": "deploy", "params": []},
    ):
        with pytest.raises(TaskNotUnderstood):
            parse_task(bad)


def test_monitor_conditions_parse_in_the_query_language() -> None:
    from ops_agent.monitoring.query import parse

    for params in (
        {"metric": "error_rate", "operator": ">", "threshold": 0.05},
        {"metric": "error_rate", "operator": ">", "threshold": 0.05, "project": "shop"},
        {"metric": "p95_latency_ms", "operator": ">", "threshold": 800, "project": "shop"},
        {"metric": "cpu_percent", "operator": ">=", "threshold": 90},
        {"metric": "request_rate", "operator": "<", "threshold": 10},
    ):
        parse(monitor_condition(params))
    assert (
        monitor_condition({"metric": "error_rate", "operator": ">", "threshold": 0.05})
        == "error_rate[5m] > 0.05"
    )
