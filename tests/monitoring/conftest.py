from __future__ import annotations

import pytest

from ops_agent.settings import Settings
from ops_agent.store import Store
from tests.conftest import clean_tables


@pytest.fixture
def monitor_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"monitor_allowed_hosts": "127.0.0.1"})


@pytest.fixture
def monitor_store(store: Store, pg_url: str) -> Store:
    clean_tables(pg_url, "monitor_services", "monitor_results", "monitor_state", "observations")
    return store
