"""The live dashboard: its data endpoint, and the page in a real headless Chromium."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ops_agent.deployments.records import DeploymentAction, DeploymentHistory
from ops_agent.http.functions import dashboard_app
from ops_agent.logs import LogAnalysisTool
from ops_agent.logs.entries import normalise
from ops_agent.monitoring import ServiceCheck
from ops_agent.monitoring.records import MonitorRecords
from ops_agent.runtime import Runtime
from ops_agent.store import Role
from ops_agent.store.postgres import PostgresStore
from tests.logs.payloads import entry, otlp_export
from tests.servers import serve_in_thread

# Non-transparent pixels of a canvas: a chart that drew nothing has none.
PAINTED_PIXELS = """(selector) => {
    const c = document.querySelector(selector);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
    return n;
}"""
CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)


async def seed(runtime: Runtime) -> None:
    store = await runtime.store()
    now = datetime.now(UTC)
    rows = []
    for i in range(600):  # an hour of traffic, with errors in the last ten minutes
        at = now - timedelta(seconds=6 * (600 - i))
        e = entry(i, at=at, status=500 if i > 500 and i % 3 == 0 else 200)
        rows.append(e)
    tool = LogAnalysisTool(store)
    await tool.ingest([normalise(r) for r in rows])
    # Latency comes from the trace drain (log lines carry none).
    latency = {r["requestId"]: 30.0 + (i % 50) for i, r in enumerate(rows)}
    await tool.ingest_traces(otlp_export(rows, latency), "application/json")
    # A rollback pinned production: the dashboard says new builds stay staged.
    await DeploymentHistory(store).record_action(
        DeploymentAction(
            action="rollback",
            project_id="prj_shop",
            from_deployment="dpl_bad",
            to_deployment="dpl_live",
            actor="agent",
            outcome="ok",
        )
    )
    await MonitorRecords(store).upsert_service(
        ServiceCheck(name="api", url="https://shop.example.com/health", failure_threshold=1), "test"
    )
    await MonitorRecords(store).record(
        [
            {
                "service": "api",
                "at": now.isoformat(),
                "ok": False,
                "error": "HTTP 503",
                "failure_threshold": 1,
                "success_threshold": 1,
            },
        ]
    )
    await store.rpc(
        "ops_deployment_record",
        {
            "p_event": {
                "id": "dpl_live",
                "project_name": "shop",
                "target": "production",
                "state": "READY",
                "at": now.isoformat(),
                "source": "test",
            }
        },
    )


@pytest.fixture
async def dashboard(runtime: Runtime, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    rt = Runtime(
        runtime.settings.model_copy(update={"monitor_config": tmp_path / "none.yaml"}),
        store=await runtime.store(),
        kv=await runtime.kv(),
    )
    app = dashboard_app(runtime=rt)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c
    await rt.close()


async def test_page_static_and_data(dashboard: httpx.AsyncClient, runtime: Runtime, keys) -> None:
    await seed(runtime)
    for path in ("/", "/dashboard", "/api/dashboard"):
        r = await dashboard.get(path)
        assert r.status_code == 200 and "<canvas" not in r.text and "uplot.iife.min.js" in r.text
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert (await dashboard.get("/api/dashboard/static/uplot.iife.min.js")).status_code == 200
    assert (await dashboard.get("/api/dashboard/static/../../settings.py")).status_code == 404
    assert (await dashboard.get("/api/dashboard/data")).status_code == 401
    r = await dashboard.get(
        "/api/dashboard/data", headers={"authorization": f"Bearer {keys[Role.VIEWER]}"}
    )
    assert r.status_code == 200
    data = r.json()
    assert len(data["charts"]["requests"]) == 60 and any(v for _, v in data["charts"]["requests"])
    assert any(v for _, v in data["charts"]["errors"])
    assert [(s["service"], s["status"]) for s in data["services"]] == [("api", "down")]
    assert (
        data["alerts"][0]["severity"] == "critical" and "api is down" in data["alerts"][0]["title"]
    )
    assert data["deployments"][0]["id"] == "dpl_live"
    assert any(v for _, v in data["charts"]["p95"])  # from the trace drain's spans
    assert any("pinned to dpl_live" in a["title"] for a in data["alerts"])


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium here: scripts/install_browser.sh installs Debian's (needs root, apt-get)",
)
async def test_dashboard_in_a_real_browser(
    runtime: Runtime, keys, pg_url: str, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    await seed(runtime)
    served = Runtime(
        runtime.settings.model_copy(update={"monitor_config": tmp_path / "none.yaml"}),
        store=PostgresStore(pg_url),
    )
    with serve_in_thread(dashboard_app(runtime=served)) as url:
        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            try:
                page = await browser.new_page(viewport={"width": 1400, "height": 1000})
                await page.goto(url + "/")
                await page.fill("#key", keys[Role.VIEWER])
                await page.click("#login-form button")
                await page.wait_for_selector("body[data-loaded]", timeout=15000)
                for chart in ("chart-requests", "chart-errors", "chart-latency"):
                    assert await page.locator(f"#{chart} canvas").count() == 1
                    points = int(await page.get_attribute(f"#{chart}", "data-points") or 0)
                    assert points > 10, chart
                painted = await page.evaluate(PAINTED_PIXELS, "#chart-requests canvas")
                assert painted > 500
                assert "down" in await page.inner_text("#services")
                # it refreshes itself without a reload
                await page.wait_for_selector("body[data-loaded='2']", timeout=15000)
                # the key lives in the tab's session storage, not in a cookie or local storage
                assert (
                    await page.evaluate("sessionStorage.getItem('ops-agent-key')")
                    == keys[Role.VIEWER]
                )
                assert await page.evaluate("localStorage.length") == 0
                await page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
            finally:
                await browser.close()
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000
