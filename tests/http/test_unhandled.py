"""An unhandled error: a 500 with the JSON error shape, `Connection: close`, and the mutating
request audited with outcome `error`."""

from __future__ import annotations

import httpx
from fastapi import APIRouter

from ops_agent.http.app import create_app
from ops_agent.runtime import Runtime

broken = APIRouter()


@broken.post("/api/admin/broken")
async def explode() -> None:
    raise RuntimeError("a bug")


async def test_an_unhandled_error_is_a_closed_audited_500(runtime: Runtime) -> None:
    app = create_app("t", [broken], runtime=runtime)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        r = await client.post("/api/admin/broken", json={})
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
    assert r.headers["connection"] == "close" and "a bug" not in r.text
    rows = [e for e in await (await runtime.store()).list_audit() if "broken" in str(e.action)]
    assert [(e.outcome, e.status_code) for e in rows] == [("error", 500)]
