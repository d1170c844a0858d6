"""Vercel: the REST client, webhook and drain signature checks, and payload models."""

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
