"""One JSON error shape for every 4xx and 5xx: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ops_agent.errors import OpsAgentError, Problem

log = logging.getLogger(__name__)


class ApiError(OpsAgentError):
    """An error only the HTTP layer knows about (a bad header, a missing key), with its status
    given where it is raised."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, code=code, details=details, headers=headers)
        self.status = status

    def problem(self) -> Problem:
        return Problem(self.status, self.api_code, self.message, self.details, self.headers)


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The JSON error shape as a response."""
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status, headers=headers)


def _code_for(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


async def _ops_agent_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OpsAgentError)
    problem = exc.problem()
    if isinstance(problem.details, dict) and problem.details.get("dependency") == "store":
        # The audit of this request goes to the log, not to the store that just failed.
        request.state.store_unavailable = True
    if problem.status >= 500:
        # The client gets the problem; the log gets what really happened.
        log.error(
            "request failed",
            extra={"path": request.url.path, "error": str(exc), "type": type(exc).__name__},
        )
    return error_response(
        problem.status, problem.code, problem.message, problem.details, problem.headers
    )


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    return error_response(
        exc.status_code, _code_for(exc.status_code), str(exc.detail), None, headers
    )


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError | ValidationError)
    # The offending input is left out: it may hold a secret the client mistyped.
    problems = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    if any(p["type"] == "json_invalid" for p in problems):
        return error_response(400, "invalid_json", "the request body is not valid JSON", problems)
    summary = "; ".join(
        f"{'.'.join(str(part) for part in p['loc'])}: {p['msg']}" for p in problems[:5]
    )
    return error_response(422, "invalid_request", summary or "invalid request", problems)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", extra={"path": request.url.path})
    response = error_response(500, "internal_error", "internal error", {"type": type(exc).__name__})
    # Whatever broke may have left the connection's state unknown: do not reuse it.
    response.headers["connection"] = "close"
    return response


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through the one JSON shape."""
    app.add_exception_handler(OpsAgentError, _ops_agent_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    # A model a tool builds from what the request gave it (a service, a silence).
    app.add_exception_handler(ValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
