"""Who is calling: API keys with roles (viewer < operator < admin), and the cron secret."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from fastapi import Depends, Request

from ops_agent.apikeys import hash_key, looks_like_key
from ops_agent.http.deps import RuntimeDep
from ops_agent.http.errors import ApiError
from ops_agent.http.ratelimit import take, take_for_address
from ops_agent.store import Role
from ops_agent.store.audit import current_scope

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ops-agent"'}


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    name: str
    role: Role
    key_id: UUID | None = None


CRON = Principal(name="cron", role=Role.OPERATOR)


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if there is one."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def authenticate(request: Request, runtime: RuntimeDep, *, allow_cron: bool) -> Principal:
    """The caller behind the request's bearer token; ApiError 401 when there is none."""
    token = bearer_token(request)
    if token is None:
        await take_for_address(request, runtime)
        raise ApiError(
            401, "unauthorized", "missing Authorization: Bearer <key> header", headers=_CHALLENGE
        )
    cron_secret = runtime.settings.cron_secret
    if (
        allow_cron
        and cron_secret is not None
        and hmac.compare_digest(token.encode(), cron_secret.get_secret_value().encode())
    ):
        principal = CRON
    else:
        key = None
        if looks_like_key(token):
            store = await runtime.store()
            key = await store.authenticate_api_key(hash_key(token))
        if key is None:
            await take_for_address(request, runtime)
            raise ApiError(401, "unauthorized", "invalid or revoked API key", headers=_CHALLENGE)
        principal = Principal(name=key.name, role=key.role, key_id=key.id)
        await take(runtime, key.role.value, str(key.id))
    request.state.principal = principal
    if (scope := current_scope()) is not None:
        scope.actor, scope.key_id = principal.name, principal.key_id
    return principal


def require(role: Role, *, allow_cron: bool = False) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting callers whose role is at least `role` (403 otherwise)."""

    async def dependency(request: Request, runtime: RuntimeDep) -> Principal:
        principal = await authenticate(request, runtime, allow_cron=allow_cron)
        if not principal.role.allows(role):
            raise ApiError(
                403,
                "forbidden",
                f"this needs the {role.value} role",
                {"required": role.value, "granted": principal.role.value},
            )
        return principal

    return dependency


def role_dependency(role: Role, *, allow_cron: bool = False) -> object:
    """`Depends(require(role))`, for route decorators' `dependencies=[...]`."""
    return Depends(require(role, allow_cron=allow_cron))
