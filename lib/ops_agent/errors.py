"""The one error model: every refusal and failure the agent reports is an `OpsAgentError`
that knows its HTTP status and its stable machine code. The HTTP layer maps them once
(`http/errors.py`); nothing decides by matching an error's message text.

Subclass the kind that says what went wrong (`NotFound`, `Conflict`...), and give `code` when
a client may want to tell it apart from others of its kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Problem:
    """An error as the API shows it: `{"error": {"code", "message", "details"}}` with a status
    and, sometimes, headers (`Retry-After`)."""

    status: int
    code: str
    message: str
    details: Any = None
    headers: dict[str, str] | None = None


class OpsAgentError(Exception):
    """Something the agent refuses or cannot do, with what a client should be told."""

    http_status: ClassVar[int] = 500
    error_code: ClassVar[str] = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.api_code = code or self.error_code
        self.details = details
        self.headers = headers

    def problem(self) -> Problem:
        """How the API reports this error."""
        return Problem(self.http_status, self.api_code, self.message, self.details, self.headers)


class InvalidInput(OpsAgentError):
    """The request is malformed: a bad cursor, time range, query or body (400)."""

    http_status = 400
    error_code = "invalid_request"


class Unprocessable(OpsAgentError):
    """The request is well formed but cannot be carried out as it stands (422)."""

    http_status = 422
    error_code = "invalid_request"


class NotConfigured(OpsAgentError):
    """This needs a credential or setting this installation does not have (503: the request
    is fine, the service cannot serve it until it is configured)."""

    http_status = 503
    error_code = "not_configured"


class NotFound(OpsAgentError):
    """No such thing (404)."""

    http_status = 404
    error_code = "not_found"


class Conflict(OpsAgentError):
    """The thing exists, or is in a state where this cannot be done (409)."""

    http_status = 409
    error_code = "conflict"


class PayloadTooLarge(OpsAgentError):
    """The body, or what it inflates to, is past the limit (413)."""

    http_status = 413
    error_code = "payload_too_large"


class Unavailable(OpsAgentError):
    """A dependency did not answer in time; trying again shortly may work (503)."""

    http_status = 503
    error_code = "dependency_unavailable"

    def __init__(self, message: str, *, dependency: str, **kwargs: Any) -> None:
        kwargs.setdefault("details", {"dependency": dependency})
        kwargs.setdefault("headers", {"Retry-After": "5"})
        super().__init__(message, **kwargs)
        self.dependency = dependency
