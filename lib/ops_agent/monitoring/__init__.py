"""MonitoringTool: health checks, heartbeats, uptime, system metrics."""

from ops_agent.monitoring.checks import CheckResult
from ops_agent.monitoring.config import ConfigFileError, ServiceCheck
from ops_agent.monitoring.tool import MonitoringTool, ServiceConflict, ServiceHealth, UnknownService

__all__ = [
    "CheckResult",
    "ConfigFileError",
    "MonitoringTool",
    "ServiceCheck",
    "ServiceConflict",
    "ServiceHealth",
    "UnknownService",
]
