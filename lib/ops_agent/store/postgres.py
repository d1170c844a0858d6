"""PostgresStore: SQL functions over a Postgres URL with psycopg 3.

Works through a transaction-mode pooler (Supabase's port 6543, PgBouncer): no prepared
statements and no session state; every call is one autocommitted statement.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Json, Jsonb
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from pydantic_core import PydanticSerializationError, to_json

from ops_agent.store.base import Store, check_function_name
from ops_agent.store.errors import StoreError, StoreUnavailable, error_for

_SIGNATURES_SQL = """
select p.proname as name,
       coalesce(p.proargnames, '{}') as arg_names,
       coalesce((select array_agg(format_type(t.oid, null) order by t.ord)
                 from unnest(p.proargtypes::oid[]) with ordinality as t(oid, ord)),
                '{}') as arg_types
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = current_schema() and p.proname like 'ops\\_%'
"""

Signature = dict[str, str]


def dumps(value: Any) -> bytes | str:
    """A JSON argument's text: pydantic-core's encoder, about 3x the standard library's on a
    drain delivery's rows, or the standard library's where that one refuses (a lone surrogate,
    which the store then refuses with a clear error)."""
    try:
        return to_json(value)
    except PydanticSerializationError:
        return json.dumps(value)


def build_call(function: str, args: dict[str, Any], signature: Signature) -> tuple[str, list[Any]]:
    """SQL and parameters that call `function` with named, explicitly typed arguments."""
    unknown = sorted(set(args) - set(signature))
    if unknown:
        raise StoreError(f"{function} has no argument(s) {', '.join(unknown)}", code="PGRST202")
    parts: list[str] = []
    params: list[Any] = []
    for name, value in args.items():
        sql_type = signature[name]
        parts.append(f"{name} => %s::{sql_type}")
        if sql_type == "jsonb":
            params.append(Jsonb(value, dumps))
        elif sql_type == "json":  # sent as json: a Jsonb would be parsed into jsonb first
            params.append(Json(value, dumps))
        else:
            params.append(value)
    return f"select {function}({', '.join(parts)}) as result", params


def _forget_outcome(pending: set[asyncio.Future[Any]]) -> Callable[[asyncio.Future[Any]], None]:
    """A done callback that drops an abandoned call from `pending` and reads its outcome, so
    asyncio does not report an exception nobody was left to retrieve."""

    def done(call: asyncio.Future[Any]) -> None:
        pending.discard(call)
        if not call.cancelled():
            call.exception()

    return done


class PostgresStore(Store):
    """`Store` over psycopg's async pool."""

    backend = "postgres"

    def __init__(self, conninfo: str, *, pool_size: int = 10, timeout: float = 5.0) -> None:
        self._timeout = timeout
        self._pool = AsyncConnectionPool(
            conninfo,
            min_size=0,
            max_size=pool_size,
            open=False,
            timeout=timeout,
            kwargs={
                "autocommit": True,
                "prepare_threshold": None,  # transaction poolers cannot keep prepared statements
                "connect_timeout": max(1, int(timeout)),
                "application_name": "ops-agent",
            },
        )
        self._signatures: dict[str, Signature] = {}
        self._abandoned: set[asyncio.Future[Any]] = set()  # calls past their timeout
        self._opened = False
        self._open_lock = asyncio.Lock()

    async def _ensure_open(self) -> None:
        if self._opened:
            return
        async with self._open_lock:
            if not self._opened:
                await self._pool.open(wait=False)
                self._opened = True

    async def _signature(self, conn: psycopg.AsyncConnection[Any], function: str) -> Signature:
        if function not in self._signatures:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(_SIGNATURES_SQL, prepare=False)
            self._signatures = {
                row["name"]: dict(zip(row["arg_names"], row["arg_types"], strict=True))
                for row in await cur.fetchall()
            }
        if function not in self._signatures:
            raise StoreError(
                f"no SQL function {function}; are migrations applied?", code="PGRST202"
            )
        return self._signatures[function]

    async def rpc(self, function: str, args: dict[str, Any] | None = None) -> Any:
        """Call `function`; StoreUnavailable when the database does not answer in `timeout`
        seconds, whatever it is doing (down, frozen, or a query that runs on).

        The call runs as its own task behind a shield, so that neither this timeout nor a
        caller's (a health probe's) waits for psycopg's own clean-up: on cancellation it asks
        the server to cancel and waits up to 10 s more, which a frozen server never answers.
        The abandoned task finishes that clean-up in the background, and the pool then drops
        or reuses the connection."""
        check_function_name(function)
        await self._ensure_open()
        call = asyncio.ensure_future(self._call(function, args or {}))
        try:
            async with asyncio.timeout(self._timeout):
                return await asyncio.shield(call)
        except TimeoutError:
            self._abandon(call)
            raise StoreUnavailable(
                f"the database did not answer {function} in {self._timeout:g}s"
            ) from None
        except asyncio.CancelledError:
            self._abandon(call)
            raise

    def _abandon(self, call: asyncio.Future[Any]) -> None:
        call.cancel()
        self._abandoned.add(call)
        call.add_done_callback(_forget_outcome(self._abandoned))

    async def _call(self, function: str, args: dict[str, Any]) -> Any:
        try:
            async with self._pool.connection() as conn:
                sql, params = build_call(function, args, await self._signature(conn, function))
                cur = await conn.execute(sql, params, prepare=False)
                row = await cur.fetchone()
        except PoolTimeout as exc:
            raise StoreUnavailable(f"database unreachable: {exc}") from exc
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"database unreachable: {exc}") from exc
        except psycopg.DataError as exc:
            if exc.sqlstate is None:  # refused by psycopg before sending: a NUL in text
                raise error_for("22021", str(exc)) from exc
            raise error_for(exc.sqlstate, exc.diag.message_primary or str(exc)) from exc
        except psycopg.Error as exc:
            diag = exc.diag
            raise error_for(
                exc.sqlstate, diag.message_primary or str(exc), diag.message_detail
            ) from exc
        return row[0] if row else None

    def forget_signatures(self) -> None:
        """Drop cached function signatures (after migrations change them)."""
        self._signatures = {}

    async def close(self) -> None:
        if self._opened:
            await self._pool.close()
            self._opened = False
