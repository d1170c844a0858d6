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
from ops_agent.notify.channels import (
    CHANNEL_TYPES,
    Channel,
    ChannelContext,
    ChannelNotConfigured,
)
from ops_agent.notify.channels.base import addresses
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
from ops_agent.store import Store

log = logging.getLogger(__name__)


# The constructor's short names for settings (any other Settings field may be passed by its
# own name, e.g. smtp_host=...).
ALIASES = {
    "mailtrap_token": "mailtrap_api_token",
    "mailtrap_inbox_id": "mailtrap_sandbox_inbox_id",
    "webhook_url": "notify_webhook_url",
    "webhook_secret": "notify_webhook_secret",
    "email_from": "notify_email_from",
    "email_to": "notify_email_to",
    "allowed_hosts": "notify_allowed_hosts",
    "max_attempts": "notify_max_attempts",
    "timeout": "notify_timeout_seconds",
    "dedup_window": "notify_dedup_seconds",
    "rate_wait": "notify_rate_wait_seconds",
}


def configured(settings: Settings, overrides: Mapping[str, Any]) -> Settings:
    """`settings` with `overrides` (by alias or field name; None means "as configured")."""
    update: dict[str, Any] = {}
    for name, value in overrides.items():
        field = ALIASES.get(name, name)
        if field not in Settings.model_fields:
            raise TypeError(f"NotificationService got an unknown setting {name!r}")
        if value is not None:
            update[field] = value
    return settings.model_copy(update=update) if update else settings


class NotificationService:
    """Send notifications on several channels. Every setting comes from `settings` (the
    environment by default) unless passed here: `mailtrap_token`, `slack_webhook_url`, any
    other short name in ALIASES, or any Settings field by its name."""

    def __init__(
        self,
        mailtrap_token: str | None = None,
        slack_webhook_url: str | None = None,
        *,
        settings: Settings | None = None,
        store: Store | None = None,
        kv: KV | None = None,
        rate_limits: Mapping[str, tuple[int, float]] | None = None,
        retry_budget: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        smtp_ssl_context: ssl.SSLContext | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        **overrides: Any,
    ) -> None:
        s = configured(
            settings or get_settings(),
            {"mailtrap_token": mailtrap_token, "slack_webhook_url": slack_webhook_url, **overrides},
        )
        self.settings = s
        self._store = store
        self.log = NotificationLog(store) if store is not None else None
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(s.notify_timeout_seconds),
            follow_redirects=False,
            transport=transport,
        )
        allowed = s.notify_allowed_hosts
        context = ChannelContext(
            s,
            self._http,
            URLGuard(allowed if isinstance(allowed, str) else ",".join(allowed)),
            smtp_ssl_context,
        )
        self._channels: dict[ChannelName, Channel] = {
            kind.name: kind.from_settings(context) for kind in CHANNEL_TYPES
        }
        limits: dict[str, tuple[int, float]] = {k.name: k.rate_limit for k in CHANNEL_TYPES}
        limits |= dict(rate_limits or parse_rate_limits(s.notify_rate_limits))
        throttle = Throttle(kv, limits, s.notify_rate_wait_seconds, sleep)
        self._dedup = Dedup(kv, s.notify_dedup_seconds)
        self._retry = Retry(s.notify_max_attempts, retry_budget, throttle, sleep)

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

    async def send_notification(
        self,
        channel: ChannelName,
        message: str | None = None,
        *,
        to: str | Sequence[str] | None = None,
        **fields: Any,
    ) -> DeliveryResult:
        """One notification on `channel`: `message` is its text (or pass `body`), `to` one
        address or several (email and smtp); any other Notification field by name."""
        if message is not None:
            fields.setdefault("body", message)
        if to is not None:
            fields["to"] = addresses(to)
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
            to=addresses(to),
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
            "smtp", to=addresses(to), subject=subject, body=body, html=html, **options
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
            # A channel missing its credential or address says so here, as a failed result.
            endpoint_key = channel.endpoint_key(message)
        except (ChannelNotConfigured, UnsafeURL) as exc:
            return await self._record(
                message, result(Status.FAILED, error=str(exc), permanent=True)
            )

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
