"""Migrations: ordered, recorded, idempotent, and safe from two processes at once."""

from __future__ import annotations

import asyncio
import importlib.util
import re
import uuid
from pathlib import Path

import psycopg
import pytest

from ops_agent.store.migrations import MigrationError, discover, migrate, migrations_dir, status


def fresh_database(pg_url: str) -> str:
    name = f"m_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"create database {name}")
    return psycopg.conninfo.make_conninfo(pg_url, dbname=name)


async def test_migrate_twice_applies_once(pg_url: str) -> None:
    url = fresh_database(pg_url)
    first = await migrate(url, migrations_dir())
    assert first == [m.version for m in discover(migrations_dir())]
    assert await migrate(url, migrations_dir()) == []
    assert all(applied for _, applied in await status(url, migrations_dir()))


async def test_concurrent_migrators_serialise(pg_url: str) -> None:
    url = fresh_database(pg_url)
    results = await asyncio.gather(*(migrate(url, migrations_dir()) for _ in range(4)))
    applied = [v for r in results for v in r]
    assert sorted(applied) == sorted(m.version for m in discover(migrations_dir()))
    with psycopg.connect(url) as conn:
        rows = conn.execute("select version, checksum from ops_agent_migrations").fetchall()
    assert len(rows) == len(discover(migrations_dir()))


async def test_failed_migration_is_not_recorded(pg_url: str, tmp_path: Path) -> None:
    url = fresh_database(pg_url)
    (tmp_path / "20260101000000_ok.sql").write_text("create table t_ok (id int);")
    (tmp_path / "20260102000000_bad.sql").write_text("create table t_bad (id int); select 1/0;")
    with pytest.raises(MigrationError, match="20260102000000_bad"):
        await migrate(url, tmp_path)
    with psycopg.connect(url) as conn:
        versions = [r[0] for r in conn.execute("select version from ops_agent_migrations")]
        t_bad = conn.execute("select to_regclass('t_bad')").fetchone()
    assert versions == ["20260101000000"]
    assert t_bad == (None,)  # the failed migration's transaction rolled back whole


def test_misnamed_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "001_init.sql").write_text("select 1;")
    with pytest.raises(MigrationError, match="YYYYMMDDHHMMSS"):
        discover(tmp_path)


def test_anon_cannot_execute_functions(pg_url: str) -> None:
    """On Supabase the anon role must not reach the ops_* functions (ops_lock_down)."""
    url = fresh_database(pg_url)
    with psycopg.connect(url, autocommit=True) as conn:
        for role in ("anon", "authenticated", "service_role"):
            conn.execute(
                f"do $$ begin create role {role}; exception when duplicate_object then null; end $$"
            )
    asyncio.run(migrate(url, migrations_dir()))
    with psycopg.connect(url) as conn:

        def can(role: str) -> bool:
            row = conn.execute(
                "select has_function_privilege(%s, 'ops_ping()', 'execute')", [role]
            ).fetchone()
            return bool(row and row[0])

        assert not can("anon") and not can("authenticated") and can("service_role")
        row = conn.execute("select has_table_privilege('anon', 'api_keys', 'select')").fetchone()
        assert row == (False,)


async def test_a_changed_applied_migration_is_an_error(pg_url: str, tmp_path: Path) -> None:
    url = fresh_database(pg_url)
    (tmp_path / "20260101000000_one.sql").write_text("create table t_one (id int);")
    await migrate(url, tmp_path)
    (tmp_path / "20260101000000_one.sql").write_text("create table t_one (id bigint);")
    with pytest.raises(MigrationError, match=r"20260101000000_one\.sql"):
        await migrate(url, tmp_path)
    with pytest.raises(MigrationError, match="changed since they ran"):
        await status(url, tmp_path)


def test_every_sql_function_is_defined_once() -> None:
    """Until the first release, a function lives in its domain's migration only: no later
    file redefines it."""
    defined: dict[str, list[str]] = {}
    for migration in discover(migrations_dir()):
        for name in re.findall(
            r"create\s+(?:or\s+replace\s+)?function\s+(\w+)", migration.sql, re.IGNORECASE
        ):
            defined.setdefault(name.lower(), []).append(migration.name)
    twice = {name: where for name, where in defined.items() if len(where) > 1}
    assert not twice


def test_schema_sql_is_generated_from_the_migrations(pg_url: str) -> None:
    """supabase/schema.sql is what the migrations make: regenerate it with scripts/schema.py."""
    spec = importlib.util.spec_from_file_location(
        "schema_script", Path(__file__).parents[2] / "scripts" / "schema.py"
    )
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.generate(pg_url) == script.SCHEMA.read_text(), "run python scripts/schema.py"
