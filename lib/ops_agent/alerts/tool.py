"""AlertManagementTool: rules, evaluation and lifecycle, routing (silences, maintenance,
inhibition, grouping), notifications with reminders and escalation, incidents and KPIs.

Evaluation is safe to run from two places at once: a KV lock keeps evaluators apart when the
KV is there, and every change is a conditional update in the store, so even two evaluators
that both got through cannot open, fire, notify or escalate the same alert twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ops_agent.alerts import pipeline
from ops_agent.alerts.kpis import compute
from ops_agent.alerts.lifecycle import decide, onset
from ops_agent.alerts.matching import MaintenanceWindow, Matcher, Silence, quieted
from ops_agent.alerts.records import Alert, AlertRecords, Incident, Row
from ops_agent.alerts.rules import AlertRule, RuleError
from ops_agent.alerts.situation import Situation
from ops_agent.errors import Conflict, InvalidInput, NotFound, Unprocessable
from ops_agent.kv import KV
from ops_agent.kv.default import DefaultKV
from ops_agent.monitoring.metrics import Metrics
from ops_agent.monitoring.query import QueryError
from ops_agent.notify import NotificationService
from ops_agent.store import Store
from ops_agent.store.audit import current_actor, record
from ops_agent.store.default import DefaultStore

log = logging.getLogger(__name__)

EVALUATION_LOCK = "lock:alerts:evaluate"


class UnknownAlert(NotFound):
    """No alert (or rule, or silence) with that id or name."""

    def __init__(self, what: str) -> None:
        super().__init__(f"no {what}")


class AlertStateConflict(Conflict):
    """The alert is not in a state where this can be done (resolved already, changed)."""


class RuleConflict(Conflict):
    """The rule is managed by the config file; change it there."""


@dataclass
class EvaluationReport:
    rules: int = 0
    opened: list[str] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    notified: int = 0
    quieted: int = 0
    reminders: int = 0
    escalations: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: str | None = None
    situation: Situation | None = None  # what the evaluation saw; not part of the report

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "situation"}


def _situation(
    now: datetime,
    rules: dict[str, AlertRule],
    open_alerts: list[Alert],
    silences: Sequence[Silence],
    windows: Sequence[MaintenanceWindow],
) -> Situation:
    quiet = {
        a.id: muted.reason
        for a in open_alerts
        if (muted := quieted(a.labels, now, silences, windows))
    }
    return Situation(now, rules, open_alerts, quiet)


class _Configured:
    """The default of a dependency: the process's configured one."""


CONFIGURED = _Configured()


class AlertManagementTool:
    """Alerts over the agent's metrics, delivered through the NotificationService."""

    def __init__(
        self,
        notification_service: NotificationService | None = None,
        default_email_recipient: str | None = None,
        default_slack_channel: str | None = None,
        *,
        store: Store | None = None,
        kv: KV | _Configured | None = CONFIGURED,
        available_channels: Sequence[str] = ("email", "slack"),
        config_rules: Sequence[dict[str, Any]] | None = None,
        config_path: Path | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.notifier = notification_service
        self.email_to = default_email_recipient
        self.slack_channel = default_slack_channel
        # Not given: the configured store and KV, opened on first use. kv=None: no evaluation
        # lock (one evaluator at a time is then the caller's business).
        store = store or DefaultStore()
        self.store = store
        self.kv = DefaultKV() if isinstance(kv, _Configured) else kv
        self.records = AlertRecords(store)
        self.available = list(available_channels)
        self._now = clock or (lambda: datetime.now(UTC))
        self.metrics = Metrics(store, clock=self._now)
        if config_rules is None and config_path is not None:
            from ops_agent.monitoring.config import load_config

            config_rules = load_config(config_path).alerts
        self._file_rules = [self.parse_rule(r) for r in (config_rules or [])]

    # --- rules ---

    @staticmethod
    def parse_rule(spec: dict[str, Any]) -> AlertRule:
        from pydantic import ValidationError

        try:
            return AlertRule.model_validate(spec)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            context = first.get("ctx") or {}
            # A validator's own words, without the framework's "Value error, " in front.
            said = str(context["error"]) if "error" in context else first["msg"]
            position = context.get("position")
            raise RuleError(
                f"{where}: {said}".removeprefix(": "),
                position if isinstance(position, int) else None,
            ) from None

    async def create_alert_rule(
        self,
        name: str,
        condition: str,
        severity: str = "high",
        channels: Sequence[str] | None = None,
        for_: str | int = 0,
        labels: dict[str, str] | None = None,
        description: str | None = None,
        runbook_url: str | None = None,
        remediation: dict[str, Any] | None = None,
        *,
        actor: str = "api",
        **options: Any,
    ) -> AlertRule:
        """Create or replace a rule. A condition that does not parse raises RuleError naming
        the position."""
        try:
            from ops_agent.monitoring.query import parse

            parse(condition)
        except QueryError as exc:
            raise RuleError(f"condition: {exc.message}", exc.position) from None
        spec = {
            "name": name,
            "condition": condition,
            "severity": severity,
            "for": for_,
            "labels": labels or {},
            "description": description,
            "runbook_url": runbook_url,
            "remediation": remediation,
            **options,
        }
        if channels is not None:
            spec["channels"] = list(channels)
        rule = self.parse_rule(spec)
        return await self.save_rule(rule, actor=actor)

    async def save_rule(self, rule: AlertRule, *, actor: str = "api") -> AlertRule:
        if any(r.name == rule.name for r in self._file_rules):
            raise RuleConflict(f"{rule.name} is managed in the config file; change it there")
        await self.records.upsert_rule(rule.name, rule.spec(), "api", actor)
        if not rule.enabled:
            await self.records.set_enabled(rule.name, False)
        await self._audit(actor, "alerts.rule.save", rule.name, severity=rule.severity)
        return rule

    async def update_alert_rule(
        self, name: str, *, actor: str = "api", **changes: Any
    ) -> AlertRule:
        current = await self.get_rule(name)
        spec = {**current.spec(), **changes}
        for key in (
            "for_seconds",
            "keep_firing_for_seconds",
            "repeat_interval_seconds",
            "escalate_after_seconds",
        ):
            alias = key.removesuffix("_seconds")
            if alias in spec:
                spec[key] = spec.pop(alias)
        return await self.save_rule(self.parse_rule(spec), actor=actor)

    async def set_rule_enabled(self, name: str, enabled: bool, *, actor: str = "api") -> None:
        """Enable or disable a rule; disabling resolves its open alerts, saying why."""
        if await self.records.set_enabled(name, enabled) is None:
            raise UnknownAlert(f"rule {name!r}")
        if not enabled:
            await self._close_alerts_of(name, "rule disabled", actor)
        await self._audit(actor, "alerts.rule." + ("enable" if enabled else "disable"), name)

    async def delete_alert_rule(self, name: str, *, actor: str = "api") -> bool:
        if any(r.name == name for r in self._file_rules):
            raise RuleConflict(f"{name} is managed in the config file; remove it there")
        deleted = await self.records.delete_rule(name)
        if deleted:
            await self._close_alerts_of(name, "rule deleted", actor)
            await self._audit(actor, "alerts.rule.delete", name)
        return deleted

    async def _close_alerts_of(self, rule: str, why: str, actor: str) -> None:
        """A rule that no longer runs leaves no alert open: each is resolved, with `why` in
        its history (an alert another writer moved meanwhile is left as it is)."""
        now = self._now()
        for alert in await self.records.open_alerts(rule):
            await self.records.transition(
                alert.id, alert.state, "resolved", now, actor, {"note": why}
            )

    async def list_rules(self) -> list[dict[str, Any]]:
        return [
            {**row["spec"], "enabled": row["enabled"], "source": row["source"]}
            for row in await self.sync_file_rules()
        ]

    async def get_rule(self, name: str) -> AlertRule:
        for row in await self.records.rules():
            if row["name"] == name:
                return self.parse_rule({**row["spec"], "enabled": row["enabled"]})
        raise UnknownAlert(f"rule {name!r}")

    async def sync_file_rules(self) -> list[Row]:
        """Store the config file's rules (marked file-managed), drop ones it no longer has,
        and return every stored rule (read again only when something changed)."""
        rows = await self.records.rules()
        stored = {r["name"]: r for r in rows}
        wanted = {r.name: r for r in self._file_rules}
        changed = False
        for name, rule in wanted.items():
            row = stored.get(name)
            if row is None or row["spec"] != rule.spec() or row["source"] != "file":
                await self.records.upsert_rule(name, rule.spec(), "file", "config")
                changed = True
        for name, row in stored.items():
            if row["source"] == "file" and name not in wanted:
                await self.records.delete_rule(name)
                await self._close_alerts_of(name, "rule removed from the config file", "config")
                changed = True
        return await self.records.rules() if changed else rows

    # --- evaluation ---

    async def evaluate(self, projects: Collection[str] | None = None) -> EvaluationReport:
        """Evaluate every enabled rule once and act on what changed. With `projects` (names or
        ids), only the rules about one of them or about no project in particular: what a
        delivery for those projects can change."""
        if self.kv is not None:
            lock = await self.kv.try_lock(EVALUATION_LOCK, ttl=55)
            if lock is None:
                return EvaluationReport(skipped="another evaluation is running")
            try:
                return await self._evaluate(projects)
            finally:
                await lock.release()
        return await self._evaluate(projects)

    async def _evaluate(self, projects: Collection[str] | None = None) -> EvaluationReport:
        now = self._now()
        report = EvaluationReport()
        rules = await self._enabled_rules()
        evaluated = [
            rule
            for rule in rules.values()
            if projects is None or rule.labels.get("project") in (None, *projects)
        ]
        report.rules = len(evaluated)
        open_by_fp = {a["fingerprint"]: a for a in await self.records.open_alerts()}
        newly_firing: list[Alert] = []
        for rule in evaluated:
            try:
                window = max(rule.for_seconds + 600, 900)
                result = await self.metrics.query(rule.condition, timedelta(seconds=window), 60)
            except (InvalidInput, Unprocessable) as exc:  # the rule, not the store
                report.errors.append(f"{rule.name}: {exc}")
                continue
            holds = result.latest is not None
            alert = open_by_fp.get(rule.fingerprint())
            decision = decide(rule, alert, holds, now)
            changed = await self._apply(rule, alert, decision.action, now, result, report)
            if (
                changed is not None
                and changed["state"] == "firing"
                and decision.action in ("open_firing", "fire")
            ):
                newly_firing.append(changed)
        # One read of what is open after the changes serves inhibition, reminders and the
        # Situation; the newly firing alerts are those same objects, so the incidents
        # AttachIncident gives them show in the Situation too.
        open_now = await self.records.open_alerts()
        current = {a.id: a for a in open_now}
        fired = [current.get(a.id, a) for a in newly_firing]
        silences, windows = await self._quiet_reasons(now) if open_now else ([], [])
        await self._notify_new(rules, fired, now, report, silences, windows, open_now)
        await self._reminders_and_escalations(rules, open_now, now, report)
        report.situation = _situation(now, rules, open_now, silences, windows)
        return report

    async def situation(self) -> Situation:
        """The situation as it stands now, read the way an evaluation reads it (for a caller
        no evaluation just preceded)."""
        now = self._now()
        open_now = await self.records.open_alerts()
        silences, windows = await self._quiet_reasons(now) if open_now else ([], [])
        return _situation(now, await self._enabled_rules(), open_now, silences, windows)

    async def _enabled_rules(self) -> dict[str, AlertRule]:
        return {
            row["name"]: self.parse_rule(row["spec"])
            for row in await self.sync_file_rules()
            if row["enabled"]
        }

    async def _apply(
        self,
        rule: AlertRule,
        alert: Alert | None,
        action: str,
        now: datetime,
        result: Any,
        report: EvaluationReport,
    ) -> Alert | None:
        value = result.latest
        if action in ("open_pending", "open_firing"):
            row = await self.records.open(
                {
                    "fingerprint": rule.fingerprint(),
                    "rule": rule.name,
                    "severity": rule.severity,
                    "labels": rule.labels,
                    "group_key": rule.group_key(),
                    "state": "firing" if action == "open_firing" else "pending",
                    "summary": rule.description or rule.condition,
                    "value": value,
                    "onset_at": onset(result.points, now).isoformat(),
                    "at": now.isoformat(),
                }
            )
            if row is not None:
                report.opened.append(rule.name)
                if row["state"] == "firing":
                    report.fired.append(rule.name)
            return row
        if alert is None:
            return None
        if action == "fire":
            row = await self.records.transition(
                alert["id"],
                "pending",
                "firing",
                now,
                "agent",
                {"value": value, "last_true_at": now.isoformat()},
            )
            if row is not None:
                report.fired.append(rule.name)
            return row
        if action == "touch":
            await self.records.touch(alert["id"], now, value)
            return None
        if action in ("resolve", "clear"):
            row = await self.records.transition(
                alert["id"],
                alert["state"],
                "resolved",
                now,
                "agent",
                {"note": "condition no longer holds"},
            )
            if row is not None and row["fired"]:
                report.resolved.append(rule.name)
                await self._on_resolved(rule, row, now, report)
            return row
        return None

    # --- notifications ---

    async def _quiet_reasons(self, now: datetime) -> tuple[list[Silence], list[MaintenanceWindow]]:
        silences = [
            Silence.model_validate({**s, "id": str(s["id"])})
            for s in await self.records.silences(now)
        ]
        windows = [
            MaintenanceWindow.model_validate({**w, "id": str(w["id"])})
            for w in await self.records.windows()
        ]
        return silences, windows

    async def quiet_reason(self, labels: dict[str, str]) -> str | None:
        """Why alerts with these labels are quiet now (a silence or a maintenance window), or
        None. The agent does not remediate quiet alerts: planned work may be the cause."""
        now = self._now()
        silences, windows = await self._quiet_reasons(now)
        muted = quieted(labels, now, silences, windows)
        return muted.reason if muted else None

    def _flow(self, rules: dict[str, AlertRule], now: datetime) -> pipeline.Flow:
        return pipeline.Flow(
            self.records,
            self.notifier,
            rules,
            self.available,
            now,
            email_to=self.email_to,
            slack_channel=self.slack_channel,
        )

    async def _notify_new(
        self,
        rules: dict[str, AlertRule],
        fired: list[Alert],
        now: datetime,
        report: EvaluationReport,
        silences: list[Silence],
        windows: list[MaintenanceWindow],
        open_alerts: list[Alert],
    ) -> None:
        """Newly firing alerts: attach to incident, mute, group, claim, send, record."""
        if not fired:
            return
        flow = self._flow(rules, now)
        stages: list[pipeline.Stage] = [
            pipeline.AttachIncident(),
            pipeline.Mute(silences, windows, open_alerts),
            pipeline.GroupByKey(),
            pipeline.Claim("notified"),
            pipeline.Send(),
            pipeline.Record(),
        ]
        await pipeline.run(flow, stages, [[alert] for alert in fired])
        report.quieted += flow.quieted
        report.notified += flow.notified

    async def _on_resolved(
        self, rule: AlertRule, alert: Alert, now: datetime, report: EvaluationReport
    ) -> None:
        if alert.incident_id:
            await self.records.incident_event(
                alert.incident_id, "resolved", now, alert.resolved_by or "agent"
            )
        if rule.notify_resolved and alert.last_notified_at:
            await pipeline.send(
                self._flow({rule.name: rule}, now),
                "alert_resolved",
                [alert],
                rule.resolved_channels(self.available),
            )

    async def _reminders_and_escalations(
        self,
        rules: dict[str, AlertRule],
        open_alerts: list[Alert],
        now: datetime,
        report: EvaluationReport,
    ) -> None:
        """Firing alerts owed a reminder or an escalation (`pipeline.due`): claim, send."""
        for alert in open_alerts:
            rule = rules.get(alert["rule"])
            owed = pipeline.due(rule, alert, now, self.available) if rule else None
            if owed is None:
                continue
            flow = self._flow(rules, now)
            stages: list[pipeline.Stage] = [
                pipeline.Claim(owed.kind, owed),
                pipeline.Send(due=owed),
            ]
            await pipeline.run(flow, stages, [[alert]])
            report.escalations += flow.escalations
            report.reminders += flow.reminders

    # --- people act on alerts ---

    async def get_active_alerts(
        self, severity: str | None = None, labels: dict[str, str] | None = None
    ) -> list[Alert]:
        """Firing and acknowledged alerts (pending ones are not alerts yet)."""
        out = []
        for alert in await self.records.open_alerts():
            if alert["state"] == "pending":
                continue
            if severity and alert["severity"] != severity:
                continue
            if labels and any((alert.get("labels") or {}).get(k) != v for k, v in labels.items()):
                continue
            out.append(alert)
        return out

    async def acknowledge_alert(
        self, alert_id: str, by: str | None = None, note: str | None = None
    ) -> Alert:
        """Stop reminders and escalation; someone is on it (`by`: the caller, by default the
        API key's owner or "python")."""
        by = by or current_actor("python")
        now = self._now()
        row = await self.records.transition(
            alert_id, "firing", "acknowledged", now, by, {"note": note} if note else {}
        )
        if row is None:
            current = await self.records.get(alert_id)
            if current is None:
                raise UnknownAlert(f"alert {alert_id}")
            raise AlertStateConflict(
                f"alert is {current['state']}, only a firing alert can be acknowledged"
            )
        if row.incident_id:
            await self.records.incident_event(row.incident_id, "acknowledged", now, by)
        await self._audit(by, "alerts.acknowledge", alert_id, note=note)
        return row

    async def resolve_alert(
        self,
        alert_id: str,
        by: str | None = None,
        note: str | None = None,
        false_positive: bool = False,
    ) -> Alert:
        """Resolve by hand (and say whether it was a false positive)."""
        by = by or current_actor("python")
        now = self._now()
        current = await self.records.get(alert_id)
        if current is None:
            raise UnknownAlert(f"alert {alert_id}")
        if current["state"] == "resolved":
            raise AlertStateConflict("alert is resolved already")
        row = await self.records.transition(
            alert_id,
            current["state"],
            "resolved",
            now,
            by,
            {"note": note, "false_positive": false_positive},
        )
        if row is None:
            raise AlertStateConflict("alert changed state meanwhile; try again")
        if row.incident_id:
            await self.records.incident_event(row.incident_id, "resolved", now, by)
        await self._audit(by, "alerts.resolve", alert_id, note=note, false_positive=false_positive)
        return row

    async def record_action(
        self, alert_id: str, action: str, by: str = "agent", detail: dict[str, Any] | None = None
    ) -> None:
        """Record a remediation step on an alert (and its incident: mitigated)."""
        now = self._now()
        await self.records.event(alert_id, now, "action", by, {"action": action, **(detail or {})})
        alert = await self.records.get(alert_id)
        if alert and alert.incident_id:
            await self.records.incident_event(
                alert.incident_id, "action", now, by, {"action": action}
            )

    async def get_alert_history(
        self,
        *,
        severity: str | None = None,
        rule: str | None = None,
        states: Sequence[str] | None = None,
        since: datetime | None = None,
        before: datetime | None = None,
        limit: int = 100,
    ) -> list[Alert]:
        return await self.records.history(
            states=states, severity=severity, rule=rule, since=since, before=before, limit=limit
        )

    async def get_alert(self, alert_id: str) -> Alert:
        row = await self.records.get(alert_id)
        if row is None:
            raise UnknownAlert(f"alert {alert_id}")
        return row

    # --- silences and maintenance ---

    async def create_silence(
        self,
        matchers: Sequence[Matcher | dict[str, Any]],
        *,
        ends_at: datetime,
        starts_at: datetime | None = None,
        comment: str,
        by: str,
    ) -> Row:
        try:
            silence = Silence.model_validate(
                {
                    "matchers": list(matchers),
                    "starts_at": starts_at or self._now(),
                    "ends_at": ends_at,
                    "comment": comment,
                }
            )
        except ValidationError as exc:
            raise Unprocessable(
                "; ".join(e["msg"] for e in exc.errors()), code="invalid_silence"
            ) from None
        row = await self.records.create_silence(
            [m.model_dump() for m in silence.matchers],
            silence.starts_at,
            silence.ends_at,
            by,
            comment,
        )
        await self._audit(by, "alerts.silence.create", str(row["id"]), comment=comment)
        return row

    async def expire_silence(self, silence_id: str, *, by: str) -> Row:
        row = await self.records.expire_silence(silence_id)
        if row is None:
            raise UnknownAlert(f"active silence {silence_id}")
        await self._audit(by, "alerts.silence.expire", silence_id)
        return row

    async def create_maintenance_window(self, window: MaintenanceWindow, *, by: str) -> Row:
        row = await self.records.create_window(window.model_dump(mode="json", exclude={"id"}), by)
        await self._audit(by, "alerts.maintenance.create", window.name)
        return row

    async def delete_maintenance_window(self, window_id: str, *, by: str) -> None:
        if not await self.records.delete_window(window_id):
            raise UnknownAlert(f"maintenance window {window_id}")
        await self._audit(by, "alerts.maintenance.delete", window_id)

    async def open_alerts(self) -> list[Alert]:
        """Every alert not resolved: pending, firing or acknowledged."""
        return await self.records.open_alerts()

    async def list_silences(self, active_at: datetime | None = None) -> list[Row]:
        """Every silence, or those active at `active_at`."""
        return await self.records.silences(active_at)

    async def list_maintenance_windows(self) -> list[Row]:
        return await self.records.windows()

    async def escalate(self, alert_id: str, reason: str, by: str = "agent") -> None:
        """Record that people were paged about this alert beyond its normal notifications."""
        await self.records.event(alert_id, self._now(), "escalated", by, {"reason": reason})

    # --- incidents and KPIs ---

    async def incidents(self, state: str | None = None, limit: int = 50) -> list[Incident]:
        return await self.records.incidents(state, limit)

    async def get_incident(self, incident_id: str) -> Incident:
        """One incident with its alerts and timeline."""
        row = await self.records.incident(incident_id)
        if row is None:
            raise UnknownAlert(f"incident {incident_id}")
        return row

    async def find_incident(self, incident_id: str) -> Incident | None:
        return await self.records.incident(incident_id)

    async def add_to_timeline(
        self, incident_id: str, kind: str, by: str, detail: dict[str, Any] | None = None
    ) -> None:
        """A fact joins an incident's timeline (a Sentry event, a release, a service change)."""
        await self.records.incident_event(incident_id, kind, self._now(), by, detail or {})

    async def kpis(self, window: timedelta = timedelta(days=30)) -> dict[str, Any]:
        """MTTD, MTTA, MTTR, auto-fix rate, false-positive rate, deployment success rate and
        alert volume over `window`, each with how it is computed."""
        from ops_agent.deployments.records import DeploymentHistory

        since = self._now() - window
        data = await self.records.kpi_data(since)
        stats = await DeploymentHistory(self.store).stats(since=since)
        return compute(
            data["alerts"],
            stats.success_rate,
            stats.ready + stats.error,
            round(window.total_seconds() / 86400, 2),
        )

    async def _audit(self, actor: str, action: str, target: str, **details: Any) -> None:
        await record(self.store, action, target, actor=actor, **details)
