"""POST /api/notify and the delivery log over HTTP, on real Postgres and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import respx

from ops_agent.http.app import create_app
from ops_agent.http.routes import notify
from ops_agent.runtime import Runtime
from ops_agent.store import Role
from tests.notify.conftest import SLACK_URL
from tests.notify.servers import WEBHOOK_SECRET, Receiver, webhook_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as r:
        yield r


@pytest.fixture
async def notify_client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    settings = runtime.settings.model_copy(
        update={
            "notify_allowed_hosts": "127.0.0.1",
            "notify_webhook_secret": WEBHOOK_SECRET,
            "slack_webhook_url": SLACK_URL,
            "notify_rate_limits": "slack=100/1,webhook=100/1",
        }
    )
    rt = Runtime(settings, store=await runtime.store(), kv=await runtime.kv())
    app = create_app("t", [notify.router], runtime=rt)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c
    await rt.close()


@pytest.fixture
def slack() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        router.route(host="127.0.0.1").pass_through()
        yield router


def auth(keys, role: Role) -> dict[str, str]:
    return {"authorization": f"Bearer {keys[role]}"}


async def test_partial_success_is_207(notify_client, keys, slack, receiver: Receiver) -> None:
    slack.post(SLACK_URL).respond(200, text="ok")
    receiver.answer(400)
    body = {
        "notifications": [
            {"channel": "slack", "body": "db down", "severity": "critical", "alert_id": "al-1"},
            {
                "channel": "webhook",
                "url": receiver.url + "/x",
                "payload": {"a": 1},
                "alert_id": "al-1",
            },
        ]
    }
    r = await notify_client.post("/api/notify", json=body, headers=auth(keys, Role.OPERATOR))
    assert r.status_code == 207, r.text
    data = r.json()
    assert data["delivered"] == 1 and data["total"] == 2
    assert [x["status"] for x in data["results"]] == ["delivered", "failed"]
    assert data["results"][1]["permanent"] is True
    log = await notify_client.get("/api/notify/log?alert_id=al-1", headers=auth(keys, Role.VIEWER))
    assert log.status_code == 200 and len(log.json()) == 2


async def test_nothing_delivered_is_502_with_results(notify_client, keys, slack) -> None:
    slack.post(SLACK_URL).respond(400, text="invalid_payload")
    r = await notify_client.post(
        "/api/notify",
        json={"notifications": [{"channel": "slack", "body": "x"}]},
        headers=auth(keys, Role.OPERATOR),
    )
    assert r.status_code == 502
    err = r.json()["error"]
    assert err["code"] == "not_delivered" and err["details"]["results"][0]["error"].endswith(
        "invalid_payload"
    )


async def test_template_form(notify_client, keys, slack) -> None:
    route = slack.post(SLACK_URL).respond(200, text="ok")
    r = await notify_client.post(
        "/api/notify",
        json={
            "template": {
                "kind": "rollback_done",
                "channels": ["slack"],
                "context": {
                    "project": "shop",
                    "from_deployment": "dpl_b",
                    "to_deployment": "dpl_a",
                    "reason": "5xx",
                },
            }
        },
        headers=auth(keys, Role.OPERATOR),
    )
    assert r.status_code == 200, r.text
    assert "Rollback done: shop" in route.calls.last.request.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"notifications": []},
        {"notifications": [{"channel": "pigeon"}]},
        {"notifications": [{"channel": "slack", "nonsense": 1}]},
        {"template": {"kind": "nope", "channels": ["slack"]}},
        {"template": {"kind": "rollback_done", "channels": []}},
        {
            "notifications": [{"channel": "slack"}],
            "template": {"kind": "rollback_done", "channels": ["slack"]},
        },
        # a destination no request could reach (found by the OpenAPI fuzz: it was a 502)
        {"notifications": [{"channel": "webhook", "url": "\U0006df2e\u00f6"}]},
        {"notifications": [{"channel": "webhook", "url": "ftp://files.example.com/hook"}]},
        {"notifications": [{"channel": "webhook", "url": "https://user:pw@example.com/"}]},
        {"notifications": [{"channel": "slack", "url": "https://example.com:99999/"}]},
    ],
)
async def test_bad_bodies_are_422(notify_client, keys, slack, body) -> None:
    r = await notify_client.post("/api/notify", json=body, headers=auth(keys, Role.OPERATOR))
    assert r.status_code == 422 and r.json()["error"]["message"]
    assert not [c for c in slack.calls if c.request.url.host != "127.0.0.1"]


async def test_roles(notify_client, keys) -> None:
    body = {"notifications": [{"channel": "slack", "body": "x"}]}
    assert (await notify_client.post("/api/notify", json=body)).status_code == 401
    assert (
        await notify_client.post("/api/notify", json=body, headers=auth(keys, Role.VIEWER))
    ).status_code == 403
    assert (
        await notify_client.get("/api/notify/endpoints", headers=auth(keys, Role.VIEWER))
    ).status_code == 200
    r = await notify_client.post(
        "/api/notify/endpoints/abc/enable", headers=auth(keys, Role.OPERATOR)
    )
    assert r.status_code == 403
    r = await notify_client.post("/api/notify/endpoints/abc/enable", headers=auth(keys, Role.ADMIN))
    assert r.status_code == 404


async def test_a_channel_without_its_credential_is_a_failed_result(
    notify_client, keys, slack
) -> None:
    """No Mailtrap token configured: the email is a failed result naming what to set (with the
    Slack message beside it delivered), never a 500."""
    route = slack.post(SLACK_URL).respond(200, text="ok")
    r = await notify_client.post(
        "/api/notify",
        json={
            "notifications": [
                {"channel": "email", "to": ["ops@example.com"], "subject": "s", "body": "x"},
                {"channel": "slack", "body": "x"},
            ]
        },
        headers=auth(keys, Role.OPERATOR),
    )
    assert r.status_code == 207, r.text
    email, sent = r.json()["results"]
    assert email["status"] == "failed" and "MAILTRAP_API_TOKEN" in email["error"]
    assert sent["status"] == "delivered" and route.called
