"""Executing a parsed task with the tools: one method per intent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ops_agent.agent import language
from ops_agent.agent.language.intents import Intent, TaskNotUnderstood
from ops_agent.agent.monitor_rules import monitor_condition
from ops_agent.runtime import Runtime
from ops_agent.settings import Settings
from ops_agent.severity import (
    NOTIFY_LEVEL_OF_PRIORITY,
    PRIORITIES,
    SEVERITY_OF_PRIORITY,
    Priority,
)

# The keys each kind of task answers with, always: None (or empty) where there is nothing,
# as when the task failed, so a caller can read `result["deployment_url"]` without guarding.
RESULT_KEYS: dict[str, dict[str, Any]] = {
    "deploy": {"deployment_id": None, "deployment_url": None, "state": None, "note": None},
    "rollback": {"from_deployment": None, "to_deployment": None, "production_pinned": None},
    "deployment_status": {"deployment_url": None, "deployment": None},
    "monitor": {"alert_rule": None},
    "analyze_logs": {"patterns": [], "root_causes": [], "recommendations": []},
    "search_logs": {"hits": [], "next_cursor": None},
    "list_env": {"variables": []},
    "remove_env": {"key": None, "removed": 0},
}


_NEEDS_VERCEL = frozenset({"deploy", "rollback", "deployment_status", "list_env", "remove_env"})
_NEEDS_PROJECT = frozenset({"deploy", "rollback", "list_env", "remove_env"})


def readiness(intent: Intent, settings: Settings) -> str | None:
    """Why `intent` could not run here now (what to set or say), or None when it could."""
    p = intent.params
    if intent.intent == "set_env":
        return "environment variables are set over HTTP or with `ops-agent env set`"
    if intent.intent in _NEEDS_VERCEL and settings.vercel_token is None:
        return "VERCEL_TOKEN is not set here"
    by_id = intent.intent == "rollback" and p.get("deployment_id")
    named = p.get("project") or settings.vercel_project
    if intent.intent in _NEEDS_PROJECT and not by_id and not named:
        return "name the project, or set VERCEL_PROJECT"
    return None


@dataclass
class TaskResult:
    intent: Intent
    result: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        defaults = {
            k: (list(v) if isinstance(v, list) else v)
            for k, v in RESULT_KEYS.get(self.intent.intent, {}).items()
        }
        return {"error": None, **defaults, **self.intent.as_dict(), **self.result}


class TaskExecutor:
    """Carries out tasks from people and agents with the tools of one runtime, as `actor`."""

    def __init__(self, runtime: Runtime, *, actor: str = "agent") -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.actor = actor

    @staticmethod
    def parse(task: str | dict[str, Any]) -> Intent:
        return language.parse_task(task)

    async def execute_task(
        self, task: str | dict[str, Any], priority: Priority = "normal", *, actor: str | None = None
    ) -> dict[str, Any]:
        """Parse and carry out a task. Raises TaskNotUnderstood when it is not one the agent
        supports; a task that was understood but failed answers `status: failed`."""
        if priority not in PRIORITIES:
            raise TaskNotUnderstood(f"priority is one of {', '.join(PRIORITIES)}")
        intent = language.parse_task(task)
        who = actor or self.actor
        try:
            result = await getattr(self, "_" + intent.intent)(intent.params, priority, who)
        except TaskNotUnderstood:
            raise
        except Exception as exc:  # the tools' refusals and failures, reported to the caller
            result = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
        return TaskResult(intent, result).as_dict()

    # --- one method per intent ---

    def _project(self, params: dict[str, Any]) -> str:
        project = params.get("project") or self.settings.vercel_project
        if not project:
            raise TaskNotUnderstood("name the project (or set VERCEL_PROJECT)")
        return str(project)

    async def _deploy(self, p: dict[str, Any], priority: Priority, who: str) -> dict[str, Any]:
        tool = await self.runtime.deployments()
        status = await tool.deploy(
            self._project(p),
            p.get("environment", "production"),
            p.get("branch"),
            actor=who,
            reason=f"task ({priority})",
        )
        return {
            "status": "started",
            "deployment_id": status.id,
            "deployment_url": status.url,
            "state": status.state,
            "environment": status.target,
            "note": status.note,
        }

    async def _rollback(self, p: dict[str, Any], priority: Priority, who: str) -> dict[str, Any]:
        tool = await self.runtime.deployments()
        if p.get("deployment_id"):
            done = await tool.rollback(p["deployment_id"], reason="task", actor=who)
        else:
            done = await tool.rollback(project=self._project(p), reason="task", actor=who)
        return {
            "status": "rolled_back",
            "from_deployment": done.from_deployment,
            "to_deployment": done.to_deployment,
        }

    async def _deployment_status(
        self, p: dict[str, Any], priority: str, who: str
    ) -> dict[str, Any]:
        status = await (await self.runtime.deployments()).get_deployment_status(p["deployment_id"])
        return {
            "status": (status.state or "unknown").lower(),
            "deployment_url": status.url,
            "deployment": status.model_dump(mode="json"),
        }

    async def _list_deployments(
        self, p: dict[str, Any], priority: Priority, who: str
    ) -> dict[str, Any]:
        rows = await (await self.runtime.deployments()).list_deployments(
            p.get("project"), p.get("environment"), limit=20
        )
        return {"status": "ok", "deployments": [r.model_dump(mode="json") for r in rows]}

    async def _monitor(self, p: dict[str, Any], priority: Priority, who: str) -> dict[str, Any]:
        condition = monitor_condition(p)
        severity = p.get("severity") or SEVERITY_OF_PRIORITY[priority]
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"task-{p['metric']}-{p.get('project', 'all')}")
        rule = await (await self.runtime.alerts()).create_alert_rule(
            name=name.strip("-")[:100],
            condition=condition,
            severity=severity,
            channels=p.get("channels"),
            for_="5m",
            labels={"project": p["project"]} if p.get("project") else {},
            description=f"created from a task by {who}",
            actor=who,
        )
        return {"status": "monitoring", "alert_rule": rule.spec()}

    async def _analyze_logs(
        self, p: dict[str, Any], priority: Priority, who: str
    ) -> dict[str, Any]:
        seconds = int(p.get("time_range_seconds") or 3600)
        patterns = await (await self.runtime.logs()).analyze_error_patterns(
            timedelta(seconds=seconds), p.get("project"), limit=10
        )
        return {
            "status": "ok",
            "time_range_seconds": seconds,
            "patterns": [x.as_dict() for x in patterns],
            "root_causes": [x.cause for x in patterns if x.cause],
            "recommendations": list(dict.fromkeys(x.fix for x in patterns if x.fix)),
        }

    async def _list_env(self, p: dict[str, Any], priority: Priority, who: str) -> dict[str, Any]:
        tool = await self.runtime.deployments()
        variables = await tool.get_env_vars(self._project(p), p.get("environment"))
        return {
            "status": "ok",
            "variables": [
                {
                    "key": v.key,
                    "type": v.type,
                    "targets": v.targets + v.custom_environment_ids,
                }
                for v in variables
            ],
        }

    async def _remove_env(self, p: dict[str, Any], priority: Priority, who: str) -> dict[str, Any]:
        tool = await self.runtime.deployments()
        removed = await tool.remove_env_var(
            self._project(p), p["key"], p.get("environment"), actor=who, reason="task"
        )
        return {"status": "removed", "key": p["key"], "removed": removed}

    async def _set_env(self, p: dict[str, Any], priority: Priority, who: str) -> dict[str, Any]:
        # A task's words and params are stored (the queue, the audit log): a secret must not
        # travel that way.
        raise TaskNotUnderstood(
            "environment variables are set over HTTP (PUT /api/projects/{project}/env/{key}) "
            "or with `ops-agent env set`, not by task: a task's words are stored",
            understood=Intent("set_env", p),
        )

    async def _search_logs(self, p: dict[str, Any], priority: Priority, who: str) -> dict[str, Any]:
        seconds = int(p.get("time_range_seconds") or 3600)
        query = str(p.get("query") or "")
        words = " ".join(f'"{query}"'.split()) if query and " " in query else query
        page = await (await self.runtime.logs()).search_logs(
            words, timedelta(seconds=seconds), project=p.get("project"), limit=100
        )
        return {"status": "ok", "hits": page.hits, "next_cursor": page.next_cursor}

    async def _detect_anomalies(
        self, p: dict[str, Any], priority: Priority, who: str
    ) -> dict[str, Any]:
        seconds = int(p.get("time_range_seconds") or 3600)
        found = await (await self.runtime.logs()).detect_anomalies(
            timedelta(seconds=seconds), p.get("project")
        )
        return {"status": "ok", "anomalies": [a.as_dict() for a in found]}

    async def _health_check(
        self, p: dict[str, Any], priority: Priority, who: str
    ) -> dict[str, Any]:
        tool = await self.runtime.monitoring()
        if p.get("service"):
            health = await tool.check_service_health(p["service"])
            return {"status": health.status, "health": health.as_dict()}
        services = await tool.overview()
        down = [s["service"] for s in services if s["status"] == "down"]
        return {"status": "down" if down else "ok", "down": down, "services": services}

    async def _system_metrics(
        self, p: dict[str, Any], priority: Priority, who: str
    ) -> dict[str, Any]:
        monitoring = await self.runtime.monitoring()
        return {"status": "ok", "metrics": await monitoring.get_system_metrics()}

    async def _list_alerts(self, p: dict[str, Any], priority: Priority, who: str) -> dict[str, Any]:
        labels = {"project": p["project"]} if p.get("project") else None
        alerts = await (await self.runtime.alerts()).get_active_alerts(p.get("severity"), labels)
        return {"status": "ok", "alerts": [a.public() for a in alerts]}

    async def _acknowledge_alert(
        self, p: dict[str, Any], priority: str, who: str
    ) -> dict[str, Any]:
        alert = await (await self.runtime.alerts()).acknowledge_alert(
            p["alert_id"], by=who, note=p.get("message")
        )
        return {"status": "acknowledged", "alert": alert.public()}

    async def _notify(self, p: dict[str, Any], priority: Priority, who: str) -> dict[str, Any]:
        from ops_agent.notify import Notification, Severity

        severity = NOTIFY_LEVEL_OF_PRIORITY[priority]
        channels = p.get("channels") or ["slack"]
        results = await (await self.runtime.notifier()).send_many(
            [
                Notification(
                    channel=c,
                    subject="Message from Ops Agent",
                    title="Ops Agent",
                    body=p["message"],
                    severity=Severity(severity),
                )
                for c in channels
            ]
        )
        delivered = [r.channel for r in results if r.delivered]
        return {
            "status": "sent"
            if len(delivered) == len(results)
            else ("partial" if delivered else "failed"),
            "results": [r.model_dump(mode="json", exclude={"attempt_log"}) for r in results],
        }
