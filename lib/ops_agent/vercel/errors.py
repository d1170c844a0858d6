"""Typed failures of the Vercel REST API, carrying Vercel's own error code and message."""

from __future__ import annotations


class VercelError(Exception):
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
        self.message = message
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


class VercelUnauthorized(VercelError):
    """The token is missing, wrong, expired, or lacks access to this team (401, 403)."""


class VercelNotFound(VercelError):
    """No such deployment, project or resource in this scope (404)."""


class VercelRateLimited(VercelError):
    """Vercel kept answering 429 after every retry."""


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
