"""Who is acting, and the audit row each action leaves.

Every action the agent takes is audited once, by the tool that takes it: `record()` writes the
row, with the actor of the current scope. A scope is opened per HTTP request (by the request
middleware, then named by authentication), per CLI command, or not at all (the tick and the
Python API, where the actor is "agent" unless the call names one). The middleware writes a row
itself only for a request in which no tool wrote one (a refusal, a failure, or an endpoint whose
action is not a tool's), so no action is audited twice or spelled two ways.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ops_agent.store.base import Store
from ops_agent.store.records import AuditEntry

DEFAULT_ACTOR = "agent"


@dataclass
class AuditScope:
    """The actor of one request or command, and how many audit rows its actions wrote."""

    actor: str = DEFAULT_ACTOR
    key_id: UUID | None = None
    request_id: str | None = None
    written: int = 0


_scope: ContextVar[AuditScope | None] = ContextVar("ops_agent_audit_scope", default=None)


def current_scope() -> AuditScope | None:
    return _scope.get()


def current_actor(default: str = DEFAULT_ACTOR) -> str:
    """Who the current request or command acts for, or `default` outside one."""
    scope = _scope.get()
    return scope.actor if scope else default


@contextmanager
def acting_as(
    actor: str = DEFAULT_ACTOR, *, key_id: UUID | None = None, request_id: str | None = None
) -> Iterator[AuditScope]:
    """A scope in which actions are audited as `actor`."""
    scope = AuditScope(actor, key_id, request_id)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


async def record(
    store: Store,
    action: str,
    target: str | None,
    *,
    outcome: str = "ok",
    actor: str | None = None,
    **details: Any,
) -> None:
    """Write the audit row of one action, as `actor` or the current scope's actor."""
    scope = _scope.get()
    who = actor or (scope.actor if scope else DEFAULT_ACTOR)
    same_caller = scope is not None and who == scope.actor
    await store.append_audit(
        AuditEntry(
            actor=who,
            actor_key_id=scope.key_id if same_caller and scope else None,
            request_id=scope.request_id if scope else None,
            action=action,
            target=target,
            outcome=outcome,
            details=details,
        )
    )
    if scope is not None:
        scope.written += 1
