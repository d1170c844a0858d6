"""Message wording for each kind of event, in one place.

`render(kind, context)` gives a subject, a title, a text body, an html body, a severity,
fields and links; every channel takes what it can show. Unknown context keys are ignored and
missing ones read as "unknown", so a template never fails a notification.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ops_agent.notify.models import Link, Notification, Severity

KINDS = ("alert_firing", "alert_resolved", "deployment_failed", "rollback_done", "daily_summary")


@dataclass(frozen=True)
class Rendered:
    subject: str
    title: str
    body: str
    severity: Severity
    fields: dict[str, str] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)

    @property
    def html(self) -> str:
        rows = "".join(
            f"<tr><th align='left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in self.fields.items()
        )
        links = " · ".join(
            f"<a href='{html.escape(link.url, quote=True)}'>{html.escape(link.text)}</a>"
            for link in self.links
        )
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in self.body.split("\n\n") if p)
        return (
            f"<h2>{html.escape(self.title)}</h2>{paragraphs}"
            + (f"<table>{rows}</table>" if rows else "")
            + (f"<p>{links}</p>" if links else "")
        )

    def notification(self, channel: str, **overrides: Any) -> Notification:
        """This message as a Notification for `channel` (overrides win)."""
        values: dict[str, Any] = {
            "channel": channel,
            "subject": self.subject,
            "title": self.title,
            "body": self.body,
            "html": self.html,
            "severity": self.severity,
            "fields": self.fields,
            "links": self.links,
        }
        values.update(overrides)
        return Notification.model_validate(values)


class _Context(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "unknown"


def _links(ctx: Mapping[str, Any]) -> list[Link]:
    out = []
    for key, text in (
        ("url", "Open"),
        ("dashboard_url", "Dashboard"),
        ("runbook_url", "Runbook"),
        ("inspector_url", "Vercel inspector"),
    ):
        value = ctx.get(key)
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            out.append(Link(text=text, url=value))
    return out


def _severity(ctx: Mapping[str, Any], default: Severity) -> Severity:
    try:
        return Severity(str(ctx.get("severity", default.value)).lower())
    except ValueError:
        return default


def _alert_firing(c: _Context) -> Rendered:
    severity = _severity(c, Severity.WARNING)
    return Rendered(
        subject=f"[{severity.value.upper()}] {c['name']} firing on {c['project']}",
        title=f"{c['name']} is firing",
        body=(
            f"{c['summary']}\n\nStarted {c['started_at']}. "
            f"Value {c['value']} (threshold {c['threshold']})."
        ),
        severity=severity,
        fields={
            "Project": str(c["project"]),
            "Severity": severity.value,
            "Alert": str(c["alert_id"]),
        },
        links=_links(c),
    )


def _alert_resolved(c: _Context) -> Rendered:
    return Rendered(
        subject=f"[RESOLVED] {c['name']} on {c['project']}",
        title=f"{c['name']} resolved",
        body=f"{c['summary']}\n\nResolved {c['resolved_at']} after {c['duration']}.",
        severity=Severity.RESOLVED,
        fields={"Project": str(c["project"]), "Alert": str(c["alert_id"])},
        links=_links(c),
    )


def _deployment_failed(c: _Context) -> Rendered:
    return Rendered(
        subject=f"Deployment of {c['project']} failed ({c['target']})",
        title=f"Deployment failed: {c['project']}",
        body=f"{c['deployment_id']} on {c['branch']} ended in ERROR.\n\n{c['error_message']}",
        severity=Severity.ERROR,
        fields={
            "Project": str(c["project"]),
            "Environment": str(c["target"]),
            "Branch": str(c["branch"]),
            "Commit": str(c["commit"])[:12],
            "Error code": str(c["error_code"]),
        },
        links=_links(c),
    )


def _rollback_done(c: _Context) -> Rendered:
    return Rendered(
        subject=f"Rolled back {c['project']} production to {c['to_deployment']}",
        title=f"Rollback done: {c['project']}",
        body=(
            f"Production now serves {c['to_deployment']} instead of {c['from_deployment']}.\n\n"
            f"Why: {c['reason']}"
        ),
        severity=Severity.WARNING,
        fields={
            "Project": str(c["project"]),
            "From": str(c["from_deployment"]),
            "To": str(c["to_deployment"]),
            "By": str(c["actor"]),
        },
        links=_links(c),
    )


def _daily_summary(c: _Context) -> Rendered:
    return Rendered(
        subject=f"Ops Agent daily summary for {c['date']}",
        title=f"Daily summary: {c['date']}",
        body=(
            f"{c['alerts_fired']} alerts fired, {c['alerts_resolved']} resolved, "
            f"{c['auto_fixed']} fixed automatically.\n\n"
            f"Deployments: {c['deployments']} ({c['deployment_success']} successful). "
            f"MTTD {c['mttd']}, MTTR {c['mttr']}."
            + (f"\n\nLow-severity alerts:\n{c['low_alerts']}" if c.get("low_alerts") else "")
        ),
        severity=Severity.INFO,
        fields={
            "Alerts fired": str(c["alerts_fired"]),
            "Auto-fixed": str(c["auto_fixed"]),
            "Deployments": str(c["deployments"]),
            "MTTR": str(c["mttr"]),
        },
        links=_links(c),
    )


TEMPLATES: dict[str, Callable[[_Context], Rendered]] = {
    "alert_firing": _alert_firing,
    "alert_resolved": _alert_resolved,
    "deployment_failed": _deployment_failed,
    "rollback_done": _rollback_done,
    "daily_summary": _daily_summary,
}


def render(kind: str, context: Mapping[str, Any]) -> Rendered:
    """The message for `kind`; KeyError names the known kinds when `kind` is not one."""
    try:
        template = TEMPLATES[kind]
    except KeyError:
        raise KeyError(f"no template {kind!r}; known: {', '.join(KINDS)}") from None
    return template(_Context(context))
