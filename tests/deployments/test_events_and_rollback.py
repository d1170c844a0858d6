"""Pure decisions: webhook facts, API facts, and the rollback target."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ops_agent.deployments import DeploymentRefused, plan_rollback
from ops_agent.deployments.events import fact_from_deployment, facts_from_webhook
from ops_agent.vercel.models import Deployment, WebhookEvent
from tests.vercel.payloads import PROJECT_ID, T0, deployment, list_item, webhook


def test_ready_webhook_becomes_a_dated_production_fact() -> None:
    [fact] = facts_from_webhook(WebhookEvent.model_validate(webhook("deployment.ready", "dpl_1")))
    assert fact["id"] == "dpl_1" and fact["state"] == "READY" and fact["target"] == "production"
    assert fact["project_id"] == PROJECT_ID and fact["branch"] == "main"
    assert fact["at"] == datetime.fromtimestamp(T0 / 1000, tz=UTC).isoformat()
    assert fact["source"] == "webhook" and fact["creator"]


def test_preview_target_null_is_preview() -> None:
    body = webhook("deployment.created", "dpl_1", target=None)
    [fact] = facts_from_webhook(WebhookEvent.model_validate(body))
    assert fact["target"] == "preview" and fact["state"] == "QUEUED" and "created_at" in fact


def test_promoted_is_an_event_on_production() -> None:
    body = webhook("deployment.promoted", "dpl_1")
    del body["payload"]["target"]
    [fact] = facts_from_webhook(WebhookEvent.model_validate(body))
    assert fact["event"] == "promoted" and "state" not in fact and fact["target"] == "production"


def test_rollback_webhook_touches_both_deployments() -> None:
    body = {
        "id": "uev_rb",
        "type": "deployment.rollback",
        "createdAt": T0,
        "payload": {
            "team": {"id": "t"},
            "user": {"id": "u"},
            "project": {"id": PROJECT_ID},
            "fromDeploymentId": "dpl_bad",
            "toDeploymentId": "dpl_good",
        },
    }
    facts = facts_from_webhook(WebhookEvent.model_validate(body))
    assert [(f["id"], f["event"]) for f in facts] == [
        ("dpl_bad", "rolled_back_from"),
        ("dpl_good", "promoted"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        {
            "id": "uev_p",
            "type": "project.created",
            "createdAt": T0,
            "payload": {"project": {"id": "p"}},
        },
        {
            "id": "uev_x",
            "type": "deployment.ready",
            "createdAt": T0,
            "payload": {"deployment": "nope"},
        },
        {"id": "uev_y", "type": "deployment.ready", "createdAt": T0, "payload": {"deployment": {}}},
        {"id": "uev_z", "type": "something.new", "createdAt": T0},
    ],
)
def test_other_or_odd_deliveries_carry_no_fact(body: dict) -> None:
    assert facts_from_webhook(WebhookEvent.model_validate(body)) == []


def test_api_fact_is_dated_by_vercel_timestamps() -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    ready = fact_from_deployment(Deployment.model_validate(deployment("dpl_1")), now=now)
    assert ready["at"] == datetime.fromtimestamp((T0 + 62_000) / 1000, tz=UTC).isoformat()
    building = fact_from_deployment(
        Deployment.model_validate(deployment("dpl_1", "BUILDING")), now=now
    )
    assert building["at"] == datetime.fromtimestamp((T0 + 2_000) / 1000, tz=UTC).isoformat()
    failed = fact_from_deployment(
        Deployment.model_validate(deployment("dpl_1", "ERROR", error=("E", "m"))), now=now
    )
    assert failed["at"] == now.isoformat() and failed["error_code"] == "E"
    # The creator is the uid, as webhooks name it (`payload.user.id`): one spelling per person.
    assert failed["creator"] == "R6efeCJQ2HKXywuasPDc0fOWB"


def _candidates(*specs: tuple[str, str, int]) -> list[Deployment]:
    return [Deployment.model_validate(list_item(i, s, created=c)) for i, s, c in specs]


CANDIDATES = _candidates(
    ("dpl_4", "READY", 4), ("dpl_3", "ERROR", 3), ("dpl_2", "READY", 2), ("dpl_1", "READY", 1)
)


def test_rollback_goes_to_previous_ready_production() -> None:
    plan = plan_rollback(project_id="p", current="dpl_4", candidates=CANDIDATES)
    assert plan.target.id == "dpl_2" and plan.current == "dpl_4"


def test_rollback_after_a_rollback_goes_further_back() -> None:
    plan = plan_rollback(project_id="p", current="dpl_2", candidates=CANDIDATES)
    assert plan.target.id == "dpl_1"


def test_rollback_away_from_a_deployment_not_serving_is_refused() -> None:
    with pytest.raises(DeploymentRefused, match="not serving") as info:
        plan_rollback(project_id="p", current="dpl_2", candidates=CANDIDATES, away_from="dpl_4")
    assert info.value.code == "not_serving"


def test_rollback_with_no_earlier_good_deployment_is_refused() -> None:
    with pytest.raises(DeploymentRefused, match="no earlier READY") as info:
        plan_rollback(project_id="p", current="dpl_1", candidates=CANDIDATES)
    assert info.value.code == "no_earlier_deployment"
    with pytest.raises(DeploymentRefused):
        plan_rollback(project_id="p", current="dpl_9", candidates=[])


def test_rollback_to_a_named_deployment() -> None:
    assert (
        plan_rollback(project_id="p", current="dpl_4", candidates=CANDIDATES, to="dpl_1").target.id
        == "dpl_1"
    )
    for bad in ("dpl_3", "dpl_missing", "dpl_4"):
        with pytest.raises(DeploymentRefused):
            plan_rollback(project_id="p", current="dpl_4", candidates=CANDIDATES, to=bad)
