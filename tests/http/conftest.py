from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from ops_agent.apikeys import issue_key
from ops_agent.http.app import create_app
from ops_agent.http.routes import (
    admin,
    alerts,
    cron,
    deployments,
    drains,
    health,
    logs,
    metrics,
    monitoring,
    notify,
    webhooks,
)
from ops_agent.kv.redis import RedisKV
from ops_agent.runtime import Runtime
from ops_agent.settings import Settings
from ops_agent.store import Role, Store
from ops_agent.store.postgres import PostgresStore
from tests.conftest import ALL_TABLES, clean_tables

AppFactory = Callable[..., FastAPI]


@pytest.fixture
async def runtime(settings: Settings, pg_url: str, redis_socket: str) -> AsyncIterator[Runtime]:
    clean_tables(pg_url, *ALL_TABLES)
    # A namespace per test, as the store is cleaned per test: dedup keys, locks, rate limits
    # and evaluation bounds of one test must not decide the next one's.
    rt = Runtime(
        settings,
        store=PostgresStore(pg_url),
        kv=RedisKV(unix_socket_path=redis_socket, prefix=f"http-{os.urandom(4).hex()}:"),
    )
    yield rt
    await rt.close()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app("test", routers(), runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
async def keys(runtime: Runtime) -> dict[Role, str]:
    """One key per role."""
    store: Store = await runtime.store()
    out = {}
    for role in Role:
        key, _ = await issue_key(store, name=f"{role.value}-key", role=role, created_by="test")
        out[role] = key
    return out


def routers() -> list[APIRouter]:
    return [
        health.router,
        admin.router,
        cron.router,
        deployments.router,
        webhooks.router,
        notify.router,
        drains.router,
        logs.router,
        monitoring.router,
        metrics.router,
        alerts.router,
    ]
