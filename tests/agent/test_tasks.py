"""The task language: the phrasing corpus, each slot reader, refusals that say what is missing,
and the rule a monitor task creates whichever way it is phrased."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ops_agent.agent.language import INTENTS, TaskNotUnderstood, describe, parse_task, slots
from ops_agent.agent.monitor_rules import monitor_condition
from tests.agent.phrasings import adapter, evaluate, load, table

PHRASINGS = load()


_parse = adapter(parse_task, TaskNotUnderstood)


def test_the_corpus_is_broad() -> None:
    per_intent = {i: sum(p.intent == i for p in PHRASINGS) for i in INTENTS}
    assert len(PHRASINGS) >= 400 and min(per_intent.values()) >= 25, per_intent
    holdout = [p for p in PHRASINGS if p.split == "holdout"]
    assert 0.09 <= len(holdout) / len(PHRASINGS) <= 0.12
    assert {p.intent for p in holdout} == set(INTENTS)
    assert len({p.text for p in PHRASINGS}) == len(PHRASINGS)


def test_accuracy_on_the_corpus() -> None:
    """At least 98% exactly right overall and 95% for every intent; at least 95% of the
    held-out phrasings, which no tuning saw."""
    tuned = evaluate(_parse, [p for p in PHRASINGS if p.split == "tune"])
    held = evaluate(_parse, [p for p in PHRASINGS if p.split == "holdout"])
    everything = evaluate(_parse, PHRASINGS)
    report = f"tuned\n{table(tuned)}\n\nheld out\n{table(held)}\n\nmisses:\n" + "\n".join(
        f"  {p.text!r}: want {p.intent} {p.params}, got {g}" for p, g in everything.misses
    )
    print(report)
    assert everything.share(everything.exact) >= 0.98, report
    assert all(everything.share(everything.exact, i) >= 0.95 for i in INTENTS), report
    assert held.share(held.exact) >= 0.95, report


@pytest.mark.parametrize(
    "text",
    [
        "make me a sandwich",
        "",
        "   ",
        "hello there",
        "what is the meaning of life",
        "x" * 2001,
    ],
)
def test_what_matches_nothing_is_refused_with_the_supported_list(text: str) -> None:
    with pytest.raises(TaskNotUnderstood) as info:
        parse_task(text)
    assert info.value.supported == INTENTS and info.value.understood is None


@pytest.mark.parametrize(
    ("text", "intent", "missing"),
    [
        ("monitor the error rate", "monitor", ["operator", "threshold"]),
        ("alert me when latency is high", "monitor", ["operator", "threshold"]),
        ("acknowledge the alert", "acknowledge_alert", ["alert_id"]),
        ("notify the team", "notify", ["message"]),
        ("what is the status of my deployment?", "deployment_status", ["deployment_id"]),
    ],
)
def test_what_lacks_a_param_says_what_it_understood_and_what_is_missing(
    text: str, intent: str, missing: list[str]
) -> None:
    with pytest.raises(TaskNotUnderstood) as info:
        parse_task(text)
    exc = info.value
    assert exc.understood is not None and exc.understood.intent == intent
    assert exc.missing == missing and exc.would
    assert exc.explained()["understood"]["intent"] == intent


@pytest.mark.parametrize(
    "text",
    [
        "show the alerts and the deployments",
        "check the health and the cpu",
    ],
)
def test_two_close_readings_are_refused_naming_both(text: str) -> None:
    with pytest.raises(TaskNotUnderstood) as info:
        parse_task(text)
    assert len(info.value.candidates) == 2 and "Say which" in info.value.message


def test_what_a_message_says_never_decides_the_task() -> None:
    for text, message in [
        ("tell the team that we are rolling back production", "we are rolling back production"),
        ("notify everyone: deploy starts at 5pm", "deploy starts at 5pm"),
        ('email ops "search the logs before asking"', "search the logs before asking"),
    ]:
        parsed = parse_task(text)
        assert parsed.intent == "notify" and parsed.params["message"] == message


@pytest.mark.parametrize(
    "text",
    [
        "Monitor API error rate and alert if >5%",
        "alert if the error rate goes above 5 percent",
        "page me when error rate exceeds 0.05",
        "watch the error rate, alert if it is over 5",
        "let me know if the 5xx rate is higher than 5 pct",
    ],
)
def test_monitor_creates_the_same_rule_whichever_phrasing(text: str) -> None:
    parsed = parse_task(text)
    assert parsed.intent == "monitor"
    assert monitor_condition(parsed.params) == "error_rate[5m] > 0.05"


def test_thresholds_are_returned_as_written_with_their_unit() -> None:
    assert parse_task("alert if error rate > 5%").params | {} == {
        "metric": "error_rate",
        "operator": ">",
        "threshold": 5,
        "unit": "%",
    }
    p = parse_task("alert when p99 latency goes over 1.5s").params
    assert (p["threshold"], p["unit"]) == (1.5, "s")
    assert monitor_condition(p) == "p99(latency_ms)[5m] > 1500"
    p = parse_task("alert if traffic drops below 600 req/min on project shop").params
    assert monitor_condition(p) == 'rate(requests{project="shop"}[5m]) < 10'
    with pytest.raises(TaskNotUnderstood):
        monitor_condition(
            {"metric": "p95_latency_ms", "operator": ">", "threshold": 5, "unit": "%"}
        )


def test_monitor_conditions_parse_in_the_query_language() -> None:
    from ops_agent.monitoring.query import parse

    for params in (
        {"metric": "error_rate", "operator": ">", "threshold": 0.05},
        {"metric": "error_rate", "operator": ">", "threshold": 5, "unit": "%", "project": "shop"},
        {"metric": "p95_latency_ms", "operator": ">", "threshold": 800, "project": "shop"},
        {"metric": "cpu_percent", "operator": ">=", "threshold": 90, "unit": "%"},
        {"metric": "request_rate", "operator": "<", "threshold": 10},
    ):
        parse(monitor_condition(params))


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("in the past hour", 3600),
        ("over the last 30 minutes", 1800),
        ("last 2h", 7200),
        ("for the last half hour", 1800),
        ("in the last half an hour", 1800),
        ("past 90 mins", 5400),
        ("within the last 15m", 900),
        ("last two days", 172800),
        ("over the past week", 604800),
        ("during the last 1.5 hours", 5400),
        ("in the last a couple of hours", 7200),
        ("today", 86400),
        ("since yesterday", 86400),
        ("this week", 604800),
        ("this month", 2592000),
    ],
)
def test_durations_in_any_common_form(text: str, seconds: int) -> None:
    assert slots.time_range(f"show errors {text}") == seconds


def test_no_duration_is_invented() -> None:
    for text in ("last 10 deploys", "the past", "alert at 5pm", "p99 above 2 seconds"):
        assert slots.time_range(text) is None, text


@pytest.mark.parametrize(
    ("text", "environment"),
    [
        ("deploy to prod", "production"),
        ("ship it live", "production"),
        ("deploy to the qa environment", "qa"),
        ("deploy to env uat", "uat"),
        ("release to staging", "staging"),
        ("promote from preview to production", "production"),
        ("deploy to dev", "development"),
        ("deploy main", None),
    ],
)
def test_environments_and_aliases(text: str, environment: str | None) -> None:
    assert slots.environment(text) == environment


@pytest.mark.parametrize(
    ("text", "branch"),
    [
        ("deploy branch feature/login to staging", "feature/login"),
        ("deploy the checkout branch", "checkout"),
        ("deploy from main", "main"),
        ("deploy fix/a.b-c to preview", "fix/a.b-c"),
        ("deploy from the past hour", None),
        ("deploy to production", None),
        ("deploy at 10 req/s", None),
    ],
)
def test_branches_never_prepositions(text: str, branch: str | None) -> None:
    assert slots.branch(text) == branch


def test_ids_wherever_they_are() -> None:
    assert slots.deployment_id("what about dpl_AbC9 now") == "dpl_AbC9"
    assert slots.deployment_id("is shop-abc-team.vercel.app ok") == "shop-abc-team.vercel.app"
    assert slots.alert_id("alert#3FA85F64-5717-4562-B3FC-2C963F66AFA6") == (
        "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    )


def test_channels_named_together() -> None:
    assert slots.channels("via slack, e-mail and webhooks") == ["email", "slack", "webhook"]


def test_quotes_are_not_apostrophes() -> None:
    assert [m.group(2) for m in slots.quoted("I'm on it, it's 'the db' again")] == ["the db"]


def test_dry_run_descriptions_say_what_would_happen() -> None:
    assert describe(parse_task("deploy branch main of project shop to staging")) == (
        "deploy branch main of project shop to staging"
    )
    assert describe(parse_task("roll back production")) == (
        "roll production back to the previous production deployment"
    )


def test_structured_requests() -> None:
    parsed = parse_task({"intent": "rollback", "params": {"project": "shop"}})
    assert parsed.as_dict() == {"intent": "rollback", "params": {"project": "shop"}}
    for bad in (
        {"intent": "launch_missiles"},
        {"intent": "deploy", "params": {"nope": 1}},
        {"intent": "monitor", "params": {"metric": "error_rate"}},
        {
            "intent": "monitor",
            "params": {"metric": "error_rate", "operator": ">", "threshold": 1, "unit": "kg"},
        },
        {"intent": "deploy", "params": []},
    ):
        with pytest.raises(TaskNotUnderstood):
            parse_task(bad)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_or_is_refused(text: str) -> None:
    try:
        parsed = parse_task(text)
    except TaskNotUnderstood:
        return
    assert parsed.intent in INTENTS


def test_politeness_changes_nothing() -> None:
    """Every tuned phrasing, with every greeting before and courtesy after, parses the same."""
    changed = []
    for phrasing in (p for p in PHRASINGS if p.split == "tune"):
        base = _parse(phrasing.text)
        free_text = phrasing.intent in ("notify", "acknowledge_alert")
        for before in ("", "please ", "hey, ", "ok so "):
            for after in ("", " please", ", thanks", "!", "" if free_text else " asap"):
                if (got := _parse(before + phrasing.text + after)) != base:
                    changed.append((before + phrasing.text + after, got, base))
    assert not changed, changed[:5]
