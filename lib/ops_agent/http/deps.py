"""FastAPI dependencies shared by every function's app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ops_agent.kv import KV
from ops_agent.runtime import Runtime
from ops_agent.store import Store


def get_runtime(request: Request) -> Runtime:
    """The runtime of the app serving this request."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_store(runtime: RuntimeDep) -> Store:
    return await runtime.store()


async def get_kv(runtime: RuntimeDep) -> KV:
    return await runtime.kv()


StoreDep = Annotated[Store, Depends(get_store)]
KVDep = Annotated[KV, Depends(get_kv)]


def audit(
    request: Request, *, target: str | None = None, action: str | None = None, **details: object
) -> None:
    """Enrich this request's audit row with what it acted on."""
    entry = request.state.audit if getattr(request.state, "audit", None) else {}
    if target is not None:
        entry["target"] = target
    if action is not None:
        entry["action"] = action
    entry.setdefault("details", {}).update(details)
    request.state.audit = entry
