"""The shape of a channel: one attempt at delivering one notification."""

from __future__ import annotations

import abc
import hashlib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from ops_agent.errors import NotConfigured
from ops_agent.notify.models import ChannelName, Delivery, Notification, Outcome
from ops_agent.settings import Settings
from ops_agent.ssrf import URLGuard


def secret(value: Any) -> str | None:
    """A setting's secret value, whether it is a SecretStr or plain text."""
    if value is None:
        return None
    return str(value.get_secret_value() if hasattr(value, "get_secret_value") else value)


def addresses(value: str | Sequence[str] | None) -> list[str]:
    """`a@x, b@y` (or a list) as a list of addresses."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [i.strip() for i in items if i.strip()]


@dataclass(frozen=True)
class ChannelContext:
    """What every channel is built from: the settings, and what the channels share."""

    settings: Settings
    http: httpx.AsyncClient
    guard: URLGuard
    smtp_ssl_context: ssl.SSLContext | None = None


class ChannelNotConfigured(NotConfigured):
    """The channel lacks its settings (a token, a URL, a host) or the message lacks a
    destination."""


class Channel(abc.ABC):
    """A delivery channel. `attempt` sends once; the pipeline around it retries, rate-limits,
    deduplicates and records.

    A channel is one module: its class says its name, the settings it reads (`from_settings`),
    its provider's rate limit (`rate_limit`: messages per seconds, unless NOTIFY_RATE_LIMITS
    says otherwise) and how a message is addressed (`destination`, `masked`). The registry in
    `notify/channels/__init__.py` lists the classes."""

    name: ChannelName
    rate_limit: tuple[int, float]

    @classmethod
    @abc.abstractmethod
    def from_settings(cls, ctx: ChannelContext) -> Channel:
        """The channel as the settings configure it (unconfigured is fine: it then refuses
        each message with ChannelNotConfigured, saying what to set)."""

    @abc.abstractmethod
    def destination(self, message: Notification) -> str:
        """Where `message` goes, unmasked: the rate-limit and endpoint key. Raises
        ChannelNotConfigured when there is nowhere to send it."""

    @abc.abstractmethod
    def masked(self, message: Notification) -> str:
        """Where `message` goes, safe to log and store."""

    @abc.abstractmethod
    async def attempt(self, message: Notification, delivery: Delivery) -> Outcome:
        """Try once. Must not raise for delivery failures: they are Outcomes."""

    async def check(self, message: Notification) -> None:  # noqa: B027
        """Raise before any attempt when the destination may not be called (SSRF guard)."""

    async def aclose(self) -> None:  # noqa: B027
        """Release connections."""

    def rate_key(self, message: Notification) -> str:
        """What the provider's rate limit counts against; by default the destination."""
        return self.endpoint_key(message)

    def endpoint_key(self, message: Notification) -> str:
        """A stable, secret-free key for this channel and destination."""
        raw = f"{self.name}\n{self.destination(message)}".encode()
        return hashlib.sha256(raw).hexdigest()[:32]
