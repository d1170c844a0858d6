"""Generic webhooks, signed per Standard Webhooks. Success is 2xx only; redirects are not
followed; 410 Gone disables the endpoint; 429, 5xx and timeouts are retried."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from ops_agent.notify.channels.base import Channel, ChannelContext, ChannelNotConfigured, secret
from ops_agent.notify.channels.http import http_attempt, mask_url, redirect_outcome, retry_after
from ops_agent.notify.models import Delivery, Notification, Outcome
from ops_agent.ssrf import URLGuard
from ops_agent.standard_webhooks import decode_secret
from ops_agent.standard_webhooks import headers as signed_headers


def webhook_body(message: Notification, delivery: Delivery) -> bytes:
    """The spec's recommended envelope: {type, timestamp, data}. The same bytes on every
    attempt of one notification."""
    data: dict[str, Any]
    if message.payload is not None:
        data = message.payload
    else:
        data = {
            "title": message.title or message.subject,
            "body": message.body,
            "severity": message.severity.value if message.severity else None,
            "fields": message.fields,
            "links": [link.model_dump() for link in message.links],
            "alert_id": message.alert_id,
        }
    envelope = {
        "type": message.event_type
        or (f"ops_agent.{message.kind}" if message.kind else "ops_agent.notification"),
        "timestamp": delivery.created_at.isoformat(),
        "data": data,
    }
    return json.dumps(envelope, separators=(",", ":"), default=str).encode()


class WebhookChannel(Channel):
    name = "webhook"
    rate_limit = (10, 1.0)

    @classmethod
    def from_settings(cls, ctx: ChannelContext) -> WebhookChannel:
        key = secret(ctx.settings.notify_webhook_secret)
        return cls(
            ctx.http,
            secret(ctx.settings.notify_webhook_url),
            decode_secret(key) if key else None,
            ctx.guard,
        )

    def __init__(
        self, http: httpx.AsyncClient, default_url: str | None, key: bytes | None, guard: URLGuard
    ) -> None:
        self._http = http
        self._url = default_url
        self._key = key
        self._guard = guard

    def destination(self, message: Notification) -> str:
        url = message.url or self._url
        if not url:
            raise ChannelNotConfigured("no webhook URL: pass url or set NOTIFY_WEBHOOK_URL")
        if self._key is None:
            raise ChannelNotConfigured("webhooks are signed: set NOTIFY_WEBHOOK_SECRET (whsec_...)")
        return url

    def masked(self, message: Notification) -> str:
        return mask_url(self.destination(message))

    async def check(self, message: Notification) -> None:
        await self._guard.check(self.destination(message))

    async def attempt(self, message: Notification, delivery: Delivery) -> Outcome:
        url = self.destination(message)
        assert self._key is not None
        body = webhook_body(message, delivery)
        headers = {
            "content-type": "application/json",
            "user-agent": "ops-agent-webhooks",
            **signed_headers(self._key, delivery.msg_id, int(time.time()), body),
        }
        return await http_attempt(
            lambda: self._http.post(url, content=body, headers=headers), _classify
        )


def _classify(response: httpx.Response) -> Outcome:
    status = response.status_code
    if 200 <= status < 300:
        return Outcome(ok=True, status_code=status)
    if 300 <= status < 400:
        return redirect_outcome(response)
    if status == 410:
        return Outcome(
            ok=False,
            status_code=status,
            error="410 Gone: the receiver retired this endpoint",
            disable=True,
        )
    if status in (408, 425, 429) or status >= 500:
        return Outcome(
            ok=False,
            status_code=status,
            error=f"receiver answered {status}",
            retryable=True,
            retry_after=retry_after(response, time.time()),
        )
    return Outcome(ok=False, status_code=status, error=f"receiver refused with {status}")
