"""Vercel: the REST client, webhook and drain signature checks, and payload models."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ops_agent.lazy import exports

if TYPE_CHECKING:
    from ops_agent.vercel.client import DEFAULT_API_URL, VercelClient
    from ops_agent.vercel.errors import (
        VercelError,
        VercelNotFound,
        VercelRateLimited,
        VercelUnauthorized,
        VercelUnavailable,
    )
    from ops_agent.vercel.models import (
        BuildEvent,
        CustomEnvironment,
        Deployment,
        DeploymentPage,
        DeploymentState,
        EnvVar,
        Project,
        WebhookEvent,
    )

__all__ = [
    "DEFAULT_API_URL",
    "BuildEvent",
    "CustomEnvironment",
    "Deployment",
    "DeploymentPage",
    "DeploymentState",
    "EnvVar",
    "Project",
    "VercelClient",
    "VercelError",
    "VercelNotFound",
    "VercelRateLimited",
    "VercelUnauthorized",
    "VercelUnavailable",
    "WebhookEvent",
]
__getattr__ = exports(
    __name__,
    {
        "BuildEvent": "ops_agent.vercel.models",
        "CustomEnvironment": "ops_agent.vercel.models",
        "DEFAULT_API_URL": "ops_agent.vercel.client",
        "Deployment": "ops_agent.vercel.models",
        "DeploymentPage": "ops_agent.vercel.models",
        "DeploymentState": "ops_agent.vercel.models",
        "EnvVar": "ops_agent.vercel.models",
        "Project": "ops_agent.vercel.models",
        "VercelClient": "ops_agent.vercel.client",
        "VercelError": "ops_agent.vercel.errors",
        "VercelNotFound": "ops_agent.vercel.errors",
        "VercelRateLimited": "ops_agent.vercel.errors",
        "VercelUnauthorized": "ops_agent.vercel.errors",
        "VercelUnavailable": "ops_agent.vercel.errors",
        "WebhookEvent": "ops_agent.vercel.models",
    },
)
