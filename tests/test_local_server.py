"""`ops-agent serve` serves every api/ function under Vercel's paths, with docs and crons."""

from __future__ import annotations

import importlib.util
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from ops_agent.http.crons import Cron, load_crons
from ops_agent.http.local import function_files

ROOT = Path(__file__).resolve().parents[1]


def function_app(api_file: Path) -> FastAPI:
    """The `app` of one function file, loaded the way Vercel loads it."""
    spec = importlib.util.spec_from_file_location(f"fn_{api_file.stem}", api_file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app: FastAPI = module.app
    return app


def served_paths(api_file: Path) -> set[str]:
    return set(function_app(api_file).openapi()["paths"])


def vercel_path(api_file: Path) -> str:
    """Where Vercel serves a function file (api/cron/tick.py → /api/cron/tick)."""
    return "/" + str(api_file.relative_to(ROOT).with_suffix(""))


def test_every_function_serves_only_under_its_vercel_path() -> None:
    for api_file in function_files(ROOT / "api"):
        base = vercel_path(api_file)
        paths = served_paths(api_file)
        assert paths, api_file
        rewritten = {
            r["source"]
            for r in json.loads((ROOT / "vercel.json").read_text()).get("rewrites", [])
            if r["destination"] == base
        }
        patterns = [re.compile(source.replace("(.*)", ".*")) for source in rewritten]
        assert all(
            p == base or p.startswith(base + "/") or any(r.fullmatch(p) for r in patterns)
            for p in paths
        ), (base, paths)


def test_subpaths_are_rewritten_to_their_function() -> None:
    """Routes below a function's path reach it on Vercel only through a rewrite."""
    config = json.loads((ROOT / "vercel.json").read_text())
    rewrites = {r["source"]: r["destination"] for r in config.get("rewrites", [])}
    for api_file in function_files(ROOT / "api"):
        base = vercel_path(api_file)
        if any(p.startswith(base + "/") for p in served_paths(api_file)):
            assert rewrites.get(f"{base}/(.*)") == base, f"vercel.json lacks a rewrite for {base}"


def test_crons_point_at_served_paths() -> None:
    crons = load_crons(ROOT / "vercel.json")
    paths = set().union(*(served_paths(f) for f in function_files(ROOT / "api")))
    assert crons and all(c.path in paths for c in crons)


def test_cron_schedule_math() -> None:
    every_minute = Cron("/api/cron/tick", "* * * * *")
    assert every_minute.next_after(datetime(2026, 1, 1, 0, 0, 30, tzinfo=UTC)) == datetime(
        2026, 1, 1, 0, 1, tzinfo=UTC
    )


def test_malformed_cron_is_refused(tmp_path: Path) -> None:
    (tmp_path / "vercel.json").write_text('{"crons": [{"path": "/x", "schedule": "often"}]}')
    with pytest.raises(ValueError, match=r"crons\[0\]\.schedule"):
        load_crons(tmp_path / "vercel.json")


async def test_combined_app_serves_openapi_and_functions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OPS_AGENT_DATA_DIR", str(tmp_path))
    import ops_agent.http.app as app_module
    from ops_agent.settings import get_settings

    get_settings.cache_clear()
    monkeypatch.setattr(app_module, "_process_runtime", None)
    from ops_agent.http.local import local_app

    app = local_app(ROOT, crons=False)
    # The embedded Postgres's first start (initdb) may take longer than the health probe's
    # 2 s budget on a loaded machine; this test is about routing, so start it first.
    await app.state.runtime.store()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://local"
    ) as c:
        spec = (await c.get("/api/openapi.json")).json()
        assert {"/api/health", "/api/admin/keys", "/api/cron/tick"} <= set(spec["paths"])
        docs = await c.get("/api/docs")
        assert docs.status_code == 200
        # Offline: Swagger UI's files come from this server, not a CDN.
        assert "cdn.jsdelivr" not in docs.text and "/api/docs/assets/" in docs.text
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
            assert (await c.get(f"/api/docs/assets/{asset}")).status_code == 200
        # Bearer auth, so "Try it out" works with a key; the error answers, with their shape.
        assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
        assert spec["security"] == [{"bearerAuth": []}]
        keys = spec["paths"]["/api/admin/keys"]["post"]["responses"]
        assert {"401", "403", "404", "409", "413", "503"} <= set(keys)
        ref = keys["403"]["content"]["application/json"]["schema"]["$ref"]
        assert ref == "#/components/schemas/Error"
        assert spec["components"]["schemas"]["Error"]["required"] == ["error"]
        assert (await c.get("/api/health")).status_code == 200
        assert (await c.post("/api/admin/keys", json={})).status_code == 401
    await app.state.runtime.close()
    get_settings.cache_clear()
