"""/api/admin: API keys and the audit log (admin role), and whoami (any key)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from ops_agent.apikeys import hash_key, issue_key, looks_like_key
from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import StoreDep, audit
from ops_agent.http.errors import ApiError
from ops_agent.store import ApiKey, AuditEntry, Role, StoreConflict

router = APIRouter(prefix="/api/admin", tags=["admin"])

Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]


class KeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")
    role: Role


class KeyCreated(BaseModel):
    key: str = Field(description="The new key. It is shown once and cannot be read again.")
    record: ApiKey


class WhoAmI(BaseModel):
    name: str
    role: Role
    key_id: UUID | None


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    next_before_id: int | None


@router.get("/whoami", summary="The caller's identity and role")
async def whoami(principal: Viewer) -> WhoAmI:
    return WhoAmI(name=principal.name, role=principal.role, key_id=principal.key_id)


@router.get("/keys", summary="List API keys (never the keys themselves)")
async def list_keys(_: Admin, store: StoreDep, include_revoked: bool = False) -> list[ApiKey]:
    return await store.list_api_keys(include_revoked=include_revoked)


@router.post("/keys", status_code=201, summary="Create an API key")
async def create_key(
    body: KeyCreate, request: Request, principal: Admin, store: StoreDep
) -> KeyCreated:
    audit(request, action="keys.create", target=body.name, role=body.role.value)
    try:
        key, record = await issue_key(
            store, name=body.name, role=body.role, created_by=principal.name
        )
    except StoreConflict:
        raise ApiError(
            409,
            "conflict",
            f"an active key named {body.name!r} already exists",
            {"name": body.name},
        ) from None
    return KeyCreated(key=key, record=record)


@router.delete("/keys/{key}", summary="Revoke an API key by id, name, prefix or the key itself")
async def revoke_key(key: str, request: Request, _: Admin, store: StoreDep) -> ApiKey:
    if looks_like_key(key):
        # The whole key was pasted: revoke the key it is, and keep only its prefix anywhere.
        shown = key[: len("oa_") + 8]
        audit(request, action="keys.revoke", target=shown)
        found = await store.authenticate_api_key(hash_key(key))
        revoked = await store.revoke_api_key(str(found.id)) if found else None
    else:
        shown = key
        audit(request, action="keys.revoke", target=key)
        revoked = await store.revoke_api_key(key)
    if revoked is None:
        raise ApiError(404, "not_found", f"no active key matches {shown!r}", {"key": shown})
    return revoked


@router.get("/audit", summary="The audit log, newest first")
async def audit_log(
    _: Admin,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before_id: Annotated[int | None, Query(ge=1)] = None,
    actor: str | None = None,
    action: Annotated[str | None, Query(description="action prefix, e.g. 'keys.'")] = None,
) -> AuditPage:
    entries = await store.list_audit(
        limit=limit, before_id=before_id, actor=actor, action_prefix=action
    )
    next_id = entries[-1].id if len(entries) == limit else None
    return AuditPage(entries=entries, next_before_id=next_id)
