"""The stages a notification passes through, each small and separately testable:
dedup (claim a key in the KV), throttle (the destination's rate limit in the KV), and retry
(attempts with backoff and jitter, honouring the receiver's Retry-After)."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ops_agent.kv import KV
from ops_agent.notify.channels.base import Channel
from ops_agent.notify.models import AttemptRecord, Delivery, Notification, Outcome
from ops_agent.retry import backoff_delay

Sleep = Callable[[float], Awaitable[None]]


class Dedup:
    """At most one delivery per dedup key per window, across every instance sharing the KV.

    The key is claimed before sending and released if the send fails, so a failed
    notification can be tried again while a delivered one is not repeated."""

    def __init__(self, kv: KV | None, window: float) -> None:
        self._kv = kv
        self._window = window

    @staticmethod
    def _key(dedup_key: str) -> str:
        return "notify:dedup:" + hashlib.sha256(dedup_key.encode()).hexdigest()[:40]

    async def claim(self, dedup_key: str, window: float | None = None) -> bool:
        if self._kv is None:
            return True
        return await self._kv.set_if_absent(self._key(dedup_key), window or self._window)

    async def release(self, dedup_key: str) -> None:
        if self._kv is not None:
            await self._kv.delete(self._key(dedup_key))


class Throttle:
    """Per-destination rate limits (`{channel: (count, seconds)}`) in the KV. A caller over
    the limit waits for a slot up to `max_wait` seconds; past that it is told when to retry."""

    def __init__(
        self,
        kv: KV | None,
        limits: dict[str, tuple[int, float]],
        max_wait: float,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._kv = kv
        self._limits = limits
        self._max_wait = max_wait
        self._sleep = sleep

    async def acquire(self, channel: str, rate_key: str) -> float | None:
        """None once a slot is taken; otherwise the seconds until one frees."""
        limit = self._limits.get(channel)
        if self._kv is None or limit is None:
            return None
        count, window = limit
        deadline = time.monotonic() + self._max_wait
        while True:
            verdict = await self._kv.rate_limit(f"notify:rate:{channel}:{rate_key}", count, window)
            if verdict.allowed:
                return None
            wait = max(verdict.retry_after, 0.01)
            if time.monotonic() + wait > deadline:
                return wait
            await self._sleep(wait)


@dataclass
class Attempts:
    """The outcome of the retry stage."""

    last: Outcome
    log: list[AttemptRecord]
    rate_limited_for: float | None = None

    @property
    def count(self) -> int:
        return len(self.log)


class Retry:
    """Try a channel until it succeeds, fails for good, runs out of attempts or of time."""

    def __init__(
        self,
        max_attempts: int,
        budget: float,
        throttle: Throttle,
        sleep: Sleep = asyncio.sleep,
        base_delay: float = 1.0,
    ) -> None:
        self._max_attempts = max_attempts
        self._budget = budget
        self._throttle = throttle
        self._sleep = sleep
        self._base = base_delay

    async def run(self, channel: Channel, message: Notification, delivery: Delivery) -> Attempts:
        deadline = time.monotonic() + self._budget
        log: list[AttemptRecord] = []
        last = Outcome(ok=False, error="not attempted")
        for number in range(1, self._max_attempts + 1):
            wait = await self._throttle.acquire(channel.name, channel.rate_key(message))
            if wait is not None:
                return Attempts(last=last, log=log, rate_limited_for=wait)
            started = time.monotonic()
            last = await channel.attempt(message, delivery)
            log.append(
                AttemptRecord(
                    at=datetime.now(UTC),
                    ok=last.ok,
                    status_code=last.status_code,
                    error=last.error,
                    latency_ms=round((time.monotonic() - started) * 1000, 2),
                )
            )
            if last.ok or not last.retryable or number == self._max_attempts:
                break
            delay = backoff_delay(number, base=self._base, cap=60.0, server=last.retry_after)
            if time.monotonic() + delay > deadline:
                break
            await self._sleep(delay)
        return Attempts(last=last, log=log)
