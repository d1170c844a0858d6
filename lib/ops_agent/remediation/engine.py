"""Auto-remediation: playbooks bound to alert rules, run under guards, verified afterwards.

A rule names its playbook in `remediation: {playbook: rollback | redeploy | dev_agent |
webhook, approval: bool, url: ...}`. Each firing alert of such a rule gets at most one live plan
per playbook, and an incident never gets two rollbacks (both enforced by the store). A plan is
approved by policy, waits for an operator (`pending_approval`), only pretends (dry-run), or is
skipped (off, hourly cap, cooldown); every decision is recorded with its reason and audited.
After acting, the agent checks within REMEDIATION_VERIFY_SECONDS that the alert resolved, and
pages people when it did not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ops_agent.alerts import AlertManagementTool
from ops_agent.remediation.guards import Policy, Recent, guard
from ops_agent.runtime import Runtime
from ops_agent.store import AuditEntry

log = logging.getLogger(__name__)


class RemediationEngine:
    def __init__(self, runtime: Runtime, *, clock: Callable[[], datetime] | None = None) -> None:
        self.runtime = runtime
        s = runtime.settings
        self.policy = Policy(
            mode=s.remediation_mode,
            approval=frozenset(a.strip() for a in s.remediation_approval.split(",") if a.strip()),
            max_per_hour=s.remediation_max_per_hour,
            cooldown_seconds=s.remediation_cooldown_seconds,
        )
        self.verify_seconds = s.remediation_verify_seconds
        self._now = clock or (lambda: datetime.now(UTC))

    async def _rpc(self, function: str, args: dict[str, Any]) -> Any:
        return await (await self.runtime.store()).rpc(function, args)

    async def _row(self, function: str, args: dict[str, Any]) -> dict[str, Any] | None:
        row: dict[str, Any] | None = await self._rpc(function, args)
        return row

    async def _audit(
        self, action: str, target: str, outcome: str, actor: str, **details: Any
    ) -> None:
        store = await self.runtime.store()
        await store.append_audit(
            AuditEntry(actor=actor, action=action, target=target, outcome=outcome, details=details)
        )

    # --- the loop's entry point ---

    async def run(self, alerts: AlertManagementTool | None = None) -> dict[str, Any]:
        """Plan for firing alerts, execute what is approved, verify what is due."""
        tool = alerts or await self.runtime.alerts()
        planned, executed = [], []
        rules = {r["name"]: r for r in await tool.list_rules()}
        for alert in await tool.get_active_alerts():
            rule = rules.get(alert["rule"])
            spec = (rule or {}).get("remediation") or {}
            if alert["state"] != "firing" or not spec.get("playbook"):
                continue
            action = await self.plan(alert, spec)
            if action is not None:
                planned.append({"id": str(action["id"]), "status": action["status"]})
        for action in await self._rpc(
            "ops_remediation_list", {"p_status": "approved", "p_limit": 50}
        ):
            done = await self.execute(action, tool)
            if done is not None:
                executed.append({"id": str(done["id"]), "status": done["status"]})
        verified = await self.verify(tool)
        return {"planned": planned, "executed": executed, "verified": verified}

    async def plan(self, alert: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any] | None:
        """Record a plan for an alert under the guards; None when one exists already."""
        now = self._now()
        playbook = str(spec["playbook"])
        labels = alert.get("labels") or {}
        project = labels.get("project") or self.runtime.settings.vercel_project or "unknown"
        environment = labels.get("environment", "production")
        recent_raw = await self._rpc(
            "ops_remediation_recent",
            {"p_since": now - timedelta(hours=1), "p_target": project},
        )
        in_cooldown = await self._rpc(
            "ops_remediation_recent",
            {"p_since": now - timedelta(seconds=self.policy.cooldown_seconds), "p_target": project},
        )
        verdict, reason = guard(
            self.policy,
            playbook,
            environment,
            Recent(int(recent_raw["total"]), int(in_cooldown["on_target"])),
            rule_requires_approval=bool(spec.get("approval")),
        )
        action = await self._row(
            "ops_remediation_plan",
            {
                "p_action": {
                    "alert_id": str(alert["id"]),
                    "incident_id": str(alert["incident_id"]) if alert.get("incident_id") else None,
                    "playbook": playbook,
                    "target": project,
                    "status": verdict,
                    "reason": f"{alert['rule']}: {reason}",
                    "decided_by": "policy",
                    "result": {"spec": spec, "environment": environment},
                }
            },
        )
        if action is not None:
            await self._audit(
                f"remediation.{playbook}.plan",
                project,
                verdict,
                "agent",
                alert=str(alert["id"]),
                reason=reason,
            )
        return action

    async def approve(self, action_id: str, by: str) -> dict[str, Any] | None:
        """An operator lets a pending action run (on the next tick, or now via `run`)."""
        row = await self._row(
            "ops_remediation_set",
            {
                "p_id": action_id,
                "p_from": ["pending_approval"],
                "p_to": "approved",
                "p_fields": {"decided_by": by},
            },
        )
        if row is not None:
            await self._audit("remediation.approve", action_id, "ok", by)
        return row

    async def reject(self, action_id: str, by: str) -> dict[str, Any] | None:
        row = await self._row(
            "ops_remediation_set",
            {
                "p_id": action_id,
                "p_from": ["pending_approval", "approved"],
                "p_to": "rejected",
                "p_fields": {"decided_by": by},
            },
        )
        if row is not None:
            await self._audit("remediation.reject", action_id, "ok", by)
        return row

    async def execute(
        self, action: dict[str, Any], alerts: AlertManagementTool
    ) -> dict[str, Any] | None:
        """Run an approved action once (the running claim is atomic)."""
        claimed = await self._rpc(
            "ops_remediation_set",
            {"p_id": str(action["id"]), "p_from": ["approved"], "p_to": "running"},
        )
        if claimed is None:
            return None
        playbook = claimed["playbook"]
        alert = await alerts.get_alert(str(claimed["alert_id"])) if claimed.get("alert_id") else {}
        try:
            result = await self._run_playbook(playbook, claimed, alert)
            status = "succeeded"
        except Exception as exc:  # a failed remediation is recorded and escalated, not raised
            log.warning("remediation %s failed: %s", playbook, exc)
            result, status = {"error": f"{type(exc).__name__}: {exc}"}, "failed"
        verify_by = self._now() + timedelta(seconds=self.verify_seconds)
        done = await self._row(
            "ops_remediation_set",
            {
                "p_id": str(claimed["id"]),
                "p_from": ["running"],
                "p_to": status,
                "p_fields": {"result": result, "verify_by": verify_by.isoformat()},
            },
        )
        if claimed.get("alert_id"):
            await alerts.record_action(
                str(claimed["alert_id"]), f"{playbook} ({status})", by="agent", detail=result
            )
        await self._audit(f"remediation.{playbook}", claimed["target"], status, "agent", **result)
        if status == "failed":
            await self._page(alerts, alert, f"automatic {playbook} failed: {result['error']}")
        return done

    async def _run_playbook(
        self, playbook: str, action: dict[str, Any], alert: dict[str, Any]
    ) -> dict[str, Any]:
        spec = (action.get("result") or {}).get("spec") or {}
        project = action["target"]
        reason = f"alert {alert.get('rule')}: {alert.get('summary') or ''}"[:500]
        if playbook == "rollback":
            tool = await self.runtime.deployments()
            done = await tool.rollback(project=project, reason=reason, actor="agent")
            return {"from_deployment": done.from_deployment, "to_deployment": done.to_deployment}
        if playbook == "redeploy":
            tool = await self.runtime.deployments()
            environment = (action.get("result") or {}).get("environment", "production")
            status = await tool.deploy(project, environment, actor="agent", reason=reason)
            return {"deployment_id": status.id, "deployment_url": status.url}
        url = spec.get("url") if playbook == "webhook" else self.runtime.settings.dev_agent_url
        if not url:
            raise ValueError(f"{playbook}: no URL (set DEV_AGENT_URL, or url in the rule)")
        payload = await self._handoff(alert, project)
        result = await (await self.runtime.notifier()).send_webhook(
            url, payload, event_type=f"ops_agent.{playbook}", alert_id=str(alert.get("id"))
        )
        if not result.delivered:
            raise RuntimeError(result.error or "not delivered")
        return {"delivered_to": result.destination}

    async def _handoff(self, alert: dict[str, Any], project: str) -> dict[str, Any]:
        """What another agent needs to fix it: the alert, its incident, the error patterns and
        the suspected deployment."""
        logs = await self.runtime.logs()
        patterns = await logs.analyze_error_patterns("1h", None, limit=5)
        anomalies = await logs.detect_anomalies("1h", None)
        suspects = [a.suspected_deployment for a in anomalies if a.suspected_deployment]
        return {
            "project": project,
            "alert": {
                k: str(v) if k in ("id", "incident_id") else v
                for k, v in alert.items()
                if k not in ("events",)
            },
            "patterns": [p.as_dict() for p in patterns],
            "suspected_deployment": suspects[0] if suspects else None,
        }

    async def verify(self, alerts: AlertManagementTool) -> list[dict[str, Any]]:
        """For actions whose verification time came: did the alert resolve? If not, page."""
        out = []
        for action in await self._rpc("ops_remediation_due_verification", {"p_now": self._now()}):
            alert = (
                await alerts.get_alert(str(action["alert_id"])) if action.get("alert_id") else None
            )
            recovered = alert is None or alert["state"] == "resolved"
            row = await self._rpc(
                "ops_remediation_set",
                {
                    "p_id": str(action["id"]),
                    "p_from": ["succeeded"],
                    "p_to": "succeeded",
                    "p_fields": {"verified": recovered},
                },
            )
            if row is None:
                continue
            out.append({"id": str(action["id"]), "recovered": recovered})
            if not recovered and alert is not None:
                await self._page(alerts, alert, f"the {action['playbook']} did not bring it back")
        return out

    async def _page(self, alerts: AlertManagementTool, alert: dict[str, Any], why: str) -> None:
        """Escalate to people: the alert is still bad after (or despite) what the agent did."""
        if not alert:
            return
        await alerts.records.event(
            str(alert["id"]), self._now(), "escalated", "agent", {"reason": why}
        )
        from ops_agent.notify import CHANNELS, Notification, Severity

        notifier = await self.runtime.notifier()
        await notifier.send_many(
            [
                Notification(
                    channel=channel,
                    severity=Severity.CRITICAL,
                    subject=f"[NEEDS A PERSON] {alert['rule']}",
                    title=f"{alert['rule']} needs a person",
                    body=why,
                    alert_id=str(alert["id"]),
                    kind="remediation_failed",
                    dedup_key=f"remediation-page:{alert['id']}:{why}:{channel}",
                )
                for channel in alerts.available
                if channel in CHANNELS
            ]
        )
