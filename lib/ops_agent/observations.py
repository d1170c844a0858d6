"""Observations: facts the tools publish for the agent loop (a deployment failed, ...).

Each fact has a dedup key, so publishing it twice, from two function instances or a retried
webhook, leaves one observation. The loop reads pending ones in id order and consumes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from ops_agent.store import Store

# The kinds of fact, in one place. The store publishes the first four itself (the deployment
# and monitoring migrations); Sentry's kinds are sentry.<resource>.<action> (sentry.py).
DEPLOYMENT_ERROR = "deployment.error"
DEPLOYMENT_PRODUCTION_READY = "deployment.production_ready"
SERVICE_DOWN = "service.down"
SERVICE_UP = "service.up"
AnomalyKind = Literal[
    "error_spike", "template_spike", "new_template", "server_error_rate", "latency", "traffic_drop"
]
ANOMALY_KINDS: tuple[str, ...] = tuple(f"anomaly.{k}" for k in get_args(AnomalyKind))


def anomaly_kind(kind: str) -> str:
    """The observation kind of a log anomaly of `kind`."""
    return f"anomaly.{kind}"


class Observation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int | None = None
    kind: str
    subject: str | None = None
    dedup_key: str
    payload: dict[str, Any] = Field(default_factory=dict)
    observed_at: datetime | None = None
    consumed_at: datetime | None = None


class ObservationLog:
    """Publish, read and consume observations in the store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def publish(self, *observations: Observation) -> list[int]:
        """Store the new ones in one round trip; return their ids (duplicates are skipped)."""
        rows = [
            o.model_dump(mode="json", include={"kind", "subject", "dedup_key", "payload"})
            for o in observations
        ]
        result = await self._store.rpc("ops_observation_publish", {"p_observations": rows})
        return [int(i) for i in result["ids"]]

    async def pending(
        self, *, after_id: int = 0, kinds: Sequence[str] | None = None, limit: int = 100
    ) -> list[Observation]:
        """Unconsumed observations in the order they were published."""
        rows = await self._store.rpc(
            "ops_observation_list",
            {
                "p_after_id": after_id,
                "p_pending_only": True,
                "p_kinds": list(kinds) if kinds else None,
                "p_limit": limit,
            },
        )
        return [Observation.model_validate(r) for r in rows]

    async def since(
        self, kinds: Sequence[str], since: datetime, limit: int = 50
    ) -> list[Observation]:
        """Observations of `kinds` published since `since`, consumed or not, oldest first."""
        rows = await self._store.rpc(
            "ops_observation_since",
            {"p_kinds": list(kinds), "p_since": since, "p_limit": limit},
        )
        return [Observation.model_validate(r) for r in rows]

    async def consume(self, ids: Sequence[int]) -> int:
        """Mark observations handled; return how many were still pending."""
        if not ids:
            return 0
        result = await self._store.rpc("ops_observation_consume", {"p_ids": list(ids)})
        return int(result["consumed"])
