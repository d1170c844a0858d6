"""The traffic a deployment serves: Vercel log drain entries for one span of time. Pure.

How a deployment behaves (its error rate, its latency, what its errors say) decides what the
agent sees; the entry ids are derived from the deployment and the time, so a batch that is
delivered twice is ingested once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ROUTES = ("/api/products", "/api/cart", "/api/checkout", "/", "/api/search")


@dataclass(frozen=True)
class Behaviour:
    """How a deployment serves traffic, and how its build goes."""

    error_rate: float = 0.005
    latency_ms: float = 80.0
    errors: tuple[str, ...] = ("Error: upstream request timed out after 10000ms",)
    build: str = "ok"  # ok, transient (fails once, then builds), code (always fails)
    build_log: tuple[str, ...] = field(default_factory=tuple)


HEALTHY = Behaviour()


def entries(
    *,
    project_id: str,
    project_name: str,
    deployment_id: str,
    host: str,
    start: datetime,
    seconds: float,
    behaviour: Behaviour,
    rate_per_second: float,
    seed: int,
) -> list[dict[str, Any]]:
    """Request log entries for `seconds` of traffic from `start`, as Vercel's drain sends them."""
    rng = random.Random(f"{seed}:{deployment_id}:{start.isoformat()}")  # noqa: S311 (simulated traffic)
    count = max(1, round(seconds * rate_per_second))
    start_ms = int(start.timestamp() * 1000)
    out: list[dict[str, Any]] = []
    for i in range(count):
        ts = start_ms + int(i * seconds * 1000 / count)
        route = ROUTES[rng.randrange(len(ROUTES))]
        failed = rng.random() < behaviour.error_rate
        status = 500 if failed else 200
        # Log-normal-ish latency around the deployment's typical figure.
        latency = round(behaviour.latency_ms * rng.lognormvariate(0, 0.35), 1)
        message = (
            behaviour.errors[rng.randrange(len(behaviour.errors))]
            if failed
            else f"GET {route} {status} in {latency}ms"
        )
        out.append(
            {
                "id": f"{deployment_id}-{ts}-{i}",
                "timestamp": ts,
                "message": message,
                "level": "error" if failed else "info",
                "type": "stderr" if failed else "stdout",
                "source": "lambda",
                "projectId": project_id,
                "projectName": project_name,
                "deploymentId": deployment_id,
                "environment": "production",
                "host": host,
                "path": route,
                "statusCode": status,
                "requestId": f"req_{deployment_id[-6:]}_{ts}_{i}",
                "executionRegion": "iad1",
                "proxy": {
                    "timestamp": ts,
                    "method": "GET",
                    "host": host,
                    "path": route,
                    "statusCode": status,
                    "duration": latency,
                    "region": "iad1",
                    "clientIp": "203.0.113.7",
                    "userAgent": ["Mozilla/5.0 (sandbox)"],
                    "vercelCache": "MISS",
                },
            }
        )
    return out
