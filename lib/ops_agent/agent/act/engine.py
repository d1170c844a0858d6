"""Auto-remediation: playbooks bound to alert rules, run under guards, verified afterwards.

A rule names its playbook in `remediation: {playbook: rollback | redeploy | dev_agent |
webhook, approval: bool, url: ...}`. Each firing alert of such a rule gets at most one live plan
per playbook, and an incident never gets two rollbacks (both enforced by the store). A plan is
approved by policy, waits for an operator (`pending_approval`), only pretends (dry-run), or is
skipped (off, hourly cap, cooldown); every decision is recorded with its reason and audited.
After acting, the agent checks within REMEDIATION_VERIFY_SECONDS that the alert resolved, and
pages people when it did not.

Two decisions come from evidence rather than from the rule alone: a rollback runs only when a
production deployment went live within REMEDIATION_CORRELATION_SECONDS before the regression's
onset (and rolls away from that one), and a failed build is redeployed only when its log says
the failure was transient (`diagnosis.py`). Playbooks bound to log anomaly kinds (`on_anomaly`)
and actions no alert announced are told to people once they ran.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from ops_agent.agent.act.announce import page, subject, tell
from ops_agent.agent.act.decide import Candidate, Held, remediation_candidates
from ops_agent.agent.act.diagnosis import diagnose_build
from ops_agent.agent.act.guards import Policy, Recent, Verdict, guard
from ops_agent.agent.act.playbooks import run_playbook
from ops_agent.agent.act.records import RemediationAction, RemediationRecords, Status
from ops_agent.agent.act.tools import Tools
from ops_agent.alerts import Situation
from ops_agent.alerts.records import Alert
from ops_agent.logs.anomalies import DeploymentMark, suspect_deployment
from ops_agent.monitoring.config import AnomalyPlaybook
from ops_agent.observations import Observation
from ops_agent.remediation_spec import PlaybookName, RemediationSpec
from ops_agent.store.audit import record
from ops_agent.timestamps import as_datetime
from ops_agent.vercel.errors import VercelError, VercelNotFound

log = logging.getLogger(__name__)


class RemediationEngine:
    def __init__(self, tools: Tools, *, clock: Callable[[], datetime] | None = None) -> None:
        self.tools = tools
        s = tools.settings
        self.policy = Policy(
            mode=s.remediation_mode,
            approval=frozenset(a.strip() for a in s.remediation_approval.split(",") if a.strip()),
            max_per_hour=s.remediation_max_per_hour,
            cooldown_seconds=s.remediation_cooldown_seconds,
        )
        self.verify_seconds = s.remediation_verify_seconds
        self.correlation = timedelta(seconds=s.remediation_correlation_seconds)
        self._now = clock or tools.now
        self.records = RemediationRecords(tools.store)

    async def _audit(
        self, action: str, target: str, outcome: str, actor: str, **details: Any
    ) -> None:
        await record(self.tools.store, action, target, outcome=outcome, actor=actor, **details)

    # --- the loop's entry point ---

    async def run(self, situation: Situation | None = None) -> dict[str, Any]:
        """Decide from `situation` (read anew when not given) and act: plan for the firing
        alerts, execute what is approved, verify what is due."""
        alerts = self.tools.alerts
        candidates, held = remediation_candidates(situation or await alerts.situation())
        return await self.act(candidates, held)

    async def act(self, candidates: Sequence[Candidate], held: Sequence[Held]) -> dict[str, Any]:
        """Record a plan for each candidate under the guards, audit what is held back (once a
        day per alert), execute what is approved, verify what is due."""
        planned, executed = [], []
        quiet = [{"alert": h.alert.id, "reason": h.reason} for h in held]
        kv = self.tools.kv
        for h in held:
            # Audited once a day per alert, not on every tick it stays quiet.
            if await kv.set_if_absent(f"remediation:held:{h.alert.id}", ttl=86400):
                await self._audit(
                    f"remediation.{h.playbook}.held",
                    h.alert.id,
                    "held",
                    "agent",
                    reason=h.reason,
                )
        for candidate in candidates:
            action = await self.plan(candidate.alert, candidate.spec)
            if action is not None:
                planned.append(
                    {
                        "id": action.id,
                        "playbook": action.playbook,
                        "status": action.status,
                        "reason": action.reason,
                    }
                )
        for action in await self.records.list("approved", 50):
            done = await self.execute(action)
            if done is not None:
                executed.append({"id": done.id, "status": done.status})
        verified = await self.verify()
        return {"planned": planned, "executed": executed, "verified": verified, "quiet": quiet}

    async def plan(self, alert: Alert, spec: RemediationSpec) -> RemediationAction | None:
        """Record a plan for an alert under the guards; None when one exists already."""
        playbook = spec.playbook
        labels = alert.labels
        project = labels.get("project") or self.tools.settings.vercel_project or "unknown"
        environment = labels.get("environment", "production")
        verdict, reason = await self._guard(playbook, project, environment, spec.approval)
        result: dict[str, Any] = {
            "spec": spec.model_dump(exclude_none=True),
            "environment": environment,
        }
        if playbook == "rollback" and verdict != "skipped":
            suspect = await self._suspect(
                project, as_datetime(alert.get("onset_at")) or self._now()
            )
            if suspect is None:
                verdict = "skipped"
                reason = (
                    "no production deployment went live in the "
                    f"{int(self.correlation.total_seconds() // 60)} min before the onset; "
                    "rolling back would be a guess"
                )
            else:
                result["suspected_deployment"] = suspect["id"]
                minutes = max(0, int(suspect["lag_seconds"]) // 60)
                reason += f"; {suspect['id']} went live {minutes} min before onset"
        return await self._record_plan(
            playbook, project, verdict, f"{alert['rule']}: {reason}", result, alert
        )

    async def on_failed_build(self, observation: Observation) -> dict[str, Any]:
        """A deployment failed to build: redeploy it once when the failure was transient;
        otherwise record why not (the Dev Agent gets code failures when DEV_AGENT_URL is set)."""
        fact = observation.payload
        deployment_id = str(observation.subject or fact.get("id"))
        project = str(fact.get("project_name") or fact.get("project_id") or "unknown")
        environment = str(fact.get("target") or "preview")
        tool = self.tools.deployments
        failed = await tool.client.get_deployment(deployment_id)
        events = await tool.client.build_events(deployment_id, limit=200, direction="backward")
        diagnosis = diagnose_build(
            failed.error_code, failed.error_message, [e.text for e in events if e.text]
        )
        playbook: PlaybookName = "redeploy" if diagnosis.redeploy_may_fix else "dev_agent"
        if playbook == "dev_agent" and not self.tools.settings.dev_agent_url:
            await self._audit(
                "remediation.build_failure",
                deployment_id,
                "not_actionable",
                "agent",
                cause=diagnosis.cause,
                evidence=diagnosis.evidence,
            )
            return {"deployment": deployment_id, "cause": diagnosis.cause, "planned": None}
        verdict, reason = await self._guard(playbook, project, environment, False)
        action = await self._record_plan(
            playbook,
            project,
            verdict,
            f"build of {deployment_id} failed ({diagnosis.cause}: {diagnosis.evidence}): {reason}",
            {
                "environment": environment,
                "failed_deployment": deployment_id,
                "cause": diagnosis.cause,
                "evidence": diagnosis.evidence,
            },
            None,
        )
        return {
            "deployment": deployment_id,
            "cause": diagnosis.cause,
            "planned": playbook if action else None,
            "status": action.status if action else None,
        }

    async def on_anomaly(
        self, observation: Observation, binding: AnomalyPlaybook
    ) -> dict[str, Any]:
        """A log anomaly whose kind has a playbook: plan it under the guards. A rollback needs
        the production deployment the anomaly followed; without one it is a guess and skipped."""
        anomaly = observation.payload
        suspect_id = (anomaly.get("suspected_deployment") or {}).get("id")
        history = self.tools.deployments.history
        suspect = await history.get(suspect_id) if suspect_id else None
        project = (
            binding.project
            or (suspect.project_name or suspect.project_id if suspect else None)
            or self.tools.settings.vercel_project
            or "unknown"
        )
        verdict, reason = await self._guard(
            binding.playbook, project, "production", binding.approval
        )
        if binding.playbook == "rollback" and verdict != "skipped":
            if suspect is None or suspect.target != "production":
                verdict, reason = (
                    "skipped",
                    "no production deployment preceded it; a rollback would be a guess",
                )
            else:
                lag = int(anomaly["suspected_deployment"].get("lag_seconds") or 0)
                # Anomalies are dated by their bucket: one may seem to start just before.
                when = f"{lag // 60} min after" if lag >= 60 else "within a minute of"
                reason += f"; it started {when} {suspect.id} going live"
        action = await self._record_plan(
            binding.playbook,
            project,
            verdict,
            f"{observation.kind} ({anomaly.get('summary')}): {reason}",
            {
                "spec": binding.model_dump(exclude_none=True),
                "environment": "production",
                "anomaly": {k: anomaly.get(k) for k in ("kind", "subject", "score", "started_at")},
                **({"suspected_deployment": suspect.id} if suspect else {}),
            },
            None,
        )
        return {
            "anomaly": observation.kind,
            "playbook": binding.playbook,
            "status": action.status if action else None,
            "reason": reason,
        }

    async def _guard(
        self, playbook: str, project: str, environment: str, rule_requires_approval: bool
    ) -> tuple[Verdict, str]:
        now, records = self._now(), self.records
        last_hour, _ = await records.counted_since(now - timedelta(hours=1), project)
        _, in_cooldown = await records.counted_since(
            now - timedelta(seconds=self.policy.cooldown_seconds), project
        )
        return guard(
            self.policy,
            playbook,
            environment,
            Recent(last_hour, in_cooldown),
            rule_requires_approval=rule_requires_approval,
        )

    async def _suspect(self, project: str, onset: datetime) -> dict[str, Any] | None:
        """The production deployment that went live within the correlation window before
        `onset`, or None."""
        history = self.tools.deployments.history
        rows = await history.list(
            project=project,
            target="production",
            states=["READY"],
            since=onset - 2 * self.correlation,
        )
        marks = [DeploymentMark(r.id, r.promoted_at or r.ready_at or r.created_at) for r in rows]
        return suspect_deployment(onset, marks, self.correlation)

    async def _record_plan(
        self,
        playbook: PlaybookName,
        project: str,
        verdict: Verdict,
        reason: str,
        result: dict[str, Any],
        alert: Alert | None,
    ) -> RemediationAction | None:
        action = await self.records.plan(
            alert_id=alert.id if alert else None,
            incident_id=alert.incident_id if alert else None,
            playbook=playbook,
            target=project,
            status=verdict,
            reason=reason,
            result=result,
            requested_at=self._now(),
        )
        if action is not None:
            await self._audit(
                f"remediation.{playbook}.plan",
                project,
                verdict,
                "agent",
                alert=alert.id if alert else None,
                reason=reason,
            )
        return action

    async def approve(self, action_id: str, by: str) -> RemediationAction | None:
        """An operator lets a pending action run (on the next tick, or now via `execute`);
        None when it is not waiting for a decision."""
        row = await self.records.move(action_id, ["pending_approval"], "approved", decided_by=by)
        if row is not None:
            await self._audit("remediation.approve", action_id, "ok", by)
        return row

    async def reject(self, action_id: str, by: str) -> RemediationAction | None:
        """An operator refuses a waiting action; None when it is not waiting."""
        row = await self.records.move(
            action_id, ["pending_approval", "approved"], "rejected", decided_by=by
        )
        if row is not None:
            await self._audit("remediation.reject", action_id, "ok", by)
        return row

    async def execute(self, action: RemediationAction) -> RemediationAction | None:
        """Run an approved action once (the running claim is atomic)."""
        records = self.records
        claimed = await records.move(action.id, ["approved"], "running")
        if claimed is None:
            return None
        playbook = claimed.playbook
        alerts = self.tools.alerts
        alert = await alerts.get_alert(claimed.alert_id) if claimed.alert_id else None
        status: Status
        try:
            result = await run_playbook(self.tools, claimed, alert)
            status = "succeeded"
        except Exception as exc:  # a failed remediation is recorded and escalated, not raised
            log.warning("remediation %s failed: %s", playbook, exc)
            result, status = {"error": f"{type(exc).__name__}: {exc}"}, "failed"
        verify_by = self._now() + timedelta(seconds=self.verify_seconds)
        done = await records.move(
            claimed.id, ["running"], status, result=result, verify_by=verify_by
        )
        if claimed.alert_id:
            await alerts.record_action(
                claimed.alert_id, f"{playbook} ({status})", by="agent", detail=result
            )
        await self._audit(f"remediation.{playbook}", claimed.target, status, "agent", **result)
        if status == "failed":
            why = f"automatic {playbook} failed: {result['error']}"
            await page(self.tools, alert or subject(claimed), why, self._now())
        elif not claimed.alert_id or result.get("production_pinned"):
            # No alert told anyone about this one (a failed build, a log anomaly), or the
            # rollback pinned production (the team's next pushes will not go live until a
            # promotion): say what was done and why.
            await tell(self.tools, claimed, result)
        return done

    async def verify(self) -> list[dict[str, Any]]:
        """For actions whose verification time came: did the alert resolve? If not, page."""
        out = []
        records = self.records
        for action in await records.due_verification(self._now()):
            alerts = self.tools.alerts
            alert = await alerts.get_alert(action.alert_id) if action.alert_id else None
            if alert is not None:
                recovered = alert["state"] == "resolved"
            else:
                try:
                    recovered = await self._deployment_recovered(action)
                except VercelNotFound:
                    recovered = False  # the deployment it started is gone
                except VercelError as exc:  # Vercel unreachable: verify on the next tick
                    log.warning("verification of %s postponed: %s", action.id, exc)
                    continue
            row = await records.move(action.id, ["succeeded"], "succeeded", verified=recovered)
            if row is None:
                continue
            out.append({"id": action.id, "recovered": recovered})
            if not recovered:
                why = f"the {action.playbook} did not bring it back"
                await page(self.tools, alert or subject(action), why, self._now())
        return out

    async def _deployment_recovered(self, action: RemediationAction) -> bool:
        """An action with no alert worked when what it set out to change did change: the
        deployment a redeploy started is READY, or the deployment a rollback left no longer
        serves production. A hand-off worked when it was delivered."""
        facts = action.result
        tool = self.tools.deployments
        if facts.get("deployment_id"):
            status = await tool.get_deployment_status(facts["deployment_id"])
            return (status.state or "").upper() == "READY"
        if action.playbook == "rollback" and facts.get("suspected_deployment"):
            project = await tool.client.get_project(action.target)
            return bool(project.production_deployment_id != facts["suspected_deployment"])
        return True
