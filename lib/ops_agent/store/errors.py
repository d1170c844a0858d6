"""Errors every store transport raises, whatever the wire underneath."""

from __future__ import annotations


class StoreError(Exception):
    """A SQL function failed. `code` is the SQLSTATE (or PostgREST code) the database gave."""

    def __init__(self, message: str, *, code: str | None = None, details: str | None = None):
        super().__init__(message)
        self.code = code
        self.details = details


class StoreConflict(StoreError):
    """A unique constraint refused the write (SQLSTATE 23505)."""


class StoreUnavailable(StoreError):
    """The database could not be reached in time."""


UNIQUE_VIOLATION = "23505"


def error_for(code: str | None, message: str, details: str | None = None) -> StoreError:
    """The `StoreError` subclass that matches a SQLSTATE."""
    cls = StoreConflict if code == UNIQUE_VIOLATION else StoreError
    return cls(message, code=code, details=details)
