"""The task language: plain-language requests from people and agents, parsed without any
external service into one structured intent. Pure.

    "Deploy latest changes to production"            -> deploy {environment: production}
    "Monitor API error rate and alert if >5%"        -> monitor {metric: error_rate, operator: >,
                                                                 threshold: 0.05}
    "Analyze error logs from the past hour and identify root causes"
                                                     -> analyze_logs {time_range_seconds: 3600}

A structured request (`{"intent": ..., "params": {...}}`) is validated the same way. Text
that matches no intent raises `TaskNotUnderstood`, which lists what is supported: the agent
never guesses and acts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

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
}
PARAMS = (
    "project",
    "environment",
    "branch",
    "deployment_id",
    "metric",
    "operator",
    "threshold",
    "time_range_seconds",
    "severity",
    "channels",
    "query",
    "service",
    "alert_id",
    "message",
)


class TaskNotUnderstood(ValueError):
    """The task matches no supported intent; `supported` says what would."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.supported = INTENTS


@dataclass
class Intent:
    intent: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"intent": self.intent, "params": self.params}


# --- parameters ---

_ENV = re.compile(r"\b(production|prod|preview|staging|development|dev)\b")
_ENV_NAMES = {"prod": "production", "dev": "development"}
_DEPLOYMENT = re.compile(r"\b(dpl_[A-Za-z0-9]+)\b")
_UUID = re.compile(r"\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b", re.I)
_PROJECT = re.compile(r"\b(?:project|app|application|site)\s+[\"']?([a-z0-9][\w.-]*)", re.I)
_OF_PROJECT = re.compile(r"\b(?:of|for)\s+(?:the\s+)?([a-z0-9][\w-]*)\s+(?:project|app)\b", re.I)
_BRANCH = re.compile(r"\b(?:branch|from)\s+[\"']?([\w./-]*[A-Za-z0-9])", re.I)
_NAMED_BRANCH = re.compile(r"\b([\w./-]*[A-Za-z0-9])\s+branch\b", re.I)
_NOT_BRANCHES = {"the", "a", "of", "past", "last", "production", "preview", "staging", "my"}
_SERVICE = re.compile(r"\b(?:service|endpoint)\s+[\"']?([a-z0-9][\w.-]*)", re.I)
_OF_SERVICE = re.compile(r"\b(?:health|status) of (?:the\s+)?([a-z0-9][\w.-]*)", re.I)
_QUOTED = re.compile(r"[\"“']([^\"”']{2,})[\"”']")
_SEVERITY = re.compile(r"\b(critical|urgent|sev ?1|high|medium|low)\b")
_SEVERITY_NAMES = {"urgent": "critical", "sev1": "critical", "sev 1": "critical"}
_CHANNEL = re.compile(r"\b(slack|e-?mail|mail|webhook|smtp)\b")
_CHANNEL_NAMES = {"e-mail": "email", "mail": "email"}
_DURATION = re.compile(
    r"\b(?:past|last|previous|over the last|in the last|within the last)\s+"
    r"(?:(\d+|an?|one|two|three|six|twelve|twenty-four)\s*)?"
    r"(seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|d|weeks?)\b"
)
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "six": 6,
    "twelve": 12,
    "twenty-four": 24,
}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_METRICS = [
    (re.compile(r"\b5xx|server errors?|error[- ]?rate|errors?\b"), "error_rate"),
    (re.compile(r"\bp99\b"), "p99_latency_ms"),
    (re.compile(r"\bp50\b|\bmedian latency"), "p50_latency_ms"),
    (re.compile(r"\blatency|response[- ]time|slow"), "p95_latency_ms"),
    (re.compile(r"\brequests?|traffic|throughput|rps\b"), "request_rate"),
    (re.compile(r"\bcpu\b"), "cpu_percent"),
    (re.compile(r"\bmemory|ram\b"), "memory_percent"),
    (re.compile(r"\bdisk\b"), "disk_percent"),
]
_COMPARE = re.compile(
    r"(>=|<=|>|<|=>|=<|\bat least\b|\bat most\b|\babove\b|\bover\b|\bexceeds?\b|\bexceeding\b|"
    r"\bgreater than\b|\bmore than\b|\bhigher than\b|\bbelow\b|\bunder\b|\bless than\b|"
    r"\blower than\b|\bdrops? below\b|\bgoes? above\b|\brises? above\b)\s*"
    r"(\d+(?:\.\d+)?)\s*(%|percent|ms|milliseconds|s|seconds|req/s)?"
)
_OPERATOR_WORDS = {
    ">=": ">=",
    "=>": ">=",
    "at least": ">=",
    "<=": "<=",
    "=<": "<=",
    "at most": "<=",
    ">": ">",
    "<": "<",
    "below": "<",
    "under": "<",
    "less than": "<",
    "lower than": "<",
}


def _operator(word: str) -> str:
    word = word.strip()
    if word in _OPERATOR_WORDS:
        return _OPERATOR_WORDS[word]
    if word.startswith(("drop", "below", "under", "less", "lower")):
        return "<"
    return ">"


def _time_range(text: str) -> int | None:
    match = _DURATION.search(text)
    if match:
        count = match.group(1)
        n = _NUMBERS.get(count or "a") if not (count or "").isdigit() else int(count or 1)
        unit = match.group(2)[0]
        return (n or 1) * _UNITS[
            "m" if unit == "m" and not match.group(2).startswith("mo") else unit
        ]
    if re.search(r"\btoday\b|\b24 ?h", text):
        return 86400
    if re.search(r"\bthis week\b", text):
        return 604800
    return None


def _params(text: str, original: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if (m := _ENV.search(text)) and not re.search(r"\bfrom (?:the )?(?:a )?preview\b", text):
        params["environment"] = _ENV_NAMES.get(m.group(1), m.group(1))
    if m := _DEPLOYMENT.search(original):
        params["deployment_id"] = m.group(1)
    if m := _UUID.search(original):
        params["alert_id"] = m.group(1).lower()
    if m := (_PROJECT.search(original) or _OF_PROJECT.search(original)):
        params["project"] = m.group(1)
    branch = None
    if m := _BRANCH.search(original):
        branch = m.group(1)
    if branch is None or branch.lower() in _NOT_BRANCHES:
        named = _NAMED_BRANCH.search(original)
        branch = named.group(1) if named else None
    if branch and branch.lower() not in _NOT_BRANCHES:
        params["branch"] = branch
    if m := (_SERVICE.search(original) or _OF_SERVICE.search(original)):
        params["service"] = m.group(1)
    if m := _SEVERITY.search(text):
        params["severity"] = _SEVERITY_NAMES.get(m.group(1), m.group(1))
    channels = sorted({_CHANNEL_NAMES.get(c, c) for c in _CHANNEL.findall(text)})
    if channels:
        params["channels"] = channels
    if (seconds := _time_range(text)) is not None:
        params["time_range_seconds"] = seconds
    if m := _QUOTED.search(original):
        params["query" if "message" not in params else "message"] = m.group(1)
    for pattern, metric in _METRICS:
        if pattern.search(text):
            params["metric"] = metric
            break
    if m := _COMPARE.search(text):
        params["operator"] = _operator(m.group(1))
        value = float(m.group(2))
        unit = m.group(3) or ""
        if unit in ("%", "percent") and params.get("metric") == "error_rate":
            value /= 100
        elif unit in ("s", "seconds"):
            value *= 1000
        params["threshold"] = value
    return params


# --- intents, most specific first ---


def _any(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives))


_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("acknowledge_alert", _any(r"\b(ack|acknowledge|acknowledged)\b")),
    (
        "rollback",
        _any(
            r"\broll ?(it |that |production |prod )?back\b",
            r"\brevert\b",
            r"\bundo (the )?(last |latest )?deploy",
        ),
    ),
    (
        "deployment_status",
        _any(
            r"\bstatus of\b.*\bdeploy",
            r"\bdeploy\w*\b.*\bstatus\b",
            r"\bis dpl_",
            r"\bdid\b.*\bdeploy\w*\b.*\b(succeed|fail|finish)",
            r"\bdpl_\w+\b.*\b(succeed|succeeded|fail|failed|ready|finish|finished|done)\b",
            r"\bhow is (the )?deploy",
        ),
    ),
    (
        "list_deployments",
        _any(
            r"\b(list|show|recent|last \d+|history of)\b.*\bdeploy(ments|s)\b",
            r"\bdeploy(ment)? history\b",
        ),
    ),
    (
        "monitor",
        _any(
            r"\b(monitor|watch|keep an eye)\b",
            r"\b(alert|page|notify) (me |us |the team )?(if|when)\b",
            r"\b(set up|create|add) an? alert\b",
        ),
    ),
    ("detect_anomalies", _any(r"\banomal", r"\bunusual\b", r"\bspikes?\b", r"out of the ordinary")),
    (
        "analyze_logs",
        _any(
            r"\b(analy[sz]e|root causes?|investigate|diagnose|error patterns?)\b",
            r"\bwhy (is|are|did)\b",
            r"\bwhat('s| is) causing\b",
            r"\bfind out why\b",
        ),
    ),
    (
        "search_logs",
        _any(
            r"\b(search|grep|look for|find)\b.*\blogs?\b",
            r"\blogs?\b.*\b(containing|matching|with)\b",
        ),
    ),
    (
        "list_alerts",
        _any(r"\b(list|show|which|what|any)\b.*\balerts?\b", r"\bwhat('s| is) firing\b"),
    ),
    (
        "health_check",
        _any(r"\bhealth", r"\bis (the )?[\w.-]+ (up|down|healthy)\b", r"\bping\b", r"\buptime\b"),
    ),
    (
        "system_metrics",
        _any(r"\b(cpu|memory|ram|disk|load average|system metrics|resource usage)\b"),
    ),
    (
        "notify",
        _any(
            r"\b(notify|tell|message|inform|announce)\b",
            r"\bsend (a )?(message|note|notification)\b",
        ),
    ),
    (
        "deploy",
        _any(
            r"\b(deploy|ship|release)\b",
            r"\bpush (it |the changes )?(live|to (prod|production|preview|staging))\b",
        ),
    ),
]

RELEVANT: dict[str, tuple[str, ...]] = {
    "deploy": ("project", "environment", "branch"),
    "rollback": ("project", "environment", "deployment_id"),
    "deployment_status": ("deployment_id",),
    "list_deployments": ("project", "environment", "time_range_seconds"),
    "monitor": (
        "metric",
        "operator",
        "threshold",
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
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "deployment_status": ("deployment_id",),
    "acknowledge_alert": ("alert_id",),
    "monitor": ("metric", "operator", "threshold"),
    "notify": ("message",),
}


def parse_task(task: str | dict[str, Any]) -> Intent:
    """The intent of a plain-language task, or of a structured `{"intent", "params"}` one."""
    if isinstance(task, dict):
        return _structured(task)
    original = " ".join(task.split())
    if not original:
        raise TaskNotUnderstood("the task is empty")
    if len(original) > 2000:
        raise TaskNotUnderstood("the task is longer than 2000 characters")
    text = original.lower()
    for intent, pattern in _RULES:
        if pattern.search(text):
            params = _params(text, original)
            if intent == "notify":
                quoted = _QUOTED.search(original)
                after_colon = original.split(":", 1)[1].strip() if ":" in original else None
                message = quoted.group(1) if quoted else after_colon
                if message:
                    params["message"] = message
                params.pop("query", None)
            if intent == "monitor" and "metric" in params and "threshold" not in params:
                raise TaskNotUnderstood(
                    "a monitoring task needs a threshold, e.g. 'alert if the error rate is > 5%'"
                )
            relevant = {k: v for k, v in params.items() if k in RELEVANT[intent]}
            return _check(Intent(intent, relevant))
    raise TaskNotUnderstood(
        "the task matches nothing Ops Agent can do; supported: " + ", ".join(INTENTS)
    )


def _structured(task: dict[str, Any]) -> Intent:
    intent = task.get("intent")
    params = task.get("params", {})
    if params is None:
        params = {}
    if intent not in INTENTS:
        raise TaskNotUnderstood(f"unknown intent {intent!r}; supported: {', '.join(INTENTS)}")
    if not isinstance(params, dict):
        raise TaskNotUnderstood("params must be an object")
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise TaskNotUnderstood(f"unknown params {unknown}; known: {', '.join(PARAMS)}")
    return _check(Intent(str(intent), dict(params)))


def _check(intent: Intent) -> Intent:
    missing = [p for p in REQUIRED.get(intent.intent, ()) if intent.params.get(p) in (None, "")]
    if missing:
        raise TaskNotUnderstood(
            f"{intent.intent} needs {', '.join(missing)}; e.g. {INTENTS[intent.intent]!r}"
        )
    if intent.params.get("operator") not in (None, ">", ">=", "<", "<="):
        raise TaskNotUnderstood("operator is one of >, >=, <, <=")
    return intent
