"""The remediation actions the agent planned, through the store's `ops_remediation_*`
functions, as typed records."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ops_agent.remediation_spec import PlaybookName
from ops_agent.store import Store

Status = Literal[
    "pending_approval",
    "approved",
    "running",
    "succeeded",
    "failed",
    "skipped",
    "dry_run",
    "rejected",
]
# What counts against the hourly cap and the cooldown: actions approved or run.
COUNTED: tuple[Status, ...] = ("approved", "running", "succeeded", "failed")


class RemediationAction(BaseModel):
    """One automatic action: its playbook and target, the guards' verdict and why, who
    decided, what it did (`result`) and whether the signal recovered afterwards."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    alert_id: str | None = None
    incident_id: str | None = None
    playbook: PlaybookName
    target: str
    status: Status
    reason: str
    requested_at: datetime
    decided_by: str | None = None
    executed_at: datetime | None = None
    verify_by: datetime | None = None
    verified: bool | None = None
    verified_at: datetime | None = None
    result: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id", "alert_id", "incident_id", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str | None:
        return None if value is None else str(value)

    def public(self) -> dict[str, Any]:
        """As the API shows it."""
        return self.model_dump(mode="json")


def _one(row: Any) -> RemediationAction | None:
    return RemediationAction.model_validate(row) if row else None


class RemediationRecords:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def plan(
        self,
        *,
        playbook: PlaybookName,
        target: str,
        status: Status,
        reason: str,
        result: dict[str, Any],
        requested_at: datetime,
        alert_id: str | None = None,
        incident_id: str | None = None,
    ) -> RemediationAction | None:
        """Record a plan; None when the alert has one for this playbook already, or the
        store's unique rules (one rollback per incident, per suspect...) refuse it."""
        return _one(
            await self._store.rpc(
                "ops_remediation_plan",
                {
                    "p_action": {
                        "alert_id": alert_id,
                        "incident_id": incident_id,
                        "playbook": playbook,
                        "target": target,
                        "status": status,
                        "reason": reason,
                        "decided_by": "policy",
                        "result": result,
                        "requested_at": requested_at.isoformat(),
                    }
                },
            )
        )

    async def move(
        self,
        action_id: str,
        from_: Sequence[Status],
        to: Status,
        *,
        decided_by: str | None = None,
        result: dict[str, Any] | None = None,
        verify_by: datetime | None = None,
        verified: bool | None = None,
    ) -> RemediationAction | None:
        """Move an action from one of `from_` to `to` (merging `result` into its result);
        None when it was in none of them, so two movers never both succeed."""
        fields: dict[str, Any] = {
            "decided_by": decided_by,
            "result": result,
            "verify_by": verify_by.isoformat() if verify_by else None,
            "verified": verified,
        }
        return _one(
            await self._store.rpc(
                "ops_remediation_set",
                {
                    "p_id": action_id,
                    "p_from": list(from_),
                    "p_to": to,
                    "p_fields": {k: v for k, v in fields.items() if v is not None},
                },
            )
        )

    async def list(
        self, status: Status | str | None = None, limit: int = 50
    ) -> list[RemediationAction]:
        """Newest first."""
        rows = await self._store.rpc("ops_remediation_list", {"p_status": status, "p_limit": limit})
        return [RemediationAction.model_validate(r) for r in rows]

    async def get(self, action_id: str) -> RemediationAction | None:
        return _one(await self._store.rpc("ops_remediation_get", {"p_id": action_id}))

    async def counted_since(self, since: datetime, target: str) -> tuple[int, int]:
        """Actions approved or run since `since`: in all, and on `target`."""
        out = await self._store.rpc(
            "ops_remediation_recent", {"p_since": since, "p_target": target}
        )
        return int(out["total"]), int(out["on_target"])

    async def due_verification(self, now: datetime) -> builtins.list[RemediationAction]:
        """Succeeded actions whose verification time has come."""
        rows = await self._store.rpc("ops_remediation_due_verification", {"p_now": now})
        return [RemediationAction.model_validate(r) for r in rows]
