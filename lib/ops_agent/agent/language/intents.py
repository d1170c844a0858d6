"""What the agent can be asked: the intents, their params, and what a parsed task would do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ops_agent.errors import Problem, Unprocessable

INTENTS: dict[str, str] = {
    "deploy": "Deploy the latest changes to production (or: deploy branch X of project Y)",
    "rollback": "Roll production back to the last good deployment",
    "deployment_status": "What is the status of deployment dpl_...?",
    "list_deployments": "List the recent deployments of project Y",
    "monitor": "Monitor the API error rate and alert if it is above 5%",
    "analyze_logs": "Analyze error logs from the past hour and identify root causes",
    "search_logs": 'Search the logs for "connection refused" in the last 24 hours',
    "detect_anomalies": "Are there any anomalies in the last hour?",
    "health_check": "Check the health of the api service",
    "system_metrics": "Show CPU and memory usage",
    "list_alerts": "List the active alerts",
    "acknowledge_alert": "Acknowledge alert <id>",
    "notify": 'Notify the team on Slack: "deploy starts at 5pm"',
    "list_env": "List the environment variables of project Y (never their values)",
    "remove_env": "Remove the environment variable API_KEY from project Y",
    "set_env": "Set an environment variable: PUT /api/projects/Y/env/KEY or `ops-agent env set`",
}
PARAMS = (
    "project",
    "environment",
    "branch",
    "deployment_id",
    "metric",
    "operator",
    "threshold",
    "unit",
    "time_range_seconds",
    "severity",
    "channels",
    "query",
    "service",
    "alert_id",
    "message",
    "key",
)
RELEVANT: dict[str, tuple[str, ...]] = {
    "deploy": ("project", "environment", "branch"),
    "rollback": ("project", "environment", "deployment_id"),
    "deployment_status": ("deployment_id",),
    "list_deployments": ("project", "environment", "time_range_seconds"),
    "monitor": (
        "metric",
        "operator",
        "threshold",
        "unit",
        "severity",
        "channels",
        "project",
        "environment",
    ),
    "analyze_logs": ("time_range_seconds", "project", "environment", "query"),
    "search_logs": ("query", "time_range_seconds", "project", "environment"),
    "detect_anomalies": ("time_range_seconds", "project"),
    "health_check": ("service", "project"),
    "system_metrics": ("metric",),
    "list_alerts": ("severity", "project"),
    "acknowledge_alert": ("alert_id", "message"),
    "notify": ("message", "channels", "severity"),
    "list_env": ("project", "environment"),
    "remove_env": ("project", "key", "environment"),
    "set_env": ("project", "key", "environment"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "deployment_status": ("deployment_id",),
    "acknowledge_alert": ("alert_id",),
    "monitor": ("metric", "operator", "threshold"),
    "notify": ("message",),
    "remove_env": ("key",),
}
OPERATORS = (">", ">=", "<", "<=")
# Units a threshold may be written in. Without one, a threshold is in the metric's own unit:
# a fraction for error_rate (but a bare number above 1 is a percentage), milliseconds for
# latency, percent for cpu/memory/disk, requests per second for request_rate.
UNITS = ("%", "ms", "s", "req/s", "req/min")


@dataclass
class Intent:
    intent: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"intent": self.intent, "params": self.params}


class TaskNotUnderstood(Unprocessable):
    """The task is not one the agent can carry out as it stands: nothing runs. `understood`
    is the closest reading (or None), `missing` the params it lacks, `candidates` the intents
    it could be, and `would` what the agent would do once it is complete."""

    def __init__(
        self,
        message: str,
        *,
        understood: Intent | None = None,
        missing: list[str] | None = None,
        candidates: list[str] | None = None,
    ) -> None:
        super().__init__(message, code="task_not_understood")
        self.supported = INTENTS
        self.understood = understood
        self.missing = missing or []
        self.candidates = candidates or []

    def problem(self) -> Problem:
        return Problem(422, self.api_code, self.message, self.explained())

    @property
    def would(self) -> str | None:
        return describe(self.understood) if self.understood else None

    def explained(self) -> dict[str, Any]:
        """The refusal as data, for an API answer."""
        return {
            "supported": self.supported,
            "understood": self.understood.as_dict() if self.understood else None,
            "missing": self.missing,
            "candidates": self.candidates,
            "would": self.would,
        }


def _seconds(n: int) -> str:
    for size, unit in ((604800, "week"), (86400, "day"), (3600, "hour"), (60, "minute")):
        if n % size == 0:
            count = n // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{n} seconds"


def describe(intent: Intent) -> str:
    """What carrying out `intent` would do, in one sentence."""
    p = intent.params
    project = f" of project {p['project']}" if p.get("project") else ""
    env = p.get("environment")
    window = (
        f" over the last {_seconds(int(p['time_range_seconds']))}"
        if p.get("time_range_seconds")
        else ""
    )
    match intent.intent:
        case "deploy":
            source = f"branch {p['branch']}" if p.get("branch") else "the latest commit"
            return f"deploy {source}{project} to {env or 'production'}"
        case "rollback":
            to = p.get("deployment_id") or "the previous production deployment"
            return f"roll {env or 'production'}{project} back to {to}"
        case "deployment_status":
            return f"look up deployment {p.get('deployment_id', '?')}"
        case "list_deployments":
            where = f" in {env}" if env else ""
            return f"list the deployments{project}{where}{window}"
        case "monitor":
            unit = p.get("unit") or ""
            rule = (
                f"{p.get('metric', '?')} {p.get('operator', '?')} {p.get('threshold', '?')}{unit}"
            )
            return f"create an alert rule: {rule}{project}"
        case "analyze_logs":
            return f"group the error logs{project} into patterns with likely causes{window}"
        case "search_logs":
            what = f" for {p['query']!r}" if p.get("query") else ""
            return f"search the logs{project}{what}{window}"
        case "detect_anomalies":
            return f"look for anomalies{project}{window}"
        case "health_check":
            return (
                f"check the health of {p['service']}"
                if p.get("service")
                else ("check the health of every service")
            )
        case "system_metrics":
            return "read this host's CPU, memory, disk and load"
        case "list_alerts":
            severity = f" {p['severity']}" if p.get("severity") else ""
            return f"list the active{severity} alerts{project}"
        case "acknowledge_alert":
            return f"acknowledge alert {p.get('alert_id', '?')}"
        case "notify":
            channels = " and ".join(p.get("channels") or ["the default channels"])
            return f"send {p.get('message', '?')!r} by {channels}"
        case "list_env":
            where = f" in {env}" if env else ""
            return f"list the environment variables{project}{where}, without their values"
        case "remove_env":
            where = f" from {env}" if env else ""
            return f"remove the environment variable {p.get('key', '?')}{project}{where}"
        case "set_env":
            return (
                f"set {p.get('key', 'a variable')}{project}: not by task (its words are stored); "
                "use PUT /api/projects/{project}/env/{key} or `ops-agent env set`"
            )
    return intent.intent
