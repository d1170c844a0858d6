"""Typed failures of the Vercel REST API, carrying Vercel's own error code and message."""

from __future__ import annotations

from ops_agent.errors import OpsAgentError, Problem


class VercelError(OpsAgentError):
    """Vercel answered with an error, or could not be reached.

    `status` is the HTTP status (0 when no answer came), `code` and `message` are taken from
    Vercel's `{"error": {"code", "message"}}` body when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        code: str = "vercel_error",
        method: str = "",
        path: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.method = method
        self.path = path

    def __str__(self) -> str:
        where = f" ({self.method} {self.path})" if self.method else ""
        status = f"HTTP {self.status} " if self.status else ""
        return f"{status}{self.code}: {self.message}{where}"

    @property
    def retryable(self) -> bool:
        """Whether trying again later could succeed."""
        return self.status == 0 or self.status == 429 or self.status >= 500

    def problem(self) -> Problem:
        """Vercel refused (422) or failed us (502), with Vercel's own code in `details`."""
        details: dict[str, object] = {"vercel_code": self.code, "vercel_status": self.status}
        if 400 <= self.status < 500:
            return Problem(422, "vercel_rejected", f"Vercel: {self.message}", details)
        return Problem(502, "vercel_unavailable", f"Vercel: {self.message}", details)


class EnvWriteFailed(VercelError):
    """`POST /v10/projects/{id}/env` answered 201 but created nothing, or reported `failed[]`:
    a refusal, whatever the status said."""

    def problem(self) -> Problem:
        details: dict[str, object] = {"vercel_code": self.code}
        return Problem(422, "vercel_rejected", f"Vercel: {self.message}", details)


class VercelUnauthorized(VercelError):
    """The token is missing, wrong, expired, or lacks access to this team (401, 403)."""

    def problem(self) -> Problem:
        return Problem(
            502,
            "vercel_unauthorized",
            f"Vercel refused the agent's token: {self.message} (check VERCEL_TOKEN and the team)",
            {"vercel_code": self.code},
        )


class VercelNotFound(VercelError):
    """No such deployment, project or resource in this scope (404)."""

    def problem(self) -> Problem:
        return Problem(404, "not_found", f"Vercel: {self.message}", {"vercel_code": self.code})


class VercelRateLimited(VercelError):
    """Vercel kept answering 429 after every retry."""

    def problem(self) -> Problem:
        return Problem(
            503,
            "vercel_rate_limited",
            f"Vercel: {self.message}",
            {"vercel_code": self.code},
            {"Retry-After": "60"},
        )


class VercelUnavailable(VercelError):
    """Vercel could not be reached, timed out, or kept answering 5xx after every retry."""


def error_class(status: int) -> type[VercelError]:
    """The exception type for an HTTP status."""
    if status in (401, 403):
        return VercelUnauthorized
    if status == 404:
        return VercelNotFound
    if status == 429:
        return VercelRateLimited
    if status >= 500 or status == 0:
        return VercelUnavailable
    return VercelError
