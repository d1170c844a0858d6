"""MonitoringTool: health checks, heartbeats, uptime, system metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ops_agent.lazy import exports

if TYPE_CHECKING:
    from ops_agent.monitoring.checks import CheckResult
    from ops_agent.monitoring.config import ConfigFileError, ServiceCheck
    from ops_agent.monitoring.tool import (
        MonitoringTool,
        ServiceConflict,
        ServiceHealth,
        UnknownService,
    )

__all__ = [
    "CheckResult",
    "ConfigFileError",
    "MonitoringTool",
    "ServiceCheck",
    "ServiceConflict",
    "ServiceHealth",
    "UnknownService",
]
__getattr__ = exports(
    __name__,
    {
        "CheckResult": "ops_agent.monitoring.checks",
        "ConfigFileError": "ops_agent.monitoring.config",
        "MonitoringTool": "ops_agent.monitoring.tool",
        "ServiceCheck": "ops_agent.monitoring.config",
        "ServiceConflict": "ops_agent.monitoring.tool",
        "ServiceHealth": "ops_agent.monitoring.tool",
        "UnknownService": "ops_agent.monitoring.tool",
    },
)
