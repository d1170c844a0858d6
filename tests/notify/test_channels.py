"""Each channel against its real counterpart (webhook receiver, aiosmtpd) or respx with the
provider's documented answers (Slack, Mailtrap)."""

from __future__ import annotations

import json
import warnings

import httpx
import pytest

from ops_agent.notify import Notification, NotificationService, Severity, Status
from ops_agent.settings import Settings
from tests.notify.conftest import MAILTRAP_TOKEN, SLACK_URL, _no_sleep
from tests.notify.servers import PASSWORD, USER, Receiver, smtp_server

SEND = "https://send.api.mailtrap.io/api/send"


# --- Mailtrap ---


async def test_mailtrap_sends_and_returns_message_id(service, saas) -> None:
    route = saas.post(SEND).respond(
        200, json={"success": True, "message_ids": ["0c7fd939-02cf-11ed-88c2-0a58a9feac02"]}
    )
    result = await service.send_email_mailtrap(
        ["Jane <jane@example.com>", "ops@example.com"],
        "Deploy failed",
        "text body",
        html="<p>html</p>",
        category="alerts",
    )
    assert result.status is Status.DELIVERED and result.attempts == 1
    assert result.message_id == "0c7fd939-02cf-11ed-88c2-0a58a9feac02"
    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {MAILTRAP_TOKEN}"
    assert json.loads(request.content) == {
        "from": {"email": "ops@example.com", "name": "Ops Agent"},
        "to": [{"email": "jane@example.com", "name": "Jane"}, {"email": "ops@example.com"}],
        "subject": "Deploy failed",
        "text": "text body",
        "html": "<p>html</p>",
        "category": "alerts",
    }
    assert MAILTRAP_TOKEN not in result.destination


async def test_mailtrap_error_list_is_the_error_and_not_retried(service, saas) -> None:
    route = saas.post(SEND).respond(
        400,
        json={
            "success": False,
            "errors": ["'from' is required", "must specify either text or html body"],
        },
    )
    result = await service.send_email_mailtrap("a@example.com", "s", "b")
    assert result.status is Status.FAILED and result.permanent and route.call_count == 1
    assert "'from' is required; must specify either text or html body" in (result.error or "")


async def test_mailtrap_unauthorized(service, saas) -> None:
    saas.post(SEND).respond(401, json={"success": False, "errors": ["Unauthorized"]})
    result = await service.send_email_mailtrap("a@example.com", "s", "b")
    assert result.permanent and "Unauthorized" in (result.error or "")


async def test_mailtrap_429_then_success(service, saas) -> None:
    route = saas.post(SEND).mock(
        side_effect=[
            httpx.Response(
                429,
                headers={"Retry-After": "1"},
                json={"success": False, "errors": ["Too many requests"]},
            ),
            httpx.Response(200, json={"success": True, "message_ids": ["id-2"]}),
        ]
    )
    result = await service.send_email_mailtrap("a@example.com", "s", "b")
    assert result.delivered and result.attempts == 2 and route.call_count == 2
    assert [a.status_code for a in result.attempt_log] == [429, 200]


async def test_mailtrap_sandbox_host(notify_settings: Settings, saas) -> None:
    route = saas.post("https://sandbox.api.mailtrap.io/api/send/12345").respond(
        200, json={"success": True, "message_ids": ["s1"]}
    )
    async with NotificationService(
        mailtrap_token=MAILTRAP_TOKEN, mailtrap_inbox_id=12345, settings=notify_settings
    ) as s:
        assert (await s.send_email_mailtrap("a@example.com", "s", "b")).delivered
    assert route.called


# --- Slack ---


async def test_slack_block_kit_with_severity(service, saas) -> None:
    route = saas.post(SLACK_URL).respond(200, text="ok")
    result = await service.send_slack_message(
        "p95 latency 2.3 s on /api/checkout",
        channel="#ops",
        severity="critical",
        title="Latency SLO burn",
        fields={"Project": "shop"},
        links=[{"text": "Dashboard", "url": "https://example.com/d"}],
    )
    assert result.delivered
    body = json.loads(route.calls.last.request.content)
    assert body["channel"] == "#ops" and body["text"].startswith(
        ":rotating_light: Latency SLO burn"
    )
    [attachment] = body["attachments"]
    assert attachment["color"] == "#B00020"
    types = [b["type"] for b in attachment["blocks"]]
    assert types == ["header", "section", "section", "actions", "context"]
    assert "XXXXXXXX" not in result.destination and result.destination.startswith(
        "https://hooks.slack.com/services/"
    )


async def test_slack_raw_blocks_pass_through(service, saas) -> None:
    route = saas.post(SLACK_URL).respond(200, text="ok")
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    await service.send_slack_message("hi", blocks=blocks)
    assert json.loads(route.calls.last.request.content)["attachments"][0]["blocks"] == blocks


async def test_slack_429_waits_retry_after_then_succeeds(notify_settings, saas) -> None:
    waits: list[float] = []

    async def sleep(s: float) -> None:
        waits.append(s)

    route = saas.post(SLACK_URL).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "2"}, text="rate_limited"),
            httpx.Response(200, text="ok"),
        ]
    )
    async with NotificationService(
        slack_webhook_url=SLACK_URL, settings=notify_settings, sleep=sleep
    ) as s:
        result = await s.send_slack_message("x")
    assert result.delivered and route.call_count == 2 and 2 <= waits[0] <= 3


@pytest.mark.parametrize(
    ("status", "text", "disables"),
    [
        (400, "invalid_payload", False),
        (410, "channel_is_archived", True),
        (404, "no_service", True),
        (403, "action_prohibited", True),
        (404, "channel_not_found", True),
    ],
)
async def test_slack_permanent_errors_are_not_retried(
    service, saas, status, text, disables
) -> None:
    route = saas.post(SLACK_URL).respond(status, text=text)
    result = await service.send_slack_message("x")
    assert result.status is Status.FAILED and result.permanent and route.call_count == 1
    assert text in (result.error or "")
    endpoints = await service.log.disabled_endpoints()
    assert bool(endpoints) == disables
    if disables:
        again = await service.send_slack_message("y")
        assert again.status is Status.DISABLED and route.call_count == 1


async def test_slack_5xx_is_retried_until_attempts_run_out(service, saas) -> None:
    route = saas.post(SLACK_URL).respond(500, text="rollup_error")
    result = await service.send_slack_message("x")
    assert result.status is Status.FAILED and not result.permanent and route.call_count == 4


# --- webhooks (real receiver on 127.0.0.1) ---


async def test_webhook_is_signed_per_standard_webhooks(service, receiver: Receiver) -> None:
    result = await service.send_webhook(
        receiver.url + "/hooks/ops",
        {"alert": "HighErrorRate", "value": 0.12},
        event_type="alert.firing",
    )
    assert result.delivered
    [d] = receiver.verified
    assert d["payload"]["type"] == "alert.firing" and d["payload"]["data"] == {
        "alert": "HighErrorRate",
        "value": 0.12,
    }
    assert d["headers"]["webhook-signature"].startswith("v1,")


async def test_webhook_retries_keep_the_id_and_resign(service, receiver: Receiver) -> None:
    receiver.answer(503, (429, {"retry-after": "1"}), 200)
    result = await service.send_webhook(receiver.url + "/h", {"n": 1})
    assert result.delivered and result.attempts == 3
    ids = {d["headers"]["webhook-id"] for d in receiver.deliveries}
    assert len(ids) == 1 and all(d["verified"] for d in receiver.deliveries)
    bodies = {json.dumps(d["payload"], sort_keys=True) for d in receiver.deliveries}
    assert len(bodies) == 1


async def test_webhook_410_disables_the_endpoint(service, receiver: Receiver) -> None:
    receiver.answer(410)
    first = await service.send_webhook(receiver.url + "/gone", {"n": 1})
    assert first.status is Status.FAILED and first.permanent
    second = await service.send_webhook(receiver.url + "/gone", {"n": 2})
    assert second.status is Status.DISABLED and len(receiver.deliveries) == 1
    other = await service.send_webhook(receiver.url + "/other", {"n": 3})
    assert other.delivered
    [endpoint] = await service.log.disabled_endpoints()
    assert await service.log.enable_endpoint(endpoint.endpoint_key) is not None
    receiver.answer(200)
    assert (await service.send_webhook(receiver.url + "/gone", {"n": 4})).delivered


async def test_webhook_redirects_are_not_followed(service, receiver: Receiver) -> None:
    receiver.answer((302, {"location": "http://169.254.169.254/latest/meta-data"}))
    result = await service.send_webhook(receiver.url + "/r", {"n": 1})
    assert (
        result.status is Status.FAILED
        and result.permanent
        and "not followed" in (result.error or "")
    )
    assert len(receiver.deliveries) == 1


async def test_webhook_4xx_is_permanent(service, receiver: Receiver) -> None:
    receiver.answer(422)
    result = await service.send_webhook(receiver.url + "/r", {"n": 1})
    assert result.permanent and result.attempts == 1


async def test_webhook_timeout_is_retried(notify_settings, receiver: Receiver) -> None:
    import asyncio

    from tests.notify.servers import WEBHOOK_SECRET

    async with NotificationService(
        webhook_secret=WEBHOOK_SECRET,
        settings=notify_settings,
        timeout=0.2,
        max_attempts=2,
        sleep=_no_sleep,
    ) as s:
        # nothing listens there: connection refused is retryable
        result = await s.send_webhook("http://127.0.0.1:9/nowhere", {"n": 1})
    assert result.status is Status.FAILED and not result.permanent and result.attempts == 2
    await asyncio.sleep(0)


async def test_unsigned_webhooks_are_refused(notify_settings, receiver: Receiver) -> None:
    async with NotificationService(settings=notify_settings) as s:
        result = await s.send_webhook(receiver.url + "/h", {"n": 1})
    assert result.status is Status.FAILED and "NOTIFY_WEBHOOK_SECRET" in (result.error or "")
    assert receiver.deliveries == []


# --- SMTP (real aiosmtpd) ---


def smtp_service(settings: Settings, server, **kw) -> NotificationService:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return NotificationService(
            smtp_host=server.host,
            smtp_port=server.port,
            smtp_ssl_context=server.client_context,
            settings=settings,
            sleep=_no_sleep,
            **kw,
        )


@pytest.mark.parametrize(
    ("mode", "security", "login"),
    [("plain", "none", False), ("starttls", "starttls", True), ("tls", "tls", True)],
)
async def test_smtp_modes(notify_settings, mode, security, login) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ctx = smtp_server(mode)
        server = ctx.__enter__()
    try:
        creds = {"smtp_username": USER, "smtp_password": PASSWORD} if login else {}
        async with smtp_service(notify_settings, server, smtp_security=security, **creds) as s:
            result = await s.send_email_smtp(
                ["a@example.com", "b@example.com"], "Deploy failed", "text", html="<b>html</b>"
            )
        assert result.delivered, result.error
        [envelope] = server.mailbox.messages
        assert envelope.rcpt_tos == ["a@example.com", "b@example.com"]
        raw = envelope.content.decode()
        assert "Subject: Deploy failed" in raw and "text/html" in raw and result.message_id in raw
        assert PASSWORD not in result.destination
    finally:
        ctx.__exit__(None, None, None)


async def test_smtp_headers_from_caller_text_stay_one_line(notify_settings) -> None:
    """A subject or category with a line break in it (the fuzzer sent one: a 500) is sent on
    one line, and cannot add a header of its own."""
    with smtp_server("plain") as server:
        async with smtp_service(notify_settings, server, smtp_security="none") as s:
            result = await s.send_email_smtp(
                "a@example.com", "Deploy\r\nBcc: evil@example.com", "b", category="ops\nX: y"
            )
    assert result.delivered, result.error
    [envelope] = server.mailbox.messages
    raw = envelope.content.decode()
    assert "Subject: Deploy Bcc: evil@example.com" in raw and "X-Category: ops X: y" in raw
    assert envelope.rcpt_tos == ["a@example.com"] and "\nBcc:" not in raw


async def test_smtp_wrong_password(notify_settings) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ctx = smtp_server("starttls")
        server = ctx.__enter__()
    try:
        async with smtp_service(
            notify_settings,
            server,
            smtp_security="starttls",
            smtp_username=USER,
            smtp_password="wrong",
        ) as s:
            result = await s.send_email_smtp("a@example.com", "s", "b")
        assert result.status is Status.FAILED and result.permanent and result.attempts == 1
        assert "login refused (535)" in (result.error or "") and server.mailbox.messages == []
    finally:
        ctx.__exit__(None, None, None)


async def test_smtp_refused_recipient(notify_settings) -> None:
    with smtp_server("plain", refuse={"ghost@example.com"}) as server:
        async with smtp_service(notify_settings, server, smtp_security="none") as s:
            only_bad = await s.send_email_smtp("ghost@example.com", "s", "b")
            mixed = await s.send_email_smtp(["ghost@example.com", "real@example.com"], "s", "b")
    assert (
        only_bad.status is Status.FAILED and only_bad.permanent and "550" in (only_bad.error or "")
    )
    assert mixed.delivered and "ghost@example.com" in (mixed.error or "")
    assert [m.rcpt_tos for m in server.mailbox.messages] == [["real@example.com"]]


async def test_smtp_server_down_is_retryable(notify_settings) -> None:
    async with NotificationService(
        smtp_host="127.0.0.1",
        smtp_port=9,
        smtp_security="none",
        settings=notify_settings,
        sleep=_no_sleep,
        max_attempts=2,
    ) as s:
        result = await s.send_email_smtp("a@example.com", "s", "b")
    assert result.status is Status.FAILED and not result.permanent and result.attempts == 2


async def test_severity_enum_and_unknown_channel_config(service) -> None:
    assert Notification(channel="slack", severity=Severity.WARNING).severity is Severity.WARNING
    result = await service.send_email_smtp("a@example.com", "s", "b")
    assert result.status is Status.FAILED and "SMTP_HOST" in (result.error or "")


async def test_the_channel_registry_and_the_settings_it_reads() -> None:
    """Every channel is one class in the registry; the service builds each from settings, with
    the constructor's overrides by short name or field name, and refuses a name it does not
    know."""
    from ops_agent.notify.channels import CHANNEL_TYPES
    from ops_agent.notify.models import CHANNELS
    from ops_agent.settings import Settings

    assert [k.name for k in CHANNEL_TYPES] == list(CHANNELS)
    assert all(
        count >= 1 and seconds > 0 for count, seconds in (k.rate_limit for k in CHANNEL_TYPES)
    )
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    async with NotificationService(
        "mt-token", "https://hooks.slack.com/services/T/B/x", settings=base, smtp_host="mx.test"
    ) as s:
        assert s.settings.mailtrap_api_token is not None
        assert s.settings.smtp_host == "mx.test"
    with pytest.raises(TypeError, match="smtp_hots"):
        NotificationService(settings=base, smtp_hots="typo")
