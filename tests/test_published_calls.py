"""Parts of the published Python API (issue 16's list) that hold today: the package's
exports, acknowledging without naming yourself, a notification from words and one address,
awaitable system metrics, an unknown service as a result, and the alert scale as a task
priority."""

from __future__ import annotations

import pytest

import ops_agent
from ops_agent.severity import PRIORITIES, PRIORITY_RANK, SEVERITY_OF_PRIORITY


def test_the_package_exports_the_tools_lazily() -> None:
    from ops_agent import (  # noqa: F401
        AlertManagementTool,
        DeploymentTool,
        LogAnalysisTool,
        MonitoringTool,
        NotificationService,
        OpsAgentOODA,
    )

    assert OpsAgentOODA.__module__ == "ops_agent.agent.ooda"
    with pytest.raises(AttributeError):
        ops_agent.NoSuchTool  # noqa: B018


def test_priorities_take_the_alert_scale_too() -> None:
    assert set(PRIORITIES) >= {"low", "medium", "normal", "high", "critical"}
    assert PRIORITY_RANK["medium"] == PRIORITY_RANK["normal"]
    assert SEVERITY_OF_PRIORITY["medium"] == "medium"


def test_system_metrics_never_sleep_to_sample_the_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    import psutil

    from ops_agent.monitoring.system import system_metrics

    intervals: list[object] = []
    real = psutil.cpu_percent

    def spy(interval: object = None, percpu: bool = False) -> object:
        intervals.append(interval)
        return real(interval=None, percpu=percpu)

    monkeypatch.setattr(psutil, "cpu_percent", spy)
    figures = system_metrics()
    assert intervals and all(i is None for i in intervals)  # a blocking sample passes a number
    assert figures["cpu_percent"] >= 0


async def test_tools_without_a_store_use_the_configured_one(pg_url: str, monkeypatch) -> None:
    """`MonitoringTool()`, `LogAnalysisTool()`, `DeploymentTool(vercel_token=...)` and
    `AlertManagementTool(...)` open the configured store on first use, once per process."""
    from ops_agent.logs import LogAnalysisTool
    from ops_agent.monitoring import MonitoringTool
    from ops_agent.settings import get_settings
    from ops_agent.store import default

    monkeypatch.setenv("DATABASE_URL", pg_url)
    monkeypatch.setattr(default, "_opened", None)
    get_settings.cache_clear()
    try:
        from ops_agent.monitoring.config import ServiceCheck

        page = await LogAnalysisTool().search_logs("nothing-here", "1h")
        assert page.hits == []
        check = ServiceCheck(name="published-api", url="https://api.example.com/health")
        await MonitoringTool().add_service(check)
        assert "published-api" in {s.name for s in await MonitoringTool().services()}
        await MonitoringTool().remove_service("published-api")
        first = await default.configured_store()
        assert await default.configured_store() is first  # shared
    finally:
        opened = default._opened
        monkeypatch.setattr(default, "_opened", None)
        if opened is not None:
            await opened.close()
        get_settings.cache_clear()
