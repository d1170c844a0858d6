"""The live dashboard: its data endpoint, and the page in a real headless Chromium."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from ops_agent.deployments.events import fact_from_deployment
from ops_agent.deployments.records import DeploymentAction, DeploymentHistory, DeploymentRecord
from ops_agent.http.functions import dashboard_app
from ops_agent.http.routes import dashboard as dashboard_routes
from ops_agent.logs import LogAnalysisTool
from ops_agent.logs.entries import normalise
from ops_agent.monitoring import ServiceCheck
from ops_agent.monitoring.records import MonitorRecords
from ops_agent.observations import Observation, ObservationLog
from ops_agent.runtime import Runtime
from ops_agent.sandbox.standalone import standalone
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
                "certificate_expires_at": (now + timedelta(days=9)).isoformat(),
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


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("error_rate[5m] > 5%", [("errors", 5.0)]),
        ("p95(latency_ms)[5m] > 800", [("latency", 800.0)]),
        ("rate(requests[5m]) < 0.5", [("requests", 0.5)]),
        ("error_rate > 5% and requests > 10", []),  # two metrics: no single line
        ("anomaly(p95(latency_ms)) > 0.9", []),
        ("error_rate >", []),  # unreadable: nothing, not an error
    ],
)
def test_a_rules_threshold_is_a_line_on_its_chart(
    condition: str, expected: list[tuple[str, float]]
) -> None:
    lines = dashboard_routes.thresholds("r", condition)
    assert [(line["chart"], line["value"]) for line in lines] == expected


def test_the_deployment_serving_production_offers_a_rollback_and_the_others_a_promotion() -> None:
    now = datetime.now(UTC)

    def record(id: str, hours_ago: float, **kw: object) -> DeploymentRecord:
        at = now - timedelta(hours=hours_ago)
        fields = {"project_id": "prj_shop", "target": "production", "state": "READY"}
        fields |= {"created_at": at, "ready_at": at, **kw}
        return DeploymentRecord.model_validate({"id": id, **fields})

    newest_build = [record("a", 3), record("b", 2), record("c", 1, state="BUILDING")]
    assert dashboard_routes.production_moves(newest_build) == {"a": "promote", "b": "rollback"}
    # rolled back to a: its promotion outranks b's newer build; a preview is promotable
    rolled_back = [
        record("a", 3, promoted_at=now),
        record("b", 2),
        record("p", 1, target="preview"),
        record("other", 5, project_id="prj_blog"),
    ]
    assert dashboard_routes.production_moves(rolled_back) == {
        "a": "rollback",
        "b": "promote",
        "p": "promote",
        "other": "rollback",
    }


def test_a_rollback_the_agent_ran_is_one_row() -> None:
    now = datetime.now(UTC)
    assert dashboard_routes.recorded_rollback("rollback", now, [now + timedelta(seconds=3)])
    assert not dashboard_routes.recorded_rollback("rollback", None, [now])  # still waiting
    assert not dashboard_routes.recorded_rollback("rollback", now, [now - timedelta(hours=1)])
    assert not dashboard_routes.recorded_rollback("redeploy", now, [now])


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
    [api] = data["services"]
    assert api["certificate_expires_at"] and api["last_error"] == "HTTP 503"
    assert len(api["bars"]["24h"]) == 48 and api["bars"]["24h"][-1] == 0.0  # the failed check
    assert len(api["bars"]["7d"]) == 28 and api["bars"]["7d"][0] is None
    assert (
        data["alerts"][0]["severity"] == "critical" and "api is down" in data["alerts"][0]["title"]
    )
    assert data["deployments"][0]["id"] == "dpl_live"
    assert any(v for _, v in data["charts"]["p95"])  # from the trace drain's spans
    assert any("pinned to dpl_live" in a["title"] for a in data["alerts"])
    kinds = {m["kind"]: m for m in data["markers"]}
    assert {"deploy", "rollback"} <= set(kinds), data["markers"]
    assert "dpl_live" in kinds["deploy"]["label"] and data["role"] == "viewer"
    week = await dashboard.get(
        "/api/dashboard/data?range=7d", headers={"authorization": f"Bearer {keys[Role.VIEWER]}"}
    )
    assert week.status_code == 200 and len(week.json()["charts"]["requests"]) >= 160
    refused = await dashboard.get(
        "/api/dashboard/data?range=1y", headers={"authorization": f"Bearer {keys[Role.VIEWER]}"}
    )
    assert refused.status_code == 422
    # one project's charts: shop's traffic is all there is, another project has none
    viewer_auth = {"authorization": f"Bearer {keys[Role.VIEWER]}"}
    shop = (await dashboard.get("/api/dashboard/data?project=shop", headers=viewer_auth)).json()
    other = (await dashboard.get("/api/dashboard/data?project=blog", headers=viewer_auth)).json()
    assert any(v for _, v in shop["charts"]["requests"]) and "shop" in shop["projects"]
    assert not any(v for _, v in other["charts"]["requests"])
    injected = await dashboard.get('/api/dashboard/data?project=shop"}or{x="', headers=viewer_auth)
    assert injected.status_code == 422
    viewer = {"authorization": f"Bearer {keys[Role.VIEWER]}"}
    missing = await dashboard.get(
        "/api/dashboard/incidents/00000000-0000-0000-0000-000000000000", headers=viewer
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert (await dashboard.get("/api/dashboard/incidents/nope", headers=viewer)).status_code == 422


NO_CHROMIUM = "no Chromium here: scripts/install_browser.sh installs Debian's (needs root, apt-get)"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Elements whose right edge passes the viewport (a table that does not fit must scroll
# inside its panel, not widen the page).
OVERFLOWING = """() => {
    const w = document.documentElement.clientWidth;
    const out = [];
    for (const e of document.querySelectorAll('#app main > section, #app header, .scroll')) {
        const r = e.getBoundingClientRect();
        if (r.right > w + 1) out.push(e.id || e.tagName + ' ' + Math.round(r.right));
    }
    const page = document.documentElement.scrollWidth;
    if (page > w + 1) out.push('page ' + page);
    return out;
}"""


async def seed_console(runtime: Runtime) -> dict[str, str]:
    """A firing alert (5xx over 5% on shop's traffic) and a remediation waiting for a
    person; their ids."""
    # The release that broke it: live two minutes before the errors began.
    await (await runtime.store()).rpc(
        "ops_deployment_record",
        {
            "p_event": {
                "id": "dpl_bad",
                "project_name": "shop",
                "target": "production",
                "state": "READY",
                "at": (datetime.now(UTC) - timedelta(minutes=12)).isoformat(),
                "commit_sha": "3f2a9c1d0e",
                "commit_message": "cart: new pricing",
                "creator": "ana",
                "inspector_url": "https://vercel.com/acme/shop/3f2a9c1d",
                "source": "test",
            }
        },
    )
    tool = await runtime.alerts()
    rule = tool.parse_rule(
        {
            "name": "shop-5xx",
            "condition": "error_rate[5m] > 5%",
            "severity": "high",
            "labels": {"project": "shop"},
        }
    )
    await tool.save_rule(rule, actor="test")
    await tool.evaluate()
    [alert] = await tool.get_active_alerts()
    action = await (await runtime.store()).rpc(
        "ops_remediation_plan",
        {
            "p_action": {
                "alert_id": alert.id,
                "incident_id": None,
                "playbook": "webhook",
                "target": "shop",
                "status": "pending_approval",
                "reason": "5xx over 5% after dpl_live",
                "decided_by": "policy",
            }
        },
    )
    # What the tick found in the logs meanwhile (observe publishes it).
    await ObservationLog(await runtime.store()).publish(
        Observation(
            kind="anomaly.error_spike",
            subject="errors",
            dedup_key="anomaly:shop:error_spike:errors:dpl_bad",
            payload={
                "project": "shop",
                "summary": "34 errors per 1 min against an expected 0",
                "started_at": (datetime.now(UTC) - timedelta(minutes=10)).isoformat(),
            },
        )
    )
    return {"alert": alert.id, "action": str(action["id"])}


@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
async def test_the_console_acts_for_an_operator_and_shows_a_viewer_nothing_to_press(
    runtime: Runtime, keys, pg_url: str, tmp_path: Path
) -> None:
    """An operator acknowledges the alert and approves the waiting action from the page (each
    with a confirmation, each then visible); a viewer sees the same page with no action
    buttons; at 1280 px and on a phone (390 px) nothing passes the viewport."""
    from playwright.async_api import async_playwright

    from ops_agent.http.app import create_app
    from tests.http.conftest import routers

    await seed(runtime)
    ids = await seed_console(runtime)
    served = Runtime(
        runtime.settings.model_copy(update={"monitor_config": tmp_path / "none.yaml"}),
        store=PostgresStore(pg_url),
    )
    app = create_app("console", [*routers(), dashboard_routes.router], runtime=served)
    store = await runtime.store()
    with serve_in_thread(app) as url:
        secret = served.settings.cron_secret
        assert secret is not None
        async with httpx.AsyncClient(timeout=120) as http:
            tick = await http.get(
                url + "/api/cron/tick",
                headers={"authorization": f"Bearer {secret.get_secret_value()}"},
            )
        assert tick.status_code == 200, tick.text
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                operator = await browser.new_page(viewport={"width": 1280, "height": 900})
                operator.on("dialog", lambda d: asyncio.ensure_future(d.accept()))
                await operator.goto(url + "/dashboard")
                await operator.fill("#key", keys[Role.OPERATOR])
                await operator.click("#login-form button")
                await operator.wait_for_selector("body[data-loaded]", timeout=15000)
                assert await operator.locator("#kpis .kpi").count() == 5
                # the rule's threshold is a line on the error-rate chart
                assert await operator.locator("#chart-errors .threshold[data-value='5']").count()
                ticks = await operator.inner_text("#ticks")
                assert "ran" in ticks and "observe" in ticks  # the tick above, its phases
                # the deployment that went live, the rollback and the alert's onset are marked
                # on the charts, at the right end of the last hour (they happened just now)
                chart = operator.locator("#chart-requests")
                kinds = await chart.locator(".marker").evaluate_all(
                    "ms => ms.map(m => m.dataset.kind)"
                )
                assert {"deploy", "rollback", "alert"} <= set(kinds)
                deploy = chart.locator(".marker[data-kind=deploy][title*='dpl_live']")
                over = await chart.locator(".u-over").bounding_box()
                box = await deploy.bounding_box()
                assert over and box and box["x"] > over["x"] + 0.8 * over["width"]
                # the log view searches with the API's language, and lists the top patterns
                await operator.fill("#log-q", '"Task timed out"')
                await operator.click("#log-form button")
                # The page listed every line on load, timeouts among them: wait for the search's
                # own answer, where every line is one.
                await operator.wait_for_function(
                    """() => {
                        const rows = [...document.querySelectorAll('#log-results td.message')];
                        return rows.length > 0
                            && rows.every((td) => td.textContent.includes('Task timed out'));
                    }""",
                    timeout=15000,
                )
                assert "ECONNREFUSED" not in await operator.inner_text("#log-results")
                assert "Task timed out" in await operator.inner_text("#log-patterns")
                # services: uptime bars, pause from the page, add a check from the page
                assert await operator.locator("#services .bars[data-window='24h'] i.down").count()
                await operator.click("button[data-action=pause][data-id=api]")
                await operator.wait_for_selector("#services :text('(paused)')", timeout=15000)
                monitoring = await runtime.monitoring()
                assert (await monitoring.service("api")).paused
                assert (await monitoring.run_due())["checked"] == 0  # paused: not checked
                await operator.fill("#service-name", "shop-web")
                await operator.fill("#service-url", "https://shop.example.com/health")
                await operator.click("#service-form button")
                await operator.wait_for_selector("#services td:text-is('shop-web')", timeout=15000)
                assert "shop" in await operator.inner_text("#project")
                # a longer range redraws the charts over it
                await operator.select_option("#range", "7d")
                await operator.wait_for_function(
                    "() => Number(document.getElementById('chart-requests').dataset.span)"
                    " > 5 * 86400",
                    timeout=15000,
                )
                assert await operator.evaluate(OVERFLOWING) == []
                await operator.screenshot(path=str(tmp_path / "console-1280.png"), full_page=True)

                await operator.click(f"button[data-action=ack][data-id='{ids['alert']}']")
                await operator.wait_for_selector("#alerts :text('(acknowledged)')", timeout=15000)
                alert = await (await runtime.alerts()).get_alert(ids["alert"])
                assert alert.state == "acknowledged" and alert.acknowledged_by == "operator-key"

                # the incident page, from the alert's link: its timeline, alerts and suspect
                await operator.click(f"#alerts a[href='#incident/{alert.incident_id}']")
                await operator.wait_for_selector(
                    f"body[data-incident='{alert.incident_id}']", timeout=15000
                )
                page_text = await operator.inner_text("#incident")
                assert "acknowledged" in page_text and "shop-5xx" in page_text
                assert "operator-key" in page_text  # who acknowledged, on the timeline
                assert "dpl_bad" in await operator.inner_text("#suspect")
                assert "3f2a9c1 cart: new pricing" in page_text and "ana" in page_text
                assert "34 errors per 1 min against an expected 0" in page_text
                assert await operator.locator("#app main").is_hidden()
                await operator.screenshot(path=str(tmp_path / "incident.png"), full_page=True)
                await operator.click("#incident h2 a")  # back to the console
                await operator.wait_for_selector("#app main", state="visible")

                await operator.click(f"button[data-action=approve][data-id='{ids['action']}']")
                await operator.wait_for_selector(
                    "#waiting :text('No action is waiting')", timeout=15000
                )
                ran = await store.rpc("ops_remediation_get", {"p_id": ids["action"]})
                assert ran["status"] != "pending_approval" and ran["decided_by"] == "operator-key"
                audited = {e.action for e in await store.list_audit(actor="operator-key")}
                assert {"alerts.acknowledge", "remediation.approve"} <= audited

                viewer = await browser.new_page(viewport={"width": 390, "height": 844})
                await viewer.goto(url + "/dashboard")
                await viewer.fill("#key", keys[Role.VIEWER])
                await viewer.click("#login-form button")
                await viewer.wait_for_selector("body[data-loaded]", timeout=15000)
                assert await viewer.locator("#alerts tr").count() > 1
                assert await viewer.locator("button[data-action]").count() == 0
                assert await viewer.evaluate(OVERFLOWING) == []
                await viewer.screenshot(path=str(tmp_path / "console-390.png"), full_page=True)
            finally:
                await browser.close()
    await served.close()
    assert (tmp_path / "console-1280.png").stat().st_size > 10_000


async def _sign_in(page: Any, url: str, key: str) -> None:
    await page.goto(url + "/dashboard")
    await page.fill("#key", key)
    await page.click("#login-form button")
    await page.wait_for_selector("body[data-loaded]", timeout=15000)


@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
async def test_an_operator_rolls_back_and_promotes_from_the_deployments_table(
    runtime: Runtime, keys, pg_url: str, tmp_path: Path
) -> None:
    """Against the local Vercel double: the deployment serving production offers "Roll back",
    the one before it "Promote"; each asks for confirmation, moves production on Vercel, is
    audited as the key's owner and shows in the table."""
    from playwright.async_api import async_playwright

    from ops_agent.http.app import create_app
    from tests.http.conftest import routers

    sandbox, vercel = standalone(("shop",), build_seconds=0.2, tick_seconds=0.05)
    before, serving = sandbox.project.history  # the double's two production builds
    with serve_in_thread(vercel) as vercel_url:
        settings = runtime.settings.model_copy(
            update={
                "monitor_config": tmp_path / "none.yaml",
                "vercel_token": SecretStr(sandbox.token),
                "vercel_api_url": vercel_url,
                "vercel_project": "shop",
                "vercel_job_timeout_seconds": 10,
                "vercel_job_poll_seconds": 0.1,
            }
        )
        # the history as the tick's poll records it
        poller = Runtime(settings, store=await runtime.store())
        history = DeploymentHistory(await runtime.store())
        client = (await poller.deployments()).client
        now = datetime.now(UTC)
        for d in (await client.list_deployments(project_id="shop")).deployments:
            await history.record(fact_from_deployment(d, now=now, project_name="shop"))
        await client.aclose()
        served = Runtime(settings, store=PostgresStore(pg_url))
        app = create_app("console", [*routers(), dashboard_routes.router], runtime=served)
        with serve_in_thread(app) as url:
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    page = await browser.new_page(viewport={"width": 1280, "height": 900})
                    asked: list[str] = []

                    async def answer(dialog: Any) -> None:
                        asked.append(dialog.message)
                        await dialog.accept("from the console test")

                    page.on("dialog", lambda d: asyncio.ensure_future(answer(d)))
                    await _sign_in(page, url, keys[Role.OPERATOR])
                    table = page.locator("#deployments")
                    assert await table.locator("button[data-action=promote]").count() == 1
                    rollback = f"button[data-action=rollback][data-id='{serving}']"
                    await table.locator(rollback).click()
                    await page.wait_for_selector(
                        f"#deployments button[data-action=promote][data-id='{serving}']",
                        timeout=15000,
                    )
                    assert sandbox.live("shop").id == before  # Vercel serves the one before
                    assert "rollback by operator-key" in await table.inner_text()
                    assert any("Roll production back" in m for m in asked)
                    await page.screenshot(path=str(tmp_path / "rolled-back.png"), full_page=True)

                    await table.locator(f"button[data-action=promote][data-id='{serving}']").click()
                    await page.wait_for_selector(
                        f"#deployments button[data-action=rollback][data-id='{serving}']",
                        timeout=15000,
                    )
                    assert sandbox.live("shop").id == serving
                    assert "promote by operator-key" in await table.inner_text()
                finally:
                    await browser.close()
        await served.close()
    audited = [
        (e.action, e.target, e.details.get("reason"))
        for e in await (await runtime.store()).list_audit(actor="operator-key")
        if e.action.startswith("deployments.")
    ]
    # each audited with where production went
    assert ("deployments.rollback", before, "from the console test") in audited
    assert ("deployments.promote", serving, "from the console test") in audited
    assert sandbox.violations == []


@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
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
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
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
