"""Pure parts of alerting: rules, lifecycle decisions, matchers, silences, windows,
inhibition and the KPI arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ops_agent.alerts import AlertRule, MaintenanceWindow, Matcher, RuleError, Silence
from ops_agent.alerts.kpis import compute, false_positive
from ops_agent.alerts.lifecycle import decide, onset
from ops_agent.alerts.matching import Muted, inhibited, quieted
from ops_agent.alerts.tool import AlertManagementTool

T = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def rule(**kw: object) -> AlertRule:
    return AlertRule.model_validate({"name": "r", "condition": "error_rate > 5%", **kw})


def test_rule_durations_defaults_and_refusals() -> None:
    r = rule(**{"for": "5m", "keep_firing_for": "2m", "severity": "critical"})
    assert r.for_seconds == 300 and r.keep_firing_for_seconds == 120
    assert r.repeat_interval_seconds == 3600 and r.escalate_after_seconds == 900
    assert r.resolved_channels(["email", "slack"]) == ["slack", "email"]
    assert rule(severity="low").resolved_channels(["email", "slack"]) == []
    assert rule(channels=["webhook"]).resolved_channels(["email"]) == ["webhook"]
    # A high alert where only webhooks are configured still reaches someone; a low one waits
    # for the digest.
    assert rule(severity="high").resolved_channels(["webhook"]) == ["webhook"]
    assert rule(severity="low").resolved_channels(["webhook"]) == []
    with pytest.raises(ValueError, match="position 12"):
        rule(condition="error_rate >")
    with pytest.raises(ValueError, match="duration"):
        rule(**{"for": "soon"})
    with pytest.raises(ValueError, match="http"):
        rule(runbook_url="javascript:alert(1)")
    assert rule(labels={"project": "web"}).group_key() == "project=web"
    assert rule().fingerprint() != rule(labels={"a": "b"}).fingerprint()


def test_rule_error_names_the_position() -> None:
    with pytest.raises(RuleError) as info:
        AlertManagementTool.parse_rule({"name": "x", "condition": "avg("})
    assert "condition" in info.value.message


def alert(state: str, pending: datetime, last_true: datetime | None = None) -> dict:
    return {"state": state, "pending_since": pending, "last_true_at": last_true or pending}


def test_lifecycle_decisions() -> None:
    r = rule(**{"for": "2m", "keep_firing_for": "3m"})
    assert decide(r, None, False, T).action == "none"
    assert decide(r, None, True, T).action == "open_pending"
    assert decide(rule(), None, True, T).action == "open_firing"
    pending = alert("pending", T)
    assert decide(r, pending, True, T + timedelta(minutes=1)).action == "touch"
    assert decide(r, pending, True, T + timedelta(minutes=2)).action == "fire"
    assert decide(r, pending, False, T + timedelta(minutes=1)).action == "clear"
    firing = alert("firing", T, last_true=T + timedelta(minutes=5))
    assert decide(r, firing, False, T + timedelta(minutes=7)).action == "none"  # keep_firing_for
    assert decide(r, firing, False, T + timedelta(minutes=8)).action == "resolve"
    assert decide(r, alert("acknowledged", T), True, T + timedelta(hours=1)).action == "touch"


def test_onset_is_the_start_of_the_trailing_bad_run() -> None:
    points = [(T + timedelta(minutes=i), v) for i, v in enumerate([None, 1.0, None, 2.0, 3.0])]
    assert onset(points, T + timedelta(minutes=10)) == T + timedelta(minutes=3)
    assert onset([], T) == T


def test_matchers_silences_windows_and_inhibition() -> None:
    labels = {"project": "web", "env": "production"}
    assert Matcher(label="project", value="web").matches(labels)
    assert Matcher(label="env", op="=~", value="prod.*").matches(labels)
    assert not Matcher(label="project", op="!=", value="web").matches(labels)
    assert Matcher(label="team", op="!~", value="x").matches(labels)
    silence = Silence(
        matchers=[Matcher(label="project", value="web")],
        starts_at=T,
        ends_at=T + timedelta(hours=1),
        comment="deploy",
    )
    assert quieted(labels, T + timedelta(minutes=5), [silence], []) is not None
    assert quieted(labels, T + timedelta(hours=2), [silence], []) is None
    nightly = MaintenanceWindow(name="nightly", cron="0 2 * * *", duration_seconds=3600)
    assert nightly.active(datetime(2026, 11, 24, 2, 30, tzinfo=UTC))
    assert not nightly.active(datetime(2026, 11, 24, 3, 30, tzinfo=UTC))
    assert quieted(labels, datetime(2026, 11, 24, 2, 1, tzinfo=UTC), [], [nightly]) == Muted(
        "maintenance", "maintenance window nightly"
    )
    with pytest.raises(ValueError, match="cron"):
        MaintenanceWindow(name="bad", cron="every day", duration_seconds=60)
    with pytest.raises(ValueError, match="or cron"):
        MaintenanceWindow(
            name="both", starts_at=T, ends_at=T, cron="0 2 * * *", duration_seconds=60
        )
    critical = {
        "id": 1,
        "rule": "down",
        "severity": "critical",
        "state": "firing",
        "labels": {"project": "web"},
    }
    symptom = {
        "id": 2,
        "rule": "latency",
        "severity": "high",
        "state": "firing",
        "labels": {"project": "web"},
    }
    other = {
        "id": 3,
        "rule": "latency",
        "severity": "high",
        "state": "firing",
        "labels": {"project": "blog"},
    }
    assert inhibited(symptom, [critical, symptom]) == "down"
    assert inhibited(other, [critical, other]) is None
    assert inhibited(critical, [critical]) is None


def test_kpi_arithmetic_on_a_hand_built_history() -> None:
    def a(onset_m: int, fire_m: int, ack_m: int | None, res_m: int | None, **kw: object) -> dict:
        base = T
        return {
            "severity": kw.pop("severity", "high"),
            "fired": True,
            "state": "resolved" if res_m is not None else "firing",
            "onset_at": base + timedelta(minutes=onset_m),
            "firing_since": base + timedelta(minutes=fire_m),
            "acknowledged_at": base + timedelta(minutes=ack_m) if ack_m is not None else None,
            "resolved_at": base + timedelta(minutes=res_m) if res_m is not None else None,
            "actions": 0,
            "auto_actions": 0,
            "false_positive": False,
            "for_seconds": 300,
            **kw,
        }

    alerts = [
        a(
            0, 4, 6, 16, actions=1, auto_actions=1, severity="critical"
        ),  # detected in 4, fixed in 12 by the agent
        a(0, 2, 5, 10, actions=1, auto_actions=0),  # fixed by a person
        a(0, 6, None, 26, actions=1, auto_actions=1),  # fixed by the agent, never acked
        a(0, 1, None, 3),  # fired 2 minutes < for 5m, no action: a false positive
        a(0, 3, 4, 8, false_positive=True),  # marked false positive
    ]
    k = compute(alerts, deployment_success=0.96, deployments=25, window_days=30)
    assert k["mttd_minutes"]["value"] == pytest.approx((4 + 2 + 6) / 3, abs=0.01)
    assert k["mtta_minutes"]["value"] == pytest.approx((2 + 3) / 2)
    assert k["mttr_minutes"]["value"] == pytest.approx((12 + 8 + 20) / 3, abs=0.01)
    assert k["auto_fix_rate"]["value"] == pytest.approx(2 / 3, abs=0.001)
    assert k["false_positive_rate"]["value"] == pytest.approx(2 / 5)
    assert k["alert_volume"]["value"] == {"critical": 1, "high": 4}
    assert k["deployment_success_rate"]["value"] == 0.96
    assert all("how" in v for v in k.values() if isinstance(v, dict))
    assert false_positive(alerts[3]) and not false_positive(alerts[0])


def test_example_config_alert_rules_parse() -> None:
    from pathlib import Path

    from ops_agent.monitoring.config import load_config

    config = load_config(Path(__file__).resolve().parents[2] / "config.example.yaml")
    assert [AlertManagementTool.parse_rule(r).name for r in config.alerts] == ["checkout-errors"]


def test_due_escalates_step_by_step_then_reminds() -> None:
    from ops_agent.alerts.pipeline import Due, due
    from ops_agent.alerts.records import Alert

    def row(fields: dict[str, object]) -> Alert:
        return Alert.model_validate({"id": "a1", "rule": "r", **fields})

    r = rule(
        severity="critical",
        escalate_after="15m",
        repeat_interval="1h",
        escalation=[["slack"], ["email", "webhook"]],
    )
    available = ["email", "slack", "webhook"]
    alert = {
        "state": "firing",
        "firing_since": T.isoformat(),
        "last_notified_at": T.isoformat(),
        "escalation_level": 0,
    }
    assert due(r, row(alert), T + timedelta(minutes=14), available) is None
    assert due(r, row(alert), T + timedelta(minutes=15), available) == Due(
        "escalated", ["slack"], 1
    )
    second = {**alert, "escalation_level": 1}
    assert due(r, row(second), T + timedelta(minutes=29), available) is None
    assert due(r, row(second), T + timedelta(minutes=30), available) == Due(
        "escalated", ["email", "webhook"], 2
    )
    done = {**alert, "escalation_level": 2, "last_notified_at": (T + timedelta(minutes=30))}
    assert due(r, row(done), T + timedelta(minutes=89), available) is None
    assert due(r, row(done), T + timedelta(minutes=90), available) == Due(
        "reminded", r.resolved_channels(available)
    )
    for quiet in ({**alert, "state": "acknowledged"}, {**alert, "last_notified_at": None}):
        assert due(r, row(quiet), T + timedelta(days=1), available) is None
    assert due(rule(severity="low"), row(alert), T + timedelta(days=1), available) is None


def test_remediation_candidates_most_severe_first_and_quiet_ones_held() -> None:
    from ops_agent.agent.act.decide import remediation_candidates
    from ops_agent.alerts import Situation
    from ops_agent.alerts.records import Alert

    fix = {"remediation": {"playbook": "rollback"}}
    rules = {
        "a": rule(name="a", severity="high", **fix),
        "b": rule(name="b", severity="critical", **fix),
        "c": rule(name="c", severity="critical"),  # no playbook
        "d": rule(name="d", severity="critical", **fix),
    }

    def alert(i: str, name: str, state: str = "firing", minute: int = 0) -> Alert:
        since = (T + timedelta(minutes=minute)).isoformat()
        severity = rules[name].severity
        return Alert.model_validate(
            {"id": i, "rule": name, "state": state, "severity": severity, "firing_since": since}
        )

    situation = Situation(
        T,
        rules,
        [
            alert("1", "a", minute=0),
            alert("2", "b", minute=5),
            alert("3", "b", minute=1),
            alert("4", "c"),
            alert("5", "b", state="acknowledged"),
            alert("6", "d"),
        ],
        quiet={"6": "maintenance window nightly"},
    )
    candidates, held = remediation_candidates(situation)
    assert [c.alert["id"] for c in candidates] == ["3", "2", "1"]
    assert [(h.alert["id"], h.playbook, h.reason) for h in held] == [
        ("6", "rollback", "maintenance window nightly")
    ]
