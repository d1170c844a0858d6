"""Sentry integration-platform webhooks, as facts for the agent loop. Pure.

Sentry signs each delivery with the integration's Client Secret (`Sentry-Hook-Signature`: hex
HMAC-SHA256 of the raw body) and names the resource in `Sentry-Hook-Resource`. Issues, errors,
issue alerts (`event_alert`) and metric alerts become observations; the release they carry
(Sentry's Vercel integration sets it to the git commit SHA) links them to a deployment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ops_agent.errors import InvalidInput

OBSERVED = ("issue", "error", "event_alert", "metric_alert")
"""Resources that become observations; others (installation, comment, ...) are acknowledged."""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _tag(event: dict[str, Any], name: str) -> str | None:
    """A tag's value from Sentry's `[[key, value], ...]` or `[{key, value}]` form."""
    for tag in event.get("tags") or []:
        if isinstance(tag, list | tuple) and len(tag) == 2 and tag[0] == name:
            return str(tag[1])
        if isinstance(tag, dict) and tag.get("key") == name:
            return str(tag.get("value"))
    return None


@dataclass(frozen=True)
class SentryFact:
    kind: str  # sentry.<resource>.<action>
    subject: str  # the issue, event or metric alert id
    dedup_key: str
    title: str
    level: str
    release: str | None
    environment: str | None
    url: str | None
    sentry_project: str | None

    def payload(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "level": self.level,
            "release": self.release,
            "environment": self.environment,
            "url": self.url,
            "sentry_project": self.sentry_project,
        }


# The facts the agent acts on as evidence (an incident's timeline); other actions are stored.
EVIDENCE_KINDS = (
    "sentry.issue.created",
    "sentry.error.created",
    "sentry.event_alert.triggered",
    "sentry.metric_alert.critical",
    "sentry.metric_alert.warning",
)


def parse(resource: str, body: dict[str, Any]) -> SentryFact | None:
    """The fact a delivery carries, or None for resources the agent does not observe.
    Raises InvalidInput naming what is missing when an observed resource is malformed."""
    if resource not in OBSERVED:
        return None
    action = str(body.get("action") or "unknown")
    data = _dict(body.get("data"))
    if resource == "issue":
        item = _dict(data.get("issue"))
        subject = item.get("id")
        title = item.get("title") or item.get("culprit")
        release = _dict(item.get("firstRelease")).get("version")
        project = _dict(item.get("project")).get("slug")
        url = item.get("web_url") or item.get("permalink")
        environment = None
    elif resource == "metric_alert":
        item = _dict(data.get("metric_alert"))
        subject = item.get("id")
        title = data.get("description_title") or _dict(item.get("alert_rule")).get("name")
        release = None
        project = None
        url = data.get("web_url")
        environment = None
    else:  # error, event_alert: an event
        item = _dict(data.get("error" if resource == "error" else "event"))
        subject = item.get("event_id") or item.get("id")
        title = item.get("title") or item.get("message") or item.get("culprit")
        release = item.get("release") or _tag(item, "release")
        project = item.get("project") or _tag(item, "project")
        url = item.get("web_url") or item.get("url")
        environment = item.get("environment") or _tag(item, "environment")
    if not subject:
        raise InvalidInput(
            f"a Sentry {resource} delivery needs data.{resource}.id or event_id",
            code="invalid_payload",
        )
    level = str(item.get("level") or ("critical" if action == "critical" else "error"))
    kind = f"sentry.{resource}.{action}"
    return SentryFact(
        kind=kind,
        subject=str(subject),
        dedup_key=f"{kind}:{subject}",  # Sentry retries keep the ids; so one fact per delivery
        title=str(title or f"Sentry {resource}")[:500],
        level=level,
        release=str(release) if release else None,
        environment=str(environment) if environment else None,
        url=str(url) if url else None,
        sentry_project=str(project) if project is not None else None,
    )
