"""UpstashKV: the KV over Upstash's REST API (the production default on Vercel)."""

from __future__ import annotations

from typing import Any

from ops_agent.kv.base import KV


class UpstashKV(KV):
    backend = "upstash"

    def __init__(self, url: str, token: str, *, prefix: str = "ops:", timeout: float = 2.0) -> None:
        super().__init__(prefix, timeout)
        from upstash_redis.asyncio import Redis

        # One quick retry for a dropped connection; the overall timeout lives in KV.command.
        self._client = Redis(
            url=url, token=token, rest_retries=1, rest_retry_interval=0.05, allow_telemetry=False
        )

    async def _command(self, *args: str | int | float) -> Any:
        return await self._client.execute(list(args))

    async def close(self) -> None:
        await self._client.close()
