"""The app factory every function uses: error shape, request context, auth, lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from ops_agent import __version__
from ops_agent.http.context import RequestContextMiddleware
from ops_agent.http.docs import install_docs
from ops_agent.http.errors import install_error_handlers
from ops_agent.jsonlog import configure_logging
from ops_agent.runtime import Runtime
from ops_agent.settings import get_settings

_process_runtime: Runtime | None = None


def process_runtime() -> Runtime:
    """The runtime shared by every app in this process (one per serverless instance)."""
    global _process_runtime
    if _process_runtime is None:
        settings = get_settings()
        configure_logging(settings)
        _process_runtime = Runtime(settings)
    return _process_runtime


def create_app(
    title: str,
    routers: Iterable[APIRouter],
    *,
    runtime: Runtime | None = None,
    docs: bool = False,
    warm: bool = False,
    close_runtime: bool = True,
) -> FastAPI:
    """A FastAPI app serving `routers` with Ops Agent's middleware and error handling.

    `docs` serves the OpenAPI document at /api/openapi.json and Swagger UI at /api/docs.
    `warm` opens the store and KV at startup instead of on first use.
    `close_runtime=False` leaves the runtime open at shutdown, for a caller that owns it.
    """
    rt = runtime or process_runtime()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm:
            await rt.store()
            await rt.kv()
        try:
            yield
        finally:
            if close_runtime:
                await rt.close()

    app = FastAPI(
        title=title,
        version=__version__,
        lifespan=lifespan,
        openapi_url="/api/openapi.json" if docs else None,
        docs_url=None,  # served by install_docs, from local assets
        redoc_url=None,
    )
    app.state.runtime = rt
    if docs:
        install_docs(app)
    install_error_handlers(app)
    for router in routers:
        app.include_router(router)
    app.add_middleware(RequestContextMiddleware, runtime=rt)
    return app
