"""Dedup keys, rate limits and locks, over Upstash REST or Redis."""

from __future__ import annotations

import asyncio

from ops_agent.kv.base import KV, KVError, Lock, LockHeld, RateLimit
from ops_agent.settings import KVBackend, Settings

__all__ = ["KV", "KVError", "Lock", "LockHeld", "RateLimit", "open_kv"]


async def open_kv(settings: Settings) -> KV:
    """The KV these settings select (starting the embedded one if none is configured)."""
    prefix, timeout = settings.kv_prefix, settings.kv_timeout_seconds
    if settings.kv_backend is KVBackend.UPSTASH:
        from ops_agent.kv.upstash import UpstashKV

        assert settings.upstash_redis_rest_url and settings.upstash_redis_rest_token
        return UpstashKV(
            settings.upstash_redis_rest_url,
            settings.upstash_redis_rest_token.get_secret_value(),
            prefix=prefix,
            timeout=timeout,
        )
    from ops_agent.kv.redis import RedisKV

    if settings.kv_backend is KVBackend.REDIS:
        assert settings.redis_url is not None
        return RedisKV(settings.redis_url.get_secret_value(), prefix=prefix, timeout=timeout)
    from ops_agent.kv.embedded import embedded_redis_socket

    socket = await asyncio.to_thread(embedded_redis_socket, settings.ops_agent_data_dir)
    return RedisKV(unix_socket_path=socket, prefix=prefix, timeout=timeout)
