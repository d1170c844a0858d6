from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from ops_agent.store import Store
from tests.conftest import clean_tables


class CountingStore(Store):
    """A store that counts the SQL functions it calls, around a real one."""

    backend = "counting"

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    async def rpc(self, function: str, args: dict[str, Any] | None = None) -> Any:
        self.calls[function] += 1
        return await self.inner.rpc(function, args)

    async def close(self) -> None:
        await self.inner.close()


@pytest.fixture
def log_store(store: Store, pg_url: str) -> CountingStore:
    clean_tables(pg_url, "log_entries", "log_templates", "deployments")
    return CountingStore(store)
