"""GET /api/health: is this deployment and each dependency it needs alive right now?"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ops_agent import __version__
from ops_agent.http.deps import RuntimeDep
from ops_agent.http.errors import error_response
from ops_agent.redact import redactor
from ops_agent.runtime import Runtime

router = APIRouter(tags=["health"])


async def probe(check: Callable[[], Awaitable[None]], timeout: float) -> dict[str, Any]:
    """Run one dependency check within `timeout`; report ok, latency and any error."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            await check()
    except TimeoutError:
        return {
            "ok": False,
            "latency_ms": round(timeout * 1000),
            "error": f"no answer in {timeout}s",
        }
    except Exception as exc:
        message = redactor.text(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return {"ok": False, "latency_ms": _ms_since(started), "error": message[:300]}
    return {"ok": True, "latency_ms": _ms_since(started)}


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


# A liveness probe, not a benchmark of Postgres: the dependencies' state is read at most once
# a second per instance, and requests arriving meanwhile share that reading.
PROBE_TTL = 1.0
_probes: weakref.WeakKeyDictionary[Runtime, tuple[float, asyncio.Task[tuple[Any, Any]]]] = (
    weakref.WeakKeyDictionary()
)


async def _dependencies(runtime: Runtime) -> tuple[dict[str, Any], dict[str, Any]]:
    timeout = runtime.settings.health_timeout_seconds

    async def store_ok() -> None:
        await (await runtime.store()).ping()

    async def kv_ok() -> None:
        await (await runtime.kv()).ping()

    store, kv = await asyncio.gather(probe(store_ok, timeout), probe(kv_ok, timeout))
    return store, kv


async def dependencies(runtime: Runtime) -> tuple[dict[str, Any], dict[str, Any]]:
    """The store's and KV's probe results, read afresh at most every PROBE_TTL seconds."""
    now = time.monotonic()
    cached = _probes.get(runtime)
    if cached is None or now - cached[0] > PROBE_TTL:
        cached = (now, asyncio.ensure_future(_dependencies(runtime)))
        _probes[runtime] = cached
    store, kv = await asyncio.shield(cached[1])
    return dict(store), dict(kv)


@router.get("/api/health", summary="Liveness of this deployment and its store and KV")
async def health(runtime: RuntimeDep) -> JSONResponse:
    store, kv = await dependencies(runtime)
    store["backend"] = runtime.settings.store_backend.value
    kv["backend"] = runtime.settings.kv_backend.value
    checks = {"store": store, "kv": kv}
    failing = [name for name, result in checks.items() if not result["ok"]]
    if failing:
        return error_response(
            503,
            "unhealthy",
            f"unhealthy: {', '.join(failing)} unavailable",
            {"version": __version__, "failing": failing, "checks": checks},
            {"Cache-Control": "no-store", "Retry-After": "5"},
        )
    return JSONResponse(
        {"status": "ok", "version": __version__, "checks": checks},
        headers={"Cache-Control": "no-store"},
    )
