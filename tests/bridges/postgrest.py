"""A PostgREST-compatible RPC endpoint in front of a real Postgres, for SupabaseStore's tests.

It implements what supabase-py's `rpc()` uses, as PostgREST does: POST /rest/v1/rpc/<fn> with a
JSON object of named arguments, `apikey` and `Authorization: Bearer` checked against the
service-role key, each JSON value cast to the argument's declared SQL type, the function's JSON
result returned as the body, and errors as {"code", "message", "details", "hint"} with
PostgREST's status codes (23505 → 409, P0001 → 400, unknown function → 404 PGRST202).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

_SIGNATURE = """
select coalesce(p.proargnames, '{}') as names,
       coalesce((select array_agg(format_type(t.oid, null) order by t.ord)
                 from unnest(p.proargtypes::oid[]) with ordinality as t(oid, ord)), '{}') as types
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = %s and p.proname = %s
"""

# PostgREST's mapping of SQLSTATE classes to HTTP statuses (the ones these tests meet).
_STATUS = {"23505": 409, "23503": 409, "23502": 400, "22P02": 400, "P0001": 400, "42501": 403}


def _error(status: int, code: str, message: str, details: str | None = None) -> JSONResponse:
    return JSONResponse(
        {"code": code, "message": message, "details": details, "hint": None}, status_code=status
    )


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def postgrest_app(conninfo: str, service_key: str) -> Starlette:
    pool = AsyncConnectionPool(
        conninfo, open=False, max_size=20, kwargs={"autocommit": True, "prepare_threshold": None}
    )

    async def rpc(request: Request) -> Response:
        if (
            request.headers.get("apikey") != service_key
            or request.headers.get("authorization") != f"Bearer {service_key}"
        ):
            return _error(401, "PGRST301", "JWT invalid")
        schema = request.headers.get("content-profile", "public")
        function = request.path_params["function"]
        try:
            args = json.loads(await request.body() or b"{}")
        except json.JSONDecodeError:
            return _error(400, "PGRST102", "Empty or invalid json")
        if not isinstance(args, dict):
            return _error(400, "PGRST102", "arguments must be a JSON object")
        async with pool.connection() as conn:
            cur = await conn.execute(_SIGNATURE, [schema, function])
            row = await cur.fetchone()
            if row is None:
                return _error(404, "PGRST202", f"Could not find the function {schema}.{function}")
            signature = dict(zip(row[0], row[1], strict=True))
            if set(args) - set(signature):
                return _error(
                    404,
                    "PGRST202",
                    f"Could not find the function {schema}.{function} with those arguments",
                )
            sql_args, params = [], []
            for name, value in args.items():
                sql_type = signature[name]
                sql_args.append(f'"{name}" => %s::{sql_type}')
                if sql_type in ("json", "jsonb"):
                    params.append(Jsonb(value))
                elif sql_type.endswith("[]") and isinstance(value, list):
                    # PostgREST turns a JSON array into the declared array type.
                    params.append([_as_text(v) for v in value])
                else:
                    params.append(_as_text(value))
            sql = f'select to_jsonb("{schema}"."{function}"({", ".join(sql_args)}))'
            try:
                cur = await conn.execute(sql, params)
                result = (await cur.fetchone() or [None])[0]
            except psycopg.Error as exc:
                code = exc.sqlstate or "XX000"
                return _error(
                    _STATUS.get(code, 400 if code.startswith("2") else 500),
                    code,
                    exc.diag.message_primary or str(exc),
                    exc.diag.message_detail,
                )
        return Response(json.dumps(result), media_type="application/json")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await pool.open()
        yield
        await pool.close()

    return Starlette(
        routes=[Route("/rest/v1/rpc/{function}", rpc, methods=["POST"])], lifespan=lifespan
    )
