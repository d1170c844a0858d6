"""An Upstash-REST-compatible bridge in front of a real Redis, for UpstashKV's tests.

What upstash-redis speaks: POST / with a JSON command array, POST /pipeline with an array of
them; `Authorization: Bearer <token>`; answers {"result": ...} or {"error": "..."}; with
`Upstash-Encoding: base64`, every string in the result is base64 except the literal "OK".
Commands are forwarded raw over RESP, so Redis's own results and error texts come back.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ResponseError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def _encode(value: Any, base64_strings: bool) -> Any:
    if isinstance(value, bytes):
        if value == b"OK" or not base64_strings:
            return value.decode("utf-8", "replace")
        return base64.b64encode(value).decode()
    if isinstance(value, list):
        return [_encode(v, base64_strings) for v in value]
    return value


def upstash_app(unix_socket_path: str, token: str) -> Starlette:
    pool = aioredis.ConnectionPool(
        connection_class=aioredis.UnixDomainSocketConnection,
        path=unix_socket_path,
        max_connections=64,
    )

    async def raw(command: list[Any]) -> dict[str, Any]:
        conn = await pool.get_connection()
        try:
            await conn.send_command(*command)
            try:
                return {"result": await conn.read_response()}
            except ResponseError as exc:
                return {"error": str(exc)}
        finally:
            await pool.release(conn)

    def authorized(request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {token}"

    async def single(request: Request) -> JSONResponse:
        if not authorized(request):
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        command = json.loads(await request.body())
        answer = await raw(command)
        b64 = request.headers.get("upstash-encoding") == "base64"
        if "error" in answer:
            return JSONResponse(answer, status_code=400)
        return JSONResponse({"result": _encode(answer["result"], b64)})

    async def batch(request: Request) -> JSONResponse:
        if not authorized(request):
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        commands = json.loads(await request.body())
        b64 = request.headers.get("upstash-encoding") == "base64"
        out = []
        for command in commands:
            answer = await raw(command)
            out.append(answer if "error" in answer else {"result": _encode(answer["result"], b64)})
        return JSONResponse(out)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await pool.aclose()

    return Starlette(
        routes=[Route("/", single, methods=["POST"]), Route("/pipeline", batch, methods=["POST"])],
        lifespan=lifespan,
    )
