"""Apply supabase/migrations/*.sql in order, once each, safely from many processes at once.

Each pending migration runs in its own transaction under a transaction-scoped advisory lock,
so two processes (or two cold starts) racing to migrate serialise, and the loser sees the
version already recorded and skips it. Transaction-scoped locks also work through a
transaction-mode pooler, where session locks would leak across clients.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

# An arbitrary constant: the advisory lock key all Ops Agent migrators agree on.
MIGRATION_LOCK_KEY = 0x6F70_7361_6765_6E74 & 0x7FFF_FFFF_FFFF_FFFF

_FILE_NAME = re.compile(r"^(\d{14})_([a-z0-9_]+)\.sql$")

_BOOTSTRAP_SQL = """
create table if not exists ops_agent_migrations (
    version    text primary key,
    name       text not null,
    checksum   text not null,
    applied_at timestamptz not null default now()
);
alter table ops_agent_migrations enable row level security;
"""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationError(RuntimeError):
    """A migration could not be found, read or applied."""


def migrations_dir(override: Path | None = None) -> Path:
    """Where the SQL lives: the override, the source tree, or the current directory (Vercel)."""
    candidates = [override] if override else []
    candidates += [
        Path(__file__).resolve().parents[3] / "supabase" / "migrations",
        Path.cwd() / "supabase" / "migrations",
    ]
    for candidate in candidates:
        if candidate is not None and candidate.is_dir():
            return candidate
    searched = ", ".join(str(c) for c in candidates if c is not None)
    raise MigrationError(
        f"no supabase/migrations folder found (looked in {searched}); set OPS_AGENT_MIGRATIONS_DIR"
    )


def discover(directory: Path) -> list[Migration]:
    """Migrations in version order. Files that do not look like `<14 digits>_<name>.sql` fail."""
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: expected <YYYYMMDDHHMMSS>_<name>.sql")
        found.append(Migration(match[1], match[2], path.read_text(encoding="utf-8")))
    return found


async def applied_versions(conn: psycopg.AsyncConnection[Any]) -> dict[str, str]:
    """Versions recorded as applied, with the checksum each had (empty on a fresh database)."""
    await conn.execute(_BOOTSTRAP_SQL, prepare=False)
    cur = await conn.execute("select version, checksum from ops_agent_migrations", prepare=False)
    return {str(row[0]): str(row[1]) for row in await cur.fetchall()}


def verify_checksums(migrations: list[Migration], applied: dict[str, str]) -> None:
    """Raise MigrationError naming every applied migration whose file changed since."""
    changed = [
        f"{m.version}_{m.name}.sql"
        for m in migrations
        if m.version in applied and applied[m.version] != m.checksum
    ]
    if changed:
        raise MigrationError(
            f"applied migrations changed since they ran: {', '.join(changed)}; a migration is "
            "never edited once applied (add a new one), and before the first release a local "
            "database is reset instead (remove the data folder)"
        )


async def migrate(conninfo: str, directory: Path) -> list[str]:
    """Apply every pending migration; return the versions this call applied."""
    migrations = discover(directory)
    applied_now: list[str] = []
    async with await psycopg.AsyncConnection.connect(
        conninfo, autocommit=True, prepare_threshold=None
    ) as conn:
        async with conn.transaction():
            await conn.execute("select pg_advisory_xact_lock(%s)", [MIGRATION_LOCK_KEY])
            done = await applied_versions(conn)
        verify_checksums(migrations, done)
        for migration in migrations:
            if migration.version in done:
                continue
            async with conn.transaction():
                await conn.execute("select pg_advisory_xact_lock(%s)", [MIGRATION_LOCK_KEY])
                cur = await conn.execute(
                    "select 1 from ops_agent_migrations where version = %s", [migration.version]
                )
                if await cur.fetchone():
                    continue  # another process applied it while we waited for the lock
                try:
                    await conn.execute(migration.sql.encode(), prepare=False)
                except psycopg.Error as exc:
                    raise MigrationError(
                        f"migration {migration.version}_{migration.name} failed: {exc}"
                    ) from exc
                await conn.execute(
                    "insert into ops_agent_migrations (version, name, checksum) "
                    "values (%s, %s, %s)",
                    [migration.version, migration.name, migration.checksum],
                )
            applied_now.append(migration.version)
    return applied_now


async def status(conninfo: str, directory: Path) -> list[tuple[Migration, bool]]:
    """Every known migration with whether it is applied."""
    async with await psycopg.AsyncConnection.connect(
        conninfo, autocommit=True, prepare_threshold=None
    ) as conn:
        done = await applied_versions(conn)
    migrations = discover(directory)
    verify_checksums(migrations, done)
    return [(m, m.version in done) for m in migrations]


def default_dir() -> Path:
    """The migrations folder for this process's settings."""
    override = os.environ.get("OPS_AGENT_MIGRATIONS_DIR")
    return migrations_dir(Path(override) if override else None)
