"""DeploymentTool: Vercel deployments, history, rollback, promote, environments, build watching."""

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
