"""The configured store, for callers that build a tool without one (`MonitoringTool()`):
opened on first use, from the settings (environment, `.env`), and shared by every such tool in
the process; the embedded Postgres when nothing is configured."""

from __future__ import annotations

import asyncio
from typing import Any

from ops_agent.store.base import Store

_opened: Store | None = None
_lock: asyncio.Lock | None = None


async def configured_store() -> Store:
    """The process's configured store, opened (and migrated, when allowed) once."""
    global _opened, _lock
    if _opened is None:
        _lock = _lock or asyncio.Lock()
        async with _lock:
            if _opened is None:
                from ops_agent.settings import get_settings
                from ops_agent.store import open_store

                _opened = await open_store(get_settings())
    return _opened


class DefaultStore(Store):
    """A Store that is the configured one, opened when first called."""

    async def rpc(self, function: str, args: dict[str, Any] | None = None) -> Any:
        return await (await configured_store()).rpc(function, args)

    async def close(self) -> None:
        """The shared store stays open for the other tools of the process."""
