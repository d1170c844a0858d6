"""Errors every store transport raises, whatever the wire underneath."""

from __future__ import annotations

from ops_agent.errors import (
    Conflict,
    InvalidInput,
    OpsAgentError,
    Problem,
    Unavailable,
    Unprocessable,
)


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


class StoreRefusedValue(StoreError):
    """Postgres refused a value the request carried (SQLSTATE class 22, "data exception"):
    text that is not a UUID, a number past its column, a time out of range or with an offset
    Postgres does not take, an invalid regular expression. The request's fault: 400."""

    def problem(self) -> Problem:
        why = _REFUSED.get(self.code or "", "a value is not valid for its type")
        return InvalidInput(why, code="invalid_value", details={"sqlstate": self.code}).problem()


class StoreTooComplex(StoreError):
    """The query is past what Postgres will evaluate (SQLSTATE class 54, "program limit
    exceeded": too complex, stack depth, too many arguments). The request's fault: 422."""

    def problem(self) -> Problem:
        return Unprocessable(
            "the query is too complex for the store; simplify it",
            code="too_complex",
            details={"sqlstate": self.code},
        ).problem()


UNIQUE_VIOLATION = "23505"
QUERY_CANCELED = "57014"  # statement_timeout
# What each data exception means for the client; the database's own message may quote input
# (a mistyped secret, say), so it is never passed on.
_REFUSED = {
    "22P02": "a value is not valid for its type (an id that is not a UUID, say)",
    "22003": "a number is out of range",
    "22007": "a time is not in a form the store reads",
    "22008": "a time is out of range",
    "22009": "a time zone offset is out of range",
    "22021": "text holds a character the store cannot hold",
    "22P05": "text holds a character the store cannot hold",
    "2201B": "a regular expression is not valid",
    "22001": "a text is longer than its field allows",
    "22023": "a parameter is not valid",
}


def error_for(code: str | None, message: str, details: str | None = None) -> StoreError:
    """The `StoreError` subclass that matches a SQLSTATE."""
    cls: type[StoreError] = StoreError
    if code == UNIQUE_VIOLATION:
        cls = StoreConflict
    elif code == QUERY_CANCELED:
        cls = StoreUnavailable
    elif code and code.startswith("22"):
        cls = StoreRefusedValue
    elif code and code.startswith("54"):
        cls = StoreTooComplex
    return cls(message, code=code, details=details)
