"""The configured KV, for callers that build a tool without one: opened on first use and
shared within the process; the embedded Redis when nothing is configured."""

from __future__ import annotations

import asyncio
from typing import Any

from ops_agent.kv.base import KV

_opened: KV | None = None
_lock: asyncio.Lock | None = None


async def configured_kv() -> KV:
    """The process's configured KV, opened once."""
    global _opened, _lock
    if _opened is None:
        _lock = _lock or asyncio.Lock()
        async with _lock:
            if _opened is None:
                from ops_agent.kv import open_kv
                from ops_agent.settings import get_settings

                _opened = await open_kv(get_settings())
    return _opened


class DefaultKV(KV):
    """A KV that is the configured one, opened when first called."""

    def __init__(self) -> None:
        from ops_agent.settings import get_settings

        settings = get_settings()
        super().__init__(prefix=settings.kv_prefix, timeout=settings.kv_timeout_seconds)

    async def _command(self, *args: str | int | float) -> Any:
        return await (await configured_kv())._command(*args)

    async def close(self) -> None:
        """The shared KV stays open for the other tools of the process."""
