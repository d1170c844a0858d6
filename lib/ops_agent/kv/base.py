"""Dedup keys, rate limits and locks: one interface, atomic on any Redis that speaks Lua.

Transports implement one primitive, `command(*args)`. Everything else is built here from
`SET NX PX` and `EVAL`, so RESP and Upstash REST behave identically by construction.
"""

from __future__ import annotations

import abc
import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from ops_agent.errors import Conflict, Problem, Unavailable

# Sliding-window log: exact (a limit of N admits exactly N per window), and the clock is
# Redis's own TIME, so function instances with skewed clocks still agree.
_RATE_LIMIT = """
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000 + math.floor(tonumber(now_t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
if used < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - used - 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local retry = window
if oldest[2] then retry = math.max(1, tonumber(oldest[2]) + window - now) end
return {0, 0, retry}
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

_INCR = """
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return v
"""


class KVError(Unavailable):
    """The KV could not be reached or refused a command."""

    def __init__(self, message: str) -> None:
        super().__init__(message, dependency="kv")

    def problem(self) -> Problem:
        return Unavailable("the kv is unavailable; try again shortly", dependency="kv").problem()


class LockHeld(KVError):
    """Someone else holds the lock."""

    def problem(self) -> Problem:
        return Conflict(str(self), code="locked", headers={"Retry-After": "5"}).problem()


@dataclass(frozen=True)
class RateLimit:
    """The verdict of one `rate_limit` call."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: float  # seconds until a slot frees; 0 when allowed


def _ms(seconds: float) -> int:
    if seconds <= 0:
        raise ValueError("a TTL or window must be positive")
    return max(1, round(seconds * 1000))


class Lock:
    """A held lock. Only its holder (by token) can release or extend it."""

    def __init__(self, kv: KV, key: str, token: str, ttl: float) -> None:
        self.kv = kv
        self.key = key
        self.token = token
        self.ttl = ttl

    async def release(self) -> bool:
        """Release the lock if we still hold it; False when it had expired or was taken."""
        return bool(await self.kv.eval(_RELEASE, [self.key], [self.token]))

    async def extend(self, ttl: float | None = None) -> bool:
        """Push the expiry out by `ttl` (default: the original TTL) if we still hold it."""
        return bool(await self.kv.eval(_EXTEND, [self.key], [self.token, _ms(ttl or self.ttl)]))


class KV(abc.ABC):
    """The KV interface. Keys are namespaced with `prefix`."""

    backend = "abstract"

    def __init__(self, prefix: str = "ops:", timeout: float = 2.0) -> None:
        self.prefix = prefix
        self.timeout = timeout

    @abc.abstractmethod
    async def _command(self, *args: str | int | float) -> Any:
        """Run one Redis command; strings come back decoded."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release connections."""

    async def command(self, *args: str | int | float) -> Any:
        """Run one Redis command within the timeout; failures become KVError."""
        try:
            async with asyncio.timeout(self.timeout):
                return await self._command(*args)
        except KVError:
            raise
        except TimeoutError as exc:
            raise KVError(f"KV timed out after {self.timeout}s running {args[0]}") from exc
        except Exception as exc:  # each client has its own error zoo; callers see one type
            raise KVError(f"KV {args[0]} failed: {exc}") from exc

    def _key(self, key: str) -> str:
        return self.prefix + key

    async def eval(self, script: str, keys: list[str], args: list[str | int | float]) -> Any:
        """Run a Lua script atomically; `keys` are namespaced here."""
        return await self.command("EVAL", script, len(keys), *map(self._key, keys), *args)

    async def ping(self) -> None:
        """Raise KVError unless the KV answers."""
        await self.command("PING")

    async def get(self, key: str) -> str | None:
        value = await self.command("GET", self._key(key))
        return None if value is None else str(value)

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        if ttl is None:
            await self.command("SET", self._key(key), value)
        else:
            await self.command("SET", self._key(key), value, "PX", _ms(ttl))

    async def delete(self, *keys: str) -> int:
        return int(await self.command("DEL", *map(self._key, keys)))

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        """Add `amount` and return the new value; `ttl` is set when the key has none."""
        return int(await self.eval(_INCR, [key], [amount, _ms(ttl) if ttl else 0]))

    async def set_if_absent(self, key: str, ttl: float, value: str = "1") -> bool:
        """True only for the first caller to set `key` within `ttl` seconds (dedup)."""
        result = await self.command("SET", self._key(key), value, "NX", "PX", _ms(ttl))
        return result in ("OK", True)

    async def rate_limit(self, key: str, limit: int, window: float) -> RateLimit:
        """Take one slot of `limit` per sliding `window` seconds, if one is free."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        member = secrets.token_hex(8)
        allowed, remaining, retry_ms = await self.eval(
            _RATE_LIMIT, [key], [limit, _ms(window), member]
        )
        return RateLimit(bool(int(allowed)), limit, int(remaining), int(retry_ms) / 1000)

    async def try_lock(self, key: str, ttl: float) -> Lock | None:
        """Take the lock if it is free; None when someone holds it."""
        token = secrets.token_urlsafe(16)
        if await self.set_if_absent(key, ttl, token):
            return Lock(self, key, token, ttl)
        return None

    @asynccontextmanager
    async def lock(self, key: str, ttl: float, *, wait: float = 0.0) -> AsyncIterator[Lock]:
        """Hold `key` for the block (at most `ttl` seconds).

        Raises LockHeld when it is not free within `wait` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        delay = 0.01
        while (held := await self.try_lock(key, ttl)) is None:
            if loop.time() + delay > deadline:
                raise LockHeld(f"lock {key!r} is held by someone else")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.25)
        try:
            yield held
        finally:
            await held.release()
