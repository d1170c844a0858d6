"""The one interface to Postgres. Transports differ only in how they reach a SQL function."""

from __future__ import annotations

import abc
import re
from datetime import datetime
from typing import Any

from ops_agent.store.records import ApiKey, AuditEntry, Role

_FUNCTION_NAME = re.compile(r"^ops_[a-z0-9_]+$")


def check_function_name(name: str) -> str:
    """Return `name` when it is a valid ops_* SQL function name; raise ValueError otherwise."""
    if not _FUNCTION_NAME.match(name):
        raise ValueError(f"not an ops_* SQL function name: {name!r}")
    return name


class Store(abc.ABC):
    """Typed operations over the SQL functions in supabase/migrations.

    Every method is one SQL function call and so one transaction. Subclasses provide `rpc`.
    """

    backend: str = "abstract"

    @abc.abstractmethod
    async def rpc(self, function: str, args: dict[str, Any] | None = None) -> Any:
        """Call SQL function `function` with named arguments and return its JSON result."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release connections; the store is unusable afterwards."""

    async def ping(self) -> None:
        """Raise unless the database answers and the schema is in place."""
        await self.rpc("ops_ping")

    # --- audit ---

    async def append_audit(self, *entries: AuditEntry) -> int:
        """Store audit entries in one round trip; return how many were stored."""
        rows = [e.model_dump(mode="json", exclude={"id"}, exclude_none=True) for e in entries]
        result = await self.rpc("ops_audit_append", {"p_entries": rows})
        return int(result["inserted"])

    async def list_audit(
        self,
        *,
        limit: int = 100,
        before_id: int | None = None,
        actor: str | None = None,
        action_prefix: str | None = None,
    ) -> list[AuditEntry]:
        """Audit entries newest first; pass the last id as `before_id` for the next page."""
        rows = await self.rpc(
            "ops_audit_list",
            {
                "p_limit": limit,
                "p_before_id": before_id,
                "p_actor": actor,
                "p_action_prefix": action_prefix,
            },
        )
        return [AuditEntry.model_validate(r) for r in rows]

    async def purge_audit(self, older_than: datetime, *, batch: int = 5000) -> int:
        """Delete at most `batch` audit entries older than `older_than`; return how many."""
        result = await self.rpc("ops_audit_purge", {"p_older_than": older_than, "p_batch": batch})
        return int(result["deleted"])

    # --- API keys ---

    async def create_api_key(
        self, *, name: str, role: Role, prefix: str, key_hash: str, created_by: str
    ) -> ApiKey:
        """Store a new key's hash. Raises StoreConflict when an active key has that name."""
        row = await self.rpc(
            "ops_api_key_create",
            {
                "p_name": name,
                "p_role": role.value,
                "p_prefix": prefix,
                "p_key_hash": key_hash,
                "p_created_by": created_by,
            },
        )
        return ApiKey.model_validate(row)

    async def authenticate_api_key(self, key_hash: str) -> ApiKey | None:
        """The active key with this hash, or None."""
        row = await self.rpc("ops_api_key_authenticate", {"p_key_hash": key_hash})
        return ApiKey.model_validate(row) if row else None

    async def list_api_keys(self, *, include_revoked: bool = False) -> list[ApiKey]:
        rows = await self.rpc("ops_api_key_list", {"p_include_revoked": include_revoked})
        return [ApiKey.model_validate(r) for r in rows]

    async def revoke_api_key(self, key: str) -> ApiKey | None:
        """Revoke the active key with this id, name or prefix; None when none matched."""
        row = await self.rpc("ops_api_key_revoke", {"p_key": key})
        return ApiKey.model_validate(row) if row else None
