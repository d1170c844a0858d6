"""Servers the sandbox runs in-process on 127.0.0.1: any ASGI app on an ephemeral port, and a
receiver that verifies and records the agent's signed webhook notifications."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ops_agent.standard_webhooks import decode_secret, signature


class Served(AbstractAsyncContextManager["Served"]):
    """`async with Served(app) as s:` serves `app` on http://127.0.0.1:{s.port} until exit."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="on"
        )
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None
        self.url = ""

    async def __aenter__(self) -> Served:
        self._task = asyncio.create_task(self._server.serve())
        deadline = time.monotonic() + 30
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises what stopped it
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 30 s")
            await asyncio.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task


class Receiver:
    """A webhook endpoint like a team's own: it verifies the Standard Webhooks signature and
    keeps what arrived (`received`), calling `on_receive` for each (the demo prints them)."""

    def __init__(self, secret: str, on_receive: Callable[[dict[str, Any]], None] | None = None):
        self._key = decode_secret(secret)
        self.received: list[dict[str, Any]] = []
        self.rejected = 0
        self._on_receive = on_receive
        self.app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
        self.app.post("/hooks/{name}")(self._hook)

    async def _hook(self, name: str, request: Request) -> JSONResponse:
        body = await request.body()
        msg_id = request.headers.get("webhook-id", "")
        ts = request.headers.get("webhook-timestamp", "0")
        given = request.headers.get("webhook-signature", "").split()
        expected = signature(self._key, msg_id, int(ts) if ts.isdigit() else 0, body)
        if expected not in given:
            self.rejected += 1
            return JSONResponse({"error": "bad signature"}, 401)
        item = {"hook": name, "id": msg_id, "body": json.loads(body)}
        if any(r["id"] == msg_id for r in self.received):
            return JSONResponse({"ok": True, "duplicate": True})
        self.received.append(item)
        if self._on_receive is not None:
            self._on_receive(item)
        return JSONResponse({"ok": True})


def new_secret() -> str:
    """A Standard Webhooks secret (`whsec_` + base64 of 24 random bytes)."""
    import secrets

    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
