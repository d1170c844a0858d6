from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from ops_agent.store import Store
from tests.conftest import clean_tables
from tests.vercel.payloads import API

DEPLOYMENT_TABLES = (
    "deployments",
    "vercel_webhook_deliveries",
    "deployment_actions",
    "observations",
)


@pytest.fixture
def clean_store(store: Store, pg_url: str) -> Store:
    """The parametrized store (Postgres and Supabase transports) with empty deployment tables."""
    clean_tables(pg_url, *DEPLOYMENT_TABLES)
    return store


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """Vercel's API, mocked; the store's own HTTP (the PostgREST bridge) passes through."""
    with respx.mock(base_url=API, assert_all_called=False) as router:
        router.route(host="127.0.0.1").pass_through()
        yield router
