"""DeploymentTool: Vercel deployments, history, rollback, promote, environments, build watching."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ops_agent.lazy import exports

if TYPE_CHECKING:
    from ops_agent.deployments.records import (
        DeploymentAction,
        DeploymentHistory,
        DeploymentRecord,
        DeploymentStats,
    )
    from ops_agent.deployments.rollback import DeploymentRefused, plan_rollback
    from ops_agent.deployments.tool import (
        ActionResult,
        BuildProgress,
        BuildTimeout,
        DeploymentStatus,
        DeploymentTool,
        EnvironmentInfo,
        SuccessRate,
    )

__all__ = [
    "ActionResult",
    "BuildProgress",
    "BuildTimeout",
    "DeploymentAction",
    "DeploymentHistory",
    "DeploymentRecord",
    "DeploymentRefused",
    "DeploymentStats",
    "DeploymentStatus",
    "DeploymentTool",
    "EnvironmentInfo",
    "SuccessRate",
    "plan_rollback",
]
__getattr__ = exports(
    __name__,
    {
        "ActionResult": "ops_agent.deployments.tool",
        "BuildProgress": "ops_agent.deployments.tool",
        "BuildTimeout": "ops_agent.deployments.tool",
        "DeploymentAction": "ops_agent.deployments.records",
        "DeploymentHistory": "ops_agent.deployments.records",
        "DeploymentRecord": "ops_agent.deployments.records",
        "DeploymentRefused": "ops_agent.deployments.rollback",
        "DeploymentStats": "ops_agent.deployments.records",
        "DeploymentStatus": "ops_agent.deployments.tool",
        "DeploymentTool": "ops_agent.deployments.tool",
        "EnvironmentInfo": "ops_agent.deployments.tool",
        "SuccessRate": "ops_agent.deployments.tool",
        "plan_rollback": "ops_agent.deployments.rollback",
    },
)
