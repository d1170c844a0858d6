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
