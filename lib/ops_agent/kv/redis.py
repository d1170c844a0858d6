"""RedisKV: the KV over RESP with redis-py's asyncio client (self-hosting, local runs)."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from ops_agent.kv.base import KV


class RedisKV(KV):
    backend = "redis"

    def __init__(
        self,
        url: str | None = None,
        *,
        unix_socket_path: str | None = None,
        prefix: str = "ops:",
        timeout: float = 2.0,
    ) -> None:
        super().__init__(prefix, timeout)
        options: dict[str, Any] = {
            "decode_responses": True,
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
        }
        if unix_socket_path:
            self._client = aioredis.Redis(unix_socket_path=unix_socket_path, **options)
        elif url:
            self._client = aioredis.Redis.from_url(url, **options)
        else:
            raise ValueError("RedisKV needs a url or a unix_socket_path")

    async def _command(self, *args: str | int | float) -> Any:
        return await self._client.execute_command(*args)  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        await self._client.aclose()
