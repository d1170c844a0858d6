"""The rows the store hands back, as typed records."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    """API key roles; each includes the ones below it."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]

    def allows(self, required: Role) -> bool:
        """True when this role may do what `required` may."""
        return self.rank >= required.rank


_ROLE_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)


class IndexableRecord(BaseModel):
    """A typed row that still reads like the dict it was parsed from: `row["id"]`,
    `row.get("x")`, `"x" in row`, `{**row}`, so code (and users) that index rows keep working
    while new code uses attributes. Columns the model does not name are kept as extras."""

    model_config = ConfigDict(extra="allow")

    def __getitem__(self, key: str) -> Any:
        if key in type(self).model_fields or key in (self.__pydantic_extra__ or {}):
            return getattr(self, key)
        raise KeyError(key)

    def __setitem__(self, key: str, value: Any) -> None:
        setattr(self, key, value)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self.keys()

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self) -> list[str]:
        return [*type(self).model_fields, *(self.__pydantic_extra__ or {})]

    def public(self) -> dict[str, Any]:
        """As JSON would carry it."""
        return self.model_dump(mode="json")


class ApiKey(Record):
    id: UUID
    name: str
    role: Role
    prefix: str
    created_at: datetime | None = None
    created_by: str | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class AuditEntry(Record):
    """One audited action: who did what to which target, when, and how it ended."""

    actor: str
    action: str
    outcome: str
    target: str | None = None
    actor_key_id: UUID | None = None
    status_code: int | None = None
    request_id: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    at: datetime | None = None
    id: int | None = None
