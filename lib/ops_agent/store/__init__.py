"""Postgres access behind one interface (`Store`), over a Postgres URL or Supabase's HTTPS RPC."""

from __future__ import annotations

import asyncio

from ops_agent.settings import Settings, StoreBackend
from ops_agent.store.base import Store
from ops_agent.store.errors import StoreConflict, StoreError, StoreUnavailable
from ops_agent.store.records import ApiKey, AuditEntry, Role

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Role",
    "Store",
    "StoreConflict",
    "StoreError",
    "StoreUnavailable",
    "migration_url",
    "open_store",
]


async def migration_url(settings: Settings) -> str | None:
    """A Postgres URL that can run DDL for these settings, starting the embedded one if needed."""
    if settings.store_backend is StoreBackend.EMBEDDED:
        from ops_agent.store.embedded import embedded_postgres_url

        return await asyncio.to_thread(embedded_postgres_url, settings.ops_agent_data_dir)
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    return None


async def open_store(settings: Settings, *, migrate: bool | None = None) -> Store:
    """The store these settings select, with pending migrations applied when allowed."""
    from ops_agent.store import migrations

    url = await migration_url(settings)
    if url is not None and (settings.ops_agent_auto_migrate if migrate is None else migrate):
        await migrations.migrate(url, migrations.migrations_dir(settings.ops_agent_migrations_dir))
    if settings.store_backend is StoreBackend.SUPABASE:
        from ops_agent.store.supabase import SupabaseStore

        assert settings.supabase_url and settings.supabase_service_role_key
        return SupabaseStore(
            settings.supabase_url,
            settings.supabase_service_role_key.get_secret_value(),
            schema=settings.supabase_schema,
            timeout=settings.store_timeout_seconds,
        )
    from ops_agent.store.postgres import PostgresStore

    assert url is not None
    return PostgresStore(url, timeout=settings.store_timeout_seconds)
