"""The pipeline around the channels: dedup across instances, rate limits, failover,
concurrency, the delivery log, SSRF, templates."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress

import pytest

from ops_agent.kv import KV
from ops_agent.notify import KINDS, Notification, NotificationService, Status, render
from ops_agent.settings import Settings
from ops_agent.ssrf import UnsafeURL, URLGuard, forbidden_reason
from ops_agent.standard_webhooks import decode_secret, headers, signature
from ops_agent.store import Store
from tests.notify.conftest import GENEROUS, SLACK_URL
from tests.notify.servers import WEBHOOK_SECRET, Receiver


async def test_dedup_across_concurrent_instances(
    notify_settings: Settings, notify_store: Store, redis_kv: KV, receiver: Receiver
) -> None:
    """Ten services (ten function instances) sharing one Redis send one webhook."""
    services = [
        NotificationService(
            webhook_secret=WEBHOOK_SECRET,
            store=notify_store,
            kv=redis_kv,
            settings=notify_settings,
            rate_limits=GENEROUS,
        )
        for _ in range(10)
    ]
    try:
        message = Notification(
            channel="webhook",
            url=receiver.url + "/d",
            payload={"a": 1},
            dedup_key="alert:42:firing",
            alert_id="42",
        )
        results = await asyncio.gather(*(s.send(message) for s in services))
    finally:
        await asyncio.gather(*(s.aclose() for s in services))
    statuses = sorted(r.status.value for r in results)
    assert statuses == ["deduplicated"] * 9 + ["delivered"]
    assert len(receiver.deliveries) == 1
    rows = await services[0].log.list(alert_id="42") if services[0].log else []
    assert sorted(r.status for r in rows) == ["deduplicated"] * 9 + ["delivered"]


async def test_send_notification_takes_words_and_one_address(
    service: NotificationService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the published API writes it: `message=` and a single `to=`."""
    sent: list[Notification] = []

    async def capture(message: Notification) -> object:
        sent.append(message)
        return message

    monkeypatch.setattr(service, "send", capture)
    await service.send_notification(
        channel="email", message="Alert message", to="admin@example.com", subject="Alert Subject"
    )
    [message] = sent
    assert (message.body, message.to, message.subject) == (
        "Alert message",
        ["admin@example.com"],
        "Alert Subject",
    )


async def test_a_failed_send_releases_its_dedup_key(
    service: NotificationService, receiver: Receiver
) -> None:
    receiver.answer(400)
    message = Notification(channel="webhook", url=receiver.url + "/d", payload={}, dedup_key="k1")
    assert (await service.send(message)).status is Status.FAILED
    assert (await service.send(message)).status is Status.DELIVERED
    assert (await service.send(message)).status is Status.DEDUPLICATED


async def test_rate_limit_queues_then_reports(
    notify_settings: Settings, redis_kv: KV, saas
) -> None:
    saas.post(SLACK_URL).respond(200, text="ok")
    other = SLACK_URL.replace("XXXX", "YYYY")
    saas.post(other).respond(200, text="ok")
    async with NotificationService(
        slack_webhook_url=SLACK_URL,
        kv=redis_kv,
        settings=notify_settings,
        rate_limits={"slack": (1, 1.0)},
        rate_wait=2.0,
    ) as queued:
        first, second = await asyncio.gather(
            queued.send_slack_message("a"), queued.send_slack_message("b")
        )
    assert first.delivered and second.delivered  # the second waited for its slot
    async with NotificationService(
        slack_webhook_url=SLACK_URL,
        kv=redis_kv,
        settings=notify_settings,
        rate_limits={"slack": (1, 30.0)},
        rate_wait=0.0,
    ) as strict:
        ok = await strict.send_slack_message("c", url=other)
        limited = await strict.send_slack_message("d", url=other)
    assert ok.delivered
    assert limited.status is Status.RATE_LIMITED and not limited.permanent
    assert (
        limited.retry_after
        and 0 < limited.retry_after <= 30
        and "rate limited" in (limited.error or "")
    )


async def test_failover_only_on_permanent_failure(
    notify_settings: Settings, notify_store: Store, redis_kv: KV, saas, receiver: Receiver
) -> None:
    saas.post(SLACK_URL).respond(404, text="no_service")
    async with NotificationService(
        slack_webhook_url=SLACK_URL,
        webhook_url=receiver.url + "/fallback",
        webhook_secret=WEBHOOK_SECRET,
        store=notify_store,
        kv=redis_kv,
        settings=notify_settings,
    ) as service:
        message = Notification(
            channel="slack", body="db down", fallbacks=["webhook"], alert_id="a-1"
        )
        result = await service.send(message)
        rows = await service.log.list(alert_id="a-1") if service.log else []
    assert result.delivered and result.channel == "webhook" and result.fallback_of == "slack"
    assert result.primary is not None and result.primary.status is Status.FAILED
    assert receiver.verified[0]["payload"]["data"]["body"] == "db down"
    assert [(r.channel, r.status) for r in rows] == [("webhook", "delivered"), ("slack", "failed")]


async def test_no_failover_when_rate_limited_or_delivered(
    service: NotificationService, saas, receiver: Receiver
) -> None:
    saas.post(SLACK_URL).respond(200, text="ok")
    result = await service.send(Notification(channel="slack", body="x", fallbacks=["webhook"]))
    assert result.delivered and result.channel == "slack" and receiver.deliveries == []


async def test_send_many_is_concurrent_and_ordered(
    service: NotificationService, saas, receiver: Receiver
) -> None:
    saas.post(SLACK_URL).respond(200, text="ok")
    saas.post("https://send.api.mailtrap.io/api/send").respond(
        500, json={"success": False, "errors": ["Internal"]}
    )
    results = await service.send_many(
        [
            Notification(channel="slack", body="x"),
            Notification(channel="email", subject="x", body="x"),
            Notification(channel="webhook", url=receiver.url + "/m", payload={}),
        ]
    )
    assert [(r.channel, r.status.value) for r in results] == [
        ("slack", "delivered"),
        ("email", "failed"),
        ("webhook", "delivered"),
    ]
    assert all(r.id for r in results)


async def test_notify_event_renders_templates(service: NotificationService, saas) -> None:
    route = saas.post(SLACK_URL).respond(200, text="ok")
    [result] = await service.notify_event(
        "deployment_failed",
        {
            "project": "shop",
            "target": "production",
            "deployment_id": "dpl_1",
            "branch": "main",
            "error_message": "Command exited with 1",
            "error_code": "BUILD_FAILED",
            "inspector_url": "https://vercel.com/acme/shop/1",
        },
        ["slack"],
        alert_id="dep-1",
    )
    assert result.delivered
    body = route.calls.last.request.content.decode()
    assert (
        "Deployment failed: shop" in body and "BUILD_FAILED" in body and "Vercel inspector" in body
    )


@pytest.mark.parametrize("kind", KINDS)
def test_every_template_renders_with_missing_context(kind: str) -> None:
    r = render(kind, {"project": "shop", "url": "javascript:alert(1)", "name": "<script>"})
    assert r.subject and r.title and r.body
    assert "<script>" not in r.html and all(
        not link.url.startswith("javascript") for link in r.links
    )
    with pytest.raises(KeyError, match="known"):
        render("nope", {})


def test_signature_matches_the_spec_written_from_scratch() -> None:
    key = decode_secret(WEBHOOK_SECRET)
    body = b'{"type":"x"}'
    expected = base64.b64encode(
        hmac.new(key, b"msg_1.1700000000." + body, hashlib.sha256).digest()
    ).decode()
    assert signature(key, "msg_1", 1700000000, body) == "v1," + expected
    h = headers(key, "msg_1", 1700000000, body)
    assert h == {
        "webhook-id": "msg_1",
        "webhook-timestamp": "1700000000",
        "webhook-signature": "v1," + expected,
    }
    for bad in ("not base64!!", "whsec_" + base64.b64encode(b"short").decode()):
        with pytest.raises(ValueError, match="NOTIFY_WEBHOOK_SECRET"):
            decode_secret(bad)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "fd00:ec2::254",
        "100.100.100.200",
        "0.0.0.0",
        "::ffff:127.0.0.1",
        "100.64.0.1",
    ],
)
def test_forbidden_addresses(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is not None


def test_public_addresses_are_fine() -> None:
    assert forbidden_reason(ipaddress.ip_address("93.184.216.34")) is None
    assert forbidden_reason(ipaddress.ip_address("2606:4700::1111")) is None


async def test_url_guard() -> None:
    guard = URLGuard("")
    for url in (
        "http://127.0.0.1:8080/x",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data",
        "file:///etc/passwd",
        "ftp://example.com",
        "http://user:pw@example.com/",
        "http:///nohost",
        "http://localhost/",
    ):
        with pytest.raises(UnsafeURL):
            await guard.check(url)
    await URLGuard("127.0.0.1").check("http://127.0.0.1:8080/x")
    await URLGuard("10.0.0.0/8").check("http://10.2.3.4/x")
    await guard.check("https://hooks.slack.com/services/T/B/X")


async def test_ssrf_is_refused_before_any_request(
    notify_settings: Settings, receiver: Receiver
) -> None:
    strict = notify_settings.model_copy(update={"notify_allowed_hosts": ""})
    async with NotificationService(webhook_secret=WEBHOOK_SECRET, settings=strict) as s:
        result = await s.send_webhook(receiver.url + "/x", {"n": 1})
    assert (
        result.status is Status.FAILED
        and result.permanent
        and "NOTIFY_ALLOWED_HOSTS" in (result.error or "")
    )
    assert receiver.deliveries == []


async def test_delivery_log_masks_secrets(service: NotificationService, saas) -> None:
    saas.post(SLACK_URL).respond(200, text="ok")
    await service.send_slack_message("x", alert_id="mask-1")
    [row] = await service.log.list(alert_id="mask-1") if service.log else []
    assert "XXXXXXXX" not in row.destination and row.status == "delivered" and row.attempts == 1
    assert row.attempt_log[0]["ok"] is True
