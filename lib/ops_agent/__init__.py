"""Ops Agent: an operations agent for apps hosted on Vercel.

    from ops_agent import (OpsAgentOODA, DeploymentTool, MonitoringTool, LogAnalysisTool,
                           AlertManagementTool, NotificationService)

The names load on first use, so importing the package (as every function does) costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ops_agent.lazy import exports

__version__ = "0.1.0"

_EXPORTS = {
    "OpsAgentOODA": "ops_agent.agent.ooda",
    "DeploymentTool": "ops_agent.deployments",
    "MonitoringTool": "ops_agent.monitoring",
    "LogAnalysisTool": "ops_agent.logs",
    "AlertManagementTool": "ops_agent.alerts",
    "NotificationService": "ops_agent.notify",
}
__all__ = [
    "AlertManagementTool",
    "DeploymentTool",
    "LogAnalysisTool",
    "MonitoringTool",
    "NotificationService",
    "OpsAgentOODA",
    "__version__",
]

if TYPE_CHECKING:
    from ops_agent.agent.ooda import OpsAgentOODA
    from ops_agent.alerts import AlertManagementTool
    from ops_agent.deployments import DeploymentTool
    from ops_agent.logs import LogAnalysisTool
    from ops_agent.monitoring import MonitoringTool
    from ops_agent.notify import NotificationService


__getattr__ = exports(__name__, _EXPORTS)
