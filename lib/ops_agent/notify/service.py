"""NotificationService: email (Mailtrap API and SMTP), Slack and signed webhooks, with dedup,
rate limits, retries, failover and a delivery log.

Each notification goes through: destination check (configured, not SSRF, endpoint not
disabled) → dedup → throttle and retry → record. Failover to the `fallbacks` channels happens
only when the primary failed for good (not when it was rate limited or deduplicated).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from ops_agent.kv import KV
from ops_agent.notify.channels.base import Channel, ChannelNotConfigured
from ops_agent.notify.channels.mailtrap import MailtrapChannel
from ops_agent.notify.channels.slack import SlackChannel
from ops_agent.notify.channels.smtp import Security, SmtpChannel
from ops_agent.notify.channels.webhook import WebhookChannel
from ops_agent.notify.models import (
    ChannelName,
    Delivery,
    DeliveryResult,
    Notification,
    Severity,
    Status,
)
from ops_agent.notify.pipeline import Dedup, Retry, Throttle
from ops_agent.notify.records import NotificationLog
from ops_agent.notify.templates import render
from ops_agent.settings import Settings, get_settings, parse_rate_limits
from ops_agent.ssrf import UnsafeURL, URLGuard
from ops_agent.standard_webhooks import decode_secret
from ops_agent.store import Store

log = logging.getLogger(__name__)


def _secret(value: Any) -> str | None:
    if value is None:
        return None
    return str(value.get_secret_value() if hasattr(value, "get_secret_value") else value)


def _split(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [i.strip() for i in items if i.strip()]


class NotificationService:
    """Send notifications on several channels. Every argument defaults from settings."""

    def __init__(
        self,
        mailtrap_token: str | None = None,
        slack_webhook_url: str | None = None,
        smtp_host: str | None = None,
        smtp_port: int | None = None,
        smtp_username: str | None = None,
        smtp_password: str | None = None,
        smtp_security: Security | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        *,
        email_from: str | None = None,
        email_to: str | Sequence[str] | None = None,
        mailtrap_inbox_id: int | None = None,
        mailtrap_api_url: str | None = None,
        allowed_hosts: str | Sequence[str] | None = None,
        rate_limits: Mapping[str, tuple[int, float]] | None = None,
        max_attempts: int | None = None,
        timeout: float | None = None,
        retry_budget: float = 30.0,
        dedup_window: float | None = None,
        rate_wait: float | None = None,
        store: Store | None = None,
        kv: KV | None = None,
        settings: Settings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        smtp_ssl_context: ssl.SSLContext | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        s = settings or get_settings()
        self._store = store
        self.log = NotificationLog(store) if store is not None else None
        timeout = timeout or s.notify_timeout_seconds
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), follow_redirects=False, transport=transport
        )
        guard = URLGuard(allowed_hosts if allowed_hosts is not None else s.notify_allowed_hosts)
        sender = email_from or s.notify_email_from
        recipients = _split(email_to if email_to is not None else s.notify_email_to)
        secret = webhook_secret or _secret(s.notify_webhook_secret)
        self._channels: dict[ChannelName, Channel] = {
            "email": MailtrapChannel(
                self._http,
                mailtrap_token or _secret(s.mailtrap_api_token),
                sender=sender,
                default_to=recipients,
                guard=guard,
                inbox_id=mailtrap_inbox_id or s.mailtrap_sandbox_inbox_id,
                api_url=mailtrap_api_url or s.mailtrap_api_url,
            ),
            "smtp": SmtpChannel(
                smtp_host or s.smtp_host,
                smtp_port or s.smtp_port,
                security=smtp_security or s.smtp_security,
                username=smtp_username or s.smtp_username,
                password=smtp_password or _secret(s.smtp_password),
                sender=sender,
                default_to=recipients,
                timeout=timeout,
                ssl_context=smtp_ssl_context,
            ),
            "slack": SlackChannel(
                self._http, slack_webhook_url or _secret(s.slack_webhook_url), guard
            ),
            "webhook": WebhookChannel(
                self._http,
                webhook_url or _secret(s.notify_webhook_url),
                decode_secret(secret) if secret else None,
                guard,
            ),
        }
        limits = dict(rate_limits or parse_rate_limits(s.notify_rate_limits))
        throttle = Throttle(
            kv, limits, s.notify_rate_wait_seconds if rate_wait is None else rate_wait, sleep
        )
        self._dedup = Dedup(kv, dedup_window or s.notify_dedup_seconds)
        self._retry = Retry(max_attempts or s.notify_max_attempts, retry_budget, throttle, sleep)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> NotificationService:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    # --- the public API ---

    async def send(self, message: Notification) -> DeliveryResult:
        """Deliver one notification, failing over to its `fallbacks` if it fails for good."""
        result = await self._deliver(message)
        for fallback in message.fallbacks:
            if result.status is not Status.FAILED:
                break
            if fallback == message.channel:
                continue
            standby = message.model_copy(update={"channel": fallback, "fallbacks": [], "url": None})
            result = await self._deliver(standby, fallback_of=message.channel, primary=result)
        return result

    async def send_many(self, messages: Sequence[Notification]) -> list[DeliveryResult]:
        """Send to several channels at once; one result per message, in order."""
        return list(await asyncio.gather(*(self.send(m) for m in messages)))

    async def send_notification(self, channel: ChannelName, **fields: Any) -> DeliveryResult:
        """`send(Notification(channel=channel, **fields))`."""
        return await self.send(Notification(channel=channel, **fields))

    async def send_email_mailtrap(
        self,
        to: str | Sequence[str],
        subject: str,
        body: str,
        html: str | None = None,
        category: str | None = None,
        **options: Any,
    ) -> DeliveryResult:
        return await self.send_notification(
            "email",
            to=_split(to),
            subject=subject,
            body=body,
            html=html,
            category=category,
            **options,
        )

    async def send_email_smtp(
        self,
        to: str | Sequence[str],
        subject: str,
        body: str,
        html: str | None = None,
        **options: Any,
    ) -> DeliveryResult:
        return await self.send_notification(
            "smtp", to=_split(to), subject=subject, body=body, html=html, **options
        )

    async def send_slack_message(
        self,
        message: str,
        channel: str | None = None,
        severity: Severity | str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        **options: Any,
    ) -> DeliveryResult:
        return await self.send_notification(
            "slack",
            body=message,
            slack_channel=channel,
            severity=Severity(severity) if severity else None,
            blocks=blocks,
            **options,
        )

    async def send_webhook(
        self, url: str, payload: dict[str, Any], **options: Any
    ) -> DeliveryResult:
        return await self.send_notification("webhook", url=url, payload=payload, **options)

    async def notify_event(
        self,
        kind: str,
        context: Mapping[str, Any],
        channels: Sequence[ChannelName],
        **options: Any,
    ) -> list[DeliveryResult]:
        """Render the template for `kind` and send it on every channel in `channels`."""
        rendered = render(kind, context)
        return await self.send_many(
            [rendered.notification(c, kind=kind, **options) for c in channels]
        )

    # --- the pipeline ---

    async def _deliver(
        self,
        message: Notification,
        *,
        fallback_of: ChannelName | None = None,
        primary: DeliveryResult | None = None,
    ) -> DeliveryResult:
        started = time.monotonic()
        channel = self._channels[message.channel]

        def result(status: Status, **kw: Any) -> DeliveryResult:
            kw.setdefault("destination", destination)
            return DeliveryResult(
                channel=message.channel,
                status=status,
                fallback_of=fallback_of,
                latency_ms=round((time.monotonic() - started) * 1000, 2),
                **kw,
            )

        destination: str = message.channel
        try:
            destination = channel.masked(message)
            await channel.check(message)
        except (ChannelNotConfigured, UnsafeURL) as exc:
            return await self._record(
                message, result(Status.FAILED, error=str(exc), permanent=True)
            )

        endpoint_key = channel.endpoint_key(message)
        if self.log is not None:
            endpoint = await self.log.endpoint(endpoint_key)
            if endpoint is not None and endpoint.disabled_at is not None:
                return await self._record(
                    message,
                    result(
                        Status.DISABLED,
                        permanent=True,
                        error=f"endpoint disabled since {endpoint.disabled_at:%Y-%m-%d %H:%M}"
                        f" UTC: {endpoint.reason}",
                    ),
                )

        dedup_key = message.dedup_key
        if (
            dedup_key
            and fallback_of is None
            and not await self._dedup.claim(dedup_key, message.dedup_window)
        ):
            return await self._record(message, result(Status.DEDUPLICATED))

        delivery = Delivery(msg_id=f"msg_{uuid.uuid4().hex}", created_at=datetime.now(UTC))
        attempts = await self._retry.run(channel, message, delivery)
        last = attempts.last
        if attempts.rate_limited_for is not None:
            final = result(
                Status.RATE_LIMITED,
                attempts=attempts.count,
                attempt_log=attempts.log,
                retry_after=round(attempts.rate_limited_for, 3),
                error=f"rate limited: {message.channel} allows no more now; "
                f"retry in {attempts.rate_limited_for:.1f}s",
            )
        elif last.ok:
            final = result(
                Status.DELIVERED,
                attempts=attempts.count,
                attempt_log=attempts.log,
                message_id=last.message_id,
                error=last.error,
            )
        else:
            final = result(
                Status.FAILED,
                attempts=attempts.count,
                attempt_log=attempts.log,
                error=last.error,
                permanent=not last.retryable,
                retry_after=last.retry_after,
            )
        if not final.delivered and dedup_key and fallback_of is None:
            await self._dedup.release(dedup_key)
        if last.disable and self.log is not None:
            await self.log.disable_endpoint(
                endpoint_key,
                channel=message.channel,
                destination=final.destination,
                reason=last.error or "the receiver retired it",
            )
            log.warning("notification endpoint disabled: %s (%s)", final.destination, last.error)
        return await self._record(message, final.model_copy(update={"primary": primary}))

    async def _record(self, message: Notification, result: DeliveryResult) -> DeliveryResult:
        log.info(
            "notification %s via %s to %s: %s",
            result.status.value,
            result.channel,
            result.destination,
            result.error or "ok",
        )
        if self.log is None:
            return result
        try:
            [row_id] = await self.log.record(
                [
                    (
                        result,
                        {
                            "dedup_key": message.dedup_key,
                            "alert_id": message.alert_id,
                            "kind": message.kind,
                        },
                    )
                ]
            )
        except Exception:
            # The notification went (or did not) either way; losing its log row must not
            # turn a delivered message into an error for the caller.
            log.exception("could not record notification")
            return result
        return result.model_copy(update={"id": row_id})
