"""Health checks against real HTTP and HTTPS targets on 127.0.0.1, stored in real Postgres."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_agent.monitoring import ConfigFileError, MonitoringTool, ServiceCheck, UnknownService
from ops_agent.monitoring.config import load_config
from ops_agent.observations import ObservationLog
from ops_agent.settings import Settings
from ops_agent.store import Store
from tests.targets import Targets

ROOT = Path(__file__).resolve().parents[2]


def tool(
    settings: Settings, store: Store, targets: Targets, tmp_path: Path, *services: ServiceCheck
) -> MonitoringTool:
    config = tmp_path / "ops-agent.yaml"
    import yaml

    config.write_text(yaml.safe_dump({"services": [s.model_dump(mode="json") for s in services]}))
    return MonitoringTool(
        store, settings=settings, config_path=config, ssl_context=targets.client_ssl
    )


async def test_conditions_on_real_targets(
    monitor_settings, monitor_store, targets, tmp_path
) -> None:
    services = [
        ServiceCheck(
            name="api",
            url=f"{targets.http}/ok",
            conditions=[
                "[STATUS] == 200",
                "[BODY].status == UP",
                "len([BODY].items) > 0",
                "[RESPONSE_TIME] < 2000",
            ],
        ),
        ServiceCheck(
            name="degraded",
            url=f"{targets.http}/degraded",
            conditions=["[STATUS] == 200", "[BODY].status == UP", "has([BODY].error) == false"],
        ),
        ServiceCheck(
            name="down", url=f"{targets.http}/down", conditions=["[STATUS] == any(200, 204)"]
        ),
        ServiceCheck(
            name="tls",
            url=f"{targets.https}/ok",
            conditions=["[STATUS] == 200", "[CERTIFICATE_EXPIRATION] > 72h"],
        ),
        ServiceCheck(
            name="tls-soon",
            url=f"{targets.https}/ok",
            conditions=["[CERTIFICATE_EXPIRATION] > 24h"],
        ),
    ]
    t = tool(monitor_settings, monitor_store, targets, tmp_path, *services)
    try:
        results = {s.name: await t.check_service_health(s.name) for s in services}
    finally:
        await t.aclose()
    assert results["api"].result and results["api"].result.ok
    degraded = results["degraded"].result
    assert degraded and not degraded.ok and "[BODY].status == UP" in (degraded.error or "")
    assert results["down"].result and results["down"].result.status_code == 503
    tls = results["tls"].result
    assert tls and not tls.ok and tls.certificate_expires_at is not None
    assert "CERTIFICATE_EXPIRATION" in (tls.error or "")
    assert results["tls-soon"].result and results["tls-soon"].result.ok
    assert results["api"].uptime["1h"]["checks"] == 1


async def test_self_signed_needs_verify_tls_false(
    monitor_settings, monitor_store, targets, tmp_path
) -> None:
    strict = ServiceCheck(name="strict", url=f"{targets.https}/ok")
    lax = ServiceCheck(
        name="lax",
        url=f"{targets.https}/ok",
        verify_tls=False,
        conditions=["[STATUS] == 200", "[CERTIFICATE_EXPIRATION] > 24h"],
    )
    t = MonitoringTool(monitor_store, settings=monitor_settings, config_path=tmp_path / "none.yaml")
    try:
        await t.add_service(strict)
        await t.add_service(lax)
        strict_health = await t.check_service_health("strict")
        lax_health = await t.check_service_health("lax")
    finally:
        await t.aclose()
    assert (
        strict_health.result
        and not strict_health.result.ok
        and "SSL" in (strict_health.result.error or "").upper()
    )
    assert lax_health.result and lax_health.result.ok and lax_health.result.certificate_expires_at


async def test_thresholds_move_state_and_publish_observations(
    monitor_settings, monitor_store, targets, tmp_path
) -> None:
    flaky = ServiceCheck(
        name="flaky", url=f"{targets.http}/flaky", failure_threshold=3, success_threshold=2
    )
    t = tool(monitor_settings, monitor_store, targets, tmp_path, flaky)
    targets.flaky.statuses[:] = [500, 500, 500, 500]
    statuses = []
    try:
        for _ in range(7):
            statuses.append((await t.check_service_health("flaky")).status)
    finally:
        await t.aclose()
    # two fails are not down yet; the third is; up again only after two successes
    assert statuses == ["unknown", "unknown", "down", "down", "down", "up", "up"]
    kinds = [o.kind for o in await ObservationLog(monitor_store).pending()]
    assert kinds == ["service.down", "service.up"]


async def test_an_unknown_service_is_a_result_not_an_exception(
    monitor_settings, monitor_store, targets, tmp_path
) -> None:
    t = tool(monitor_settings, monitor_store, targets, tmp_path)
    try:
        health = await t.check_service_health(service="nope")
    finally:
        await t.aclose()
    assert health.status == "unknown" and "no service 'nope'" in (health.last_error or "")


async def test_slow_target_times_out_without_holding_others(
    monitor_settings, monitor_store, targets, tmp_path
) -> None:
    checks = [ServiceCheck(name=f"fast-{i}", url=f"{targets.http}/ok") for i in range(30)]
    checks.append(ServiceCheck(name="slow", url=f"{targets.http}/slow", timeout_seconds=0.5))
    t = tool(monitor_settings, monitor_store, targets, tmp_path, *checks)
    try:
        summary = await t.run_due()
        again = await t.run_due()  # nothing is due a second time within the interval
    finally:
        await t.aclose()
    assert summary == {"checked": 31, "failed": ["slow"]}
    assert again["checked"] == 0
    overview = {
        s["service"]: s
        for s in await MonitoringTool(
            monitor_store, settings=monitor_settings, config_path=tmp_path / "ops-agent.yaml"
        ).overview()
    }
    assert "timed out" in (overview["slow"]["last_error"] or "")


async def test_private_targets_are_refused_unless_allowlisted(
    monitor_settings, monitor_store, targets, tmp_path
) -> None:
    strict = monitor_settings.model_copy(update={"monitor_allowed_hosts": ""})
    t = tool(
        strict,
        monitor_store,
        targets,
        tmp_path,
        ServiceCheck(name="local", url=f"{targets.http}/ok"),
        ServiceCheck(name="meta", url="http://169.254.169.254/latest/meta-data"),
    )
    try:
        local = await t.check_service_health("local")
        meta = await t.check_service_health("meta")
    finally:
        await t.aclose()
    assert (
        local.result
        and not local.result.ok
        and "MONITOR_ALLOWED_HOSTS" in (local.result.error or "")
    )
    assert meta.result and "metadata" in (meta.result.error or "")


async def test_heartbeats(monitor_settings, monitor_store, targets, tmp_path) -> None:
    beat = ServiceCheck(
        name="worker",
        kind="heartbeat",
        interval_seconds=60,
        failure_threshold=1,
        success_threshold=1,
    )
    t = tool(monitor_settings, monitor_store, targets, tmp_path, beat)
    try:
        await t.run_due()
        silent = await t.health("worker")
        await t.heartbeat("worker")
        alive = await t.health("worker")
        with pytest.raises(UnknownService):
            await t.heartbeat("nobody")
    finally:
        await t.aclose()
    assert silent.status == "down" and alive.status == "up"


def test_example_config_is_valid_and_documents_every_key() -> None:
    config = load_config(ROOT / "config.example.yaml")
    assert config.services
    text = (ROOT / "config.example.yaml").read_text()
    for key in ServiceCheck.model_fields:
        assert f"{key}:" in text, f"config.example.yaml does not document {key}"


def test_bad_config_files_name_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "ops-agent.yaml"
    bad.write_text(
        "services:\n  - name: api\n    url: https://x.example\n    conditions: ['[STATUS] = 200']\n"
    )
    with pytest.raises(ConfigFileError, match="expected"):
        load_config(bad)
    bad.write_text("services: [ {name: a, kind: http} ]\n")
    with pytest.raises(ConfigFileError, match="needs a url"):
        load_config(bad)
    bad.write_text("services:\n  - {name: a, url: 'https://a'}\n  - {name: a, url: 'https://b'}\n")
    with pytest.raises(ConfigFileError, match="repeat"):
        load_config(bad)
    assert load_config(tmp_path / "absent.yaml").services == []
