"""A health-check URL the checks would refuse is refused when it is declared, with the reason;
a DNS failure is called one; a passing check clears the last error."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_agent.monitoring import MonitoringTool, ServiceCheck
from ops_agent.settings import Settings
from ops_agent.ssrf import UnsafeURL
from ops_agent.store import Store
from tests.targets import Targets


def tool(settings: Settings, store: Store, tmp_path: Path) -> MonitoringTool:
    return MonitoringTool(store, settings=settings, config_path=tmp_path / "none.yaml")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://169.254.169.254/latest/meta-data", "metadata"),
        ("http://10.1.2.3/health", "private"),
        ("http://127.0.0.1:9/health", "loopback"),
        ("http://[::1]/health", "loopback"),
    ],
)
async def test_an_address_the_checks_would_refuse_is_refused_at_declaration(
    settings: Settings, monitor_store: Store, tmp_path: Path, url: str, why: str
) -> None:
    with pytest.raises(UnsafeURL, match=why) as refused:
        await tool(settings, monitor_store, tmp_path).add_service(ServiceCheck(name="x", url=url))
    assert "MONITOR_ALLOWED_HOSTS" in refused.value.message
    assert refused.value.problem().status == 422
    assert await tool(settings, monitor_store, tmp_path).services() == []


async def test_allowlisted_and_unpublished_names_are_accepted(
    monitor_settings: Settings, monitor_store: Store, tmp_path: Path
) -> None:
    t = tool(monitor_settings, monitor_store, tmp_path)  # 127.0.0.1 is allowed here
    await t.add_service(ServiceCheck(name="local", url="http://127.0.0.1:9/health"))
    # A name that does not resolve yet may be declared: its checks will say it does not.
    later = ServiceCheck(name="later", url="https://not-yet.invalid/health")
    await t.add_service(later)
    result = await t.check_service_health("later")
    assert result["status"] in ("unknown", "down")
    assert result["last_error"] is not None and "DNS lookup failed" in result["last_error"]
    assert "refused" not in result["last_error"]


async def test_a_passing_check_clears_the_last_error(
    monitor_settings: Settings, monitor_store: Store, targets: Targets, tmp_path: Path
) -> None:
    t = tool(monitor_settings, monitor_store, tmp_path)
    await t.add_service(
        ServiceCheck(name="flaky", url=f"{targets.http}/flaky", failure_threshold=1)
    )
    targets.flaky.statuses = [503]
    failing = await t.check_service_health("flaky")
    assert failing["last_error"] is not None
    passing = await t.check_service_health("flaky")
    assert passing["last_error"] is None, passing
