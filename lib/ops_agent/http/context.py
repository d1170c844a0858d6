"""Per-request plumbing as one ASGI middleware: request ids, body limits, access logs, audit.

Each request runs in an audit scope (`store.audit`): the tools it calls write their own audit
rows as its caller. For a mutating request in which no tool wrote one (a refusal, a failure, or
an action that is not a tool's), this middleware writes the row, before the last byte of the
response is sent, so an action the client saw succeed is never missing from the audit log.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ops_agent.http.errors import error_response
from ops_agent.jsonlog import request_id_var
from ops_agent.redact import redactor
from ops_agent.runtime import Runtime
from ops_agent.store import AuditEntry
from ops_agent.store.audit import acting_as

log = logging.getLogger("ops_agent.http")
access_log = logging.getLogger("ops_agent.access")

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def outcome_for(status: int) -> str:
    """How an audited request ended, from its status code."""
    if status in (401, 403):
        return "denied"
    if status >= 500:
        return "error"
    if status >= 400:
        return "rejected"
    return "ok"


def pick_request_id(headers: dict[str, str]) -> str:
    """The caller's request id when it is safe to echo, else Vercel's, else a new one."""
    for name in ("x-request-id", "x-vercel-id"):
        value = headers.get(name)
        if value and _SAFE_REQUEST_ID.match(value):
            return value
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Request id, body size limit, access log and audit for every HTTP request."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = pick_request_id(headers)
        token = request_id_var.set(request_id)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        limit = self.runtime.settings.max_body_bytes
        method: str = scope["method"]
        started = time.perf_counter()
        status = 500
        try:
            declared = headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                response = error_response(
                    413,
                    "payload_too_large",
                    f"request body exceeds {limit} bytes",
                    {"limit_bytes": limit},
                    {"x-request-id": request_id},
                )
                status = 413
                await response(scope, receive, send)
                return

            # Read the body here, once, so an oversized one is refused before any route sees it
            # (Vercel buffers bodies anyway, and caps them at 4.5 MB).
            body = bytearray()
            more = True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    return  # client went away
                body += message.get("body", b"")
                more = message.get("more_body", False)
                if len(body) > limit:
                    status = 413
                    await error_response(
                        413,
                        "payload_too_large",
                        f"request body exceeds {limit} bytes",
                        {"limit_bytes": limit},
                        {"x-request-id": request_id},
                    )(scope, receive, send)
                    return
            replayed = False

            async def replay_receive() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": bytes(body), "more_body": False}
                return await receive()

            async def send_with_context(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    message["headers"] = [
                        *message.get("headers", []),
                        (b"x-request-id", request_id.encode()),
                    ]
                elif (
                    message["type"] == "http.response.body"
                    and not message.get("more_body")
                    and (method in MUTATING_METHODS or state.get("audit"))
                    and not state["audit_scope"].written
                ):
                    await self._audit(scope, state, status)
                await send(message)

            with acting_as("anonymous", request_id=request_id) as audit_scope:
                state["audit_scope"] = audit_scope
                try:
                    await self.app(scope, replay_receive, send_with_context)
                except Exception:
                    # Unhandled: the error handler outside this middleware answers 500, so the
                    # request is audited here, as an error, before the exception goes on.
                    status = 500
                    if (method in MUTATING_METHODS or state.get("audit")) and not (
                        audit_scope.written
                    ):
                        await self._audit(scope, state, status)
                    raise
        finally:
            path = redactor.text(scope["path"])  # a key pasted into a URL stays out of logs
            access_log.info(
                "%s %s %s",
                method,
                path,
                status,
                extra={
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id_var.reset(token)

    async def _audit(self, scope: Scope, state: dict[str, Any], status: int) -> None:
        principal = state.get("principal")
        extra: dict[str, Any] = state.get("audit") or {}
        entry = AuditEntry(
            actor=getattr(principal, "name", None) or extra.get("actor") or "anonymous",
            actor_key_id=getattr(principal, "key_id", None),
            action=extra.get("action") or f"{scope['method']} {redactor.text(scope['path'])}",
            target=extra.get("target"),
            outcome=outcome_for(status),
            status_code=status,
            request_id=state.get("request_id"),
            details={
                "method": scope["method"],
                "path": redactor.text(scope["path"]),
                **(extra.get("details") or {}),
            },
        )
        if state.get("store_unavailable"):
            # Writing it would wait out the store's timeout a second time, and fail.
            log.warning(
                "audit kept in the log: the store is unavailable",
                extra={"audit": entry.model_dump(mode="json")},
            )
            return
        try:
            store = await self.runtime.store()
            await store.append_audit(entry)
        except Exception:
            # The response is already on its way; losing the row must at least be loud.
            log.exception("audit write failed", extra={"audit": entry.model_dump(mode="json")})
