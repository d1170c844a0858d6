"""`ops-agent serve`: every api/ function in one ASGI app, plus vercel.json's crons in-process."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi import FastAPI
from pydantic import SecretStr
from starlette.routing import BaseRoute

from ops_agent.http.app import create_app, process_runtime
from ops_agent.http.crons import TICK, Cron, load_crons
from ops_agent.runtime import Runtime

log = logging.getLogger(__name__)


def project_root() -> Path:
    """The folder holding api/ and vercel.json: the source tree, else the current directory."""
    source = Path(__file__).resolve().parents[3]
    return source if (source / "api").is_dir() else Path.cwd()


def function_files(api_dir: Path) -> list[Path]:
    """Files Vercel turns into functions: every .py under api/ not starting with '_'."""
    return sorted(p for p in api_dir.rglob("*.py") if not p.name.startswith("_"))


def function_routes(api_dir: Path) -> list[BaseRoute]:
    """The routes of every function's `app`, loaded the way Vercel loads them: by file."""
    routes: list[BaseRoute] = []
    for path in function_files(api_dir):
        name = "ops_agent_fn_" + "_".join(path.relative_to(api_dir).with_suffix("").parts)
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        app = getattr(module, "app", None)
        if not isinstance(app, FastAPI):
            raise RuntimeError(f"{path} does not define a FastAPI `app`")
        routes.extend(app.router.routes)
    return routes


def every_minute_tick(crons: list[Cron]) -> list[Cron]:
    """vercel.json's crons, with the tick every minute: locally the server stands in for the
    minute scheduler (a Pro cron, QStash or an outside one) whatever vercel.json says, since
    its default ticks only daily so that it deploys on Hobby."""
    return [c for c in crons if c.path != TICK] + [Cron(TICK, "* * * * *")]


async def run_crons(app: FastAPI, crons: list[Cron], secret: str) -> None:
    """Call each cron's path on its schedule, as Vercel Cron would, until cancelled."""
    headers = {"Authorization": f"Bearer {secret}", "User-Agent": "vercel-cron/1.0"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://local") as client:
        due = {cron: cron.next_after(datetime.now(UTC)) for cron in crons}
        while due:
            cron, when = min(due.items(), key=lambda item: item[1])
            await asyncio.sleep(max(0.0, (when - datetime.now(UTC)).total_seconds()))
            try:
                response = await client.get(
                    cron.path, headers={**headers, "x-vercel-cron-schedule": cron.schedule}
                )
                log.info("cron ran", extra={"cron": cron.path, "status": response.status_code})
            except Exception:
                log.exception("cron failed", extra={"cron": cron.path})
            due[cron] = cron.next_after(datetime.now(UTC))


def local_app(
    root: Path | None = None, *, crons: bool = True, runtime: Runtime | None = None
) -> FastAPI:
    """One app serving every function under the paths Vercel uses, with docs and crons.

    With `runtime`, every route uses it (the sandbox passes one with scenario time) and the
    caller keeps ownership: it is not closed at shutdown."""
    root = root or project_root()
    owned = runtime is None
    runtime = runtime or process_runtime()
    if runtime.settings.cron_secret is None:
        # Crons need a secret to authenticate; locally an ephemeral one is enough.
        runtime.settings.cron_secret = SecretStr(secrets.token_urlsafe(24))
    secret = runtime.settings.cron_secret.get_secret_value()
    schedule = every_minute_tick(load_crons(root / "vercel.json")) if crons else []
    app = create_app("Ops Agent", [], runtime=runtime, docs=True, warm=True, close_runtime=owned)
    app.router.routes.extend(function_routes(root / "api"))
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[None]:
        async with inner(a):
            task = asyncio.create_task(run_crons(a, schedule, secret)) if schedule else None
            try:
                yield
            finally:
                if task is not None:
                    task.cancel()

    app.router.lifespan_context = lifespan
    return app
