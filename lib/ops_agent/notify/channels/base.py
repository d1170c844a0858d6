"""The shape of a channel: one attempt at delivering one notification."""

from __future__ import annotations

import abc
import hashlib

from ops_agent.errors import NotConfigured
from ops_agent.notify.models import ChannelName, Delivery, Notification, Outcome


class ChannelNotConfigured(NotConfigured):
    """The channel lacks its settings (a token, a URL, a host) or the message lacks a
    destination."""


class Channel(abc.ABC):
    """A delivery channel. `attempt` sends once; the pipeline around it retries, rate-limits,
    deduplicates and records."""

    name: ChannelName

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
