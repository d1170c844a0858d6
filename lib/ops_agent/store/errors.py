"""Errors every store transport raises, whatever the wire underneath."""

from __future__ import annotations

from ops_agent.errors import Conflict, OpsAgentError, Problem, Unavailable


class StoreError(OpsAgentError):
    """A SQL function failed. `code` is the SQLSTATE (or PostgREST code) the database gave,
    `db_details` what else it said; neither reaches an API client."""

    def __init__(
        self, message: str, *, code: str | None = None, details: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.db_details = details

    def problem(self) -> Problem:
        return Problem(500, "internal_error", "internal error", {"type": type(self).__name__})


class StoreConflict(StoreError):
    """A unique constraint refused the write (SQLSTATE 23505)."""

    def problem(self) -> Problem:
        return Conflict("that already exists").problem()


class StoreUnavailable(StoreError):
    """The database could not be reached in time."""

    def problem(self) -> Problem:
        return Unavailable(
            "the store is unavailable; try again shortly", dependency="store"
        ).problem()


UNIQUE_VIOLATION = "23505"


def error_for(code: str | None, message: str, details: str | None = None) -> StoreError:
    """The `StoreError` subclass that matches a SQLSTATE."""
    cls = StoreConflict if code == UNIQUE_VIOLATION else StoreError
    return cls(message, code=code, details=details)
