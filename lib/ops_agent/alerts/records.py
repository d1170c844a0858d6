"""The alert tables, through the store's SQL functions."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from ops_agent.severity import Severity
from ops_agent.store import Store
from ops_agent.store.records import IndexableRecord

Row = dict[str, Any]
AlertState = Literal["pending", "firing", "acknowledged", "resolved"]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class Alert(IndexableRecord):
    """One alert: a rule's condition held for a label set, from pending to resolved."""

    id: str
    rule: str
    state: AlertState
    severity: Severity = "high"
    fingerprint: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    group_key: str = ""
    fired: bool = False
    summary: str | None = None
    value: float | None = None
    onset_at: datetime | None = None
    pending_since: datetime | None = None
    firing_since: datetime | None = None
    last_true_at: datetime | None = None
    last_notified_at: datetime | None = None
    notifications: int = 0
    escalation_level: int = 0
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution_note: str | None = None
    false_positive: bool = False
    incident_id: str | None = None
    updated_at: datetime | None = None

    @field_validator("id", "incident_id", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> str | None:
        return _text(value)


class Incident(IndexableRecord):
    """Alerts of one group that fired together, with the timeline of what happened."""

    id: str
    group_key: str = ""
    state: Literal["open", "resolved"] = "open"
    title: str = ""
    severity: Severity | None = None
    onset_at: datetime | None = None
    detected_at: datetime | None = None
    notified_at: datetime | None = None
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    timeline: list[dict[str, Any]] = Field(default_factory=list)
    created_at: datetime | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> str:
        return str(value)


def _alert(row: Any) -> Alert | None:
    return Alert.model_validate(row) if row else None


def _incident(row: Any) -> Incident | None:
    return Incident.model_validate(row) if row else None


class AlertRecords:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def _call(self, function: str, args: dict[str, Any] | None = None) -> Any:
        return await self._store.rpc(function, args or {})

    async def upsert_rule(self, name: str, spec: Row, source: str, actor: str) -> Row:
        row: Row = await self._call(
            "ops_alert_rule_upsert",
            {"p_name": name, "p_spec": spec, "p_source": source, "p_actor": actor},
        )
        return row

    async def set_enabled(self, name: str, enabled: bool) -> Row | None:
        row: Row | None = await self._call(
            "ops_alert_rule_set_enabled", {"p_name": name, "p_enabled": enabled}
        )
        return row

    async def delete_rule(self, name: str) -> bool:
        return int((await self._call("ops_alert_rule_delete", {"p_name": name}))["deleted"]) > 0

    async def rules(self) -> builtins.list[Row]:
        rows: builtins.list[Row] = await self._call("ops_alert_rule_list")
        return rows

    async def open_alerts(self, rule: str | None = None) -> builtins.list[Alert]:
        rows = await self._call("ops_alert_open_list", {"p_rule": rule})
        return [Alert.model_validate(r) for r in rows]

    async def open(self, alert: Row) -> Alert | None:
        return _alert(await self._call("ops_alert_open", {"p_alert": alert}))

    async def transition(
        self,
        alert_id: str,
        from_: str,
        to: str,
        at: datetime,
        actor: str,
        fields: Row | None = None,
    ) -> Alert | None:
        row = await self._call(
            "ops_alert_transition",
            {
                "p_id": alert_id,
                "p_from": from_,
                "p_to": to,
                "p_at": at,
                "p_actor": actor,
                "p_fields": fields or {},
            },
        )
        return _alert(row)

    async def touch(self, alert_id: str, at: datetime, value: float | None) -> None:
        await self._call("ops_alert_touch", {"p_id": alert_id, "p_at": at, "p_value": value})

    async def claim_notification(
        self,
        alert_id: str,
        previous: datetime | str | None,
        at: datetime,
        kind: str,
        *,
        escalation_level: int | None = None,
        detail: Row | None = None,
    ) -> Alert | None:
        row = await self._call(
            "ops_alert_claim_notification",
            {
                "p_id": alert_id,
                "p_previous": previous,
                "p_at": at,
                "p_kind": kind,
                "p_escalation_level": escalation_level,
                "p_detail": detail or {},
            },
        )
        return _alert(row)

    async def event(
        self, alert_id: str, at: datetime, kind: str, actor: str, detail: Row | None = None
    ) -> None:
        await self._call(
            "ops_alert_event_add",
            {
                "p_id": alert_id,
                "p_at": at,
                "p_kind": kind,
                "p_actor": actor,
                "p_detail": detail or {},
            },
        )

    async def get(self, alert_id: str) -> Alert | None:
        return _alert(await self._call("ops_alert_get", {"p_id": alert_id}))

    async def history(
        self,
        *,
        states: Sequence[str] | None = None,
        severity: str | None = None,
        rule: str | None = None,
        since: datetime | None = None,
        before: datetime | None = None,
        limit: int = 100,
    ) -> builtins.list[Alert]:
        rows = await self._call(
            "ops_alert_list",
            {
                "p_states": list(states) if states else None,
                "p_severity": severity,
                "p_rule": rule,
                "p_since": since,
                "p_before": before,
                "p_fired_only": True,
                "p_limit": limit,
            },
        )
        return [Alert.model_validate(r) for r in rows]

    async def create_silence(
        self,
        matchers: builtins.list[Row],
        starts: datetime,
        ends: datetime,
        actor: str,
        comment: str,
    ) -> Row:
        row: Row = await self._call(
            "ops_silence_create",
            {
                "p_matchers": matchers,
                "p_starts": starts,
                "p_ends": ends,
                "p_actor": actor,
                "p_comment": comment,
            },
        )
        return row

    async def silences(self, active_at: datetime | None = None) -> builtins.list[Row]:
        rows: builtins.list[Row] = await self._call("ops_silence_list", {"p_active_at": active_at})
        return rows

    async def expire_silence(self, silence_id: str) -> Row | None:
        row: Row | None = await self._call("ops_silence_expire", {"p_id": silence_id})
        return row

    async def create_window(self, window: Row, actor: str) -> Row:
        row: Row = await self._call(
            "ops_maintenance_create", {"p_window": window, "p_actor": actor}
        )
        return row

    async def windows(self) -> builtins.list[Row]:
        rows: builtins.list[Row] = await self._call("ops_maintenance_list")
        return rows

    async def delete_window(self, window_id: str) -> bool:
        out = await self._call("ops_maintenance_delete", {"p_id": window_id})
        return int(out["deleted"]) > 0

    async def attach_incident(
        self, alert_id: str, key: str, title: str, severity: str, onset: Any, detected: Any
    ) -> Incident:
        row = await self._call(
            "ops_incident_attach",
            {
                "p_alert_id": alert_id,
                "p_key": key,
                "p_title": title,
                "p_severity": severity,
                "p_onset": onset,
                "p_detected": detected,
            },
        )
        return Incident.model_validate(row)

    async def incident_event(
        self, incident_id: str, kind: str, at: datetime, actor: str, detail: Row | None = None
    ) -> Incident | None:
        row = await self._call(
            "ops_incident_event",
            {
                "p_id": incident_id,
                "p_kind": kind,
                "p_at": at,
                "p_actor": actor,
                "p_detail": detail or {},
            },
        )
        return _incident(row)

    async def incidents(self, state: str | None = None, limit: int = 50) -> builtins.list[Incident]:
        rows = await self._call("ops_incident_list", {"p_state": state, "p_limit": limit})
        return [Incident.model_validate(r) for r in rows]

    async def incident(self, incident_id: str) -> Incident | None:
        return _incident(await self._call("ops_incident_get", {"p_id": incident_id}))

    async def kpi_data(self, since: datetime) -> Row:
        row: Row = await self._call("ops_alert_kpi_data", {"p_since": since})
        return row
