"""Turning the tools' refusals and Vercel's failures into the API's error shape."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ops_agent.deployments.rollback import DeploymentRefused
from ops_agent.http.errors import ApiError
from ops_agent.vercel.errors import (
    VercelError,
    VercelNotFound,
    VercelRateLimited,
    VercelUnauthorized,
)


@contextmanager
def vercel_errors() -> Iterator[None]:
    """Map DeploymentRefused to 409 (503 when Vercel is not configured) and VercelError to
    404 when Vercel has no such thing, or 502/503 when Vercel failed us."""
    try:
        yield
    except DeploymentRefused as exc:
        status = 503 if exc.code == "vercel_not_configured" else 409
        raise ApiError(status, exc.code, exc.message) from None
    except VercelNotFound as exc:
        found = {"vercel_code": exc.code}
        raise ApiError(404, "not_found", f"Vercel: {exc.message}", found) from None
    except VercelRateLimited as exc:
        raise ApiError(
            503,
            "vercel_rate_limited",
            f"Vercel: {exc.message}",
            {"vercel_code": exc.code},
            headers={"Retry-After": "60"},
        ) from None
    except VercelUnauthorized as exc:
        raise ApiError(
            502,
            "vercel_unauthorized",
            f"Vercel refused the agent's token: {exc.message} (check VERCEL_TOKEN and the team)",
            {"vercel_code": exc.code},
        ) from None
    except VercelError as exc:
        details: dict[str, object] = {"vercel_code": exc.code, "vercel_status": exc.status}
        if 400 <= exc.status < 500:
            raise ApiError(422, "vercel_rejected", f"Vercel: {exc.message}", details) from None
        raise ApiError(502, "vercel_unavailable", f"Vercel: {exc.message}", details) from None
