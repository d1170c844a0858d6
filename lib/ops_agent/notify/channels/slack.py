"""Slack incoming webhooks: Block Kit messages with a severity colour, Slack's error strings
classified into retry, permanent failure, and "this webhook needs fixing"."""

from __future__ import annotations

import time
from typing import Any

import httpx

from ops_agent.notify.channels.base import Channel, ChannelContext, ChannelNotConfigured, secret
from ops_agent.notify.channels.http import http_attempt, mask_url, redirect_outcome, retry_after
from ops_agent.notify.models import Delivery, Notification, Outcome, Severity
from ops_agent.ssrf import URLGuard

COLOURS = {
    Severity.CRITICAL: "#B00020",
    Severity.ERROR: "#E01E5A",
    Severity.WARNING: "#ECB22E",
    Severity.INFO: "#1D9BD1",
    Severity.RESOLVED: "#2EB67D",
}
EMOJI = {
    Severity.CRITICAL: ":rotating_light:",
    Severity.ERROR: ":red_circle:",
    Severity.WARNING: ":warning:",
    Severity.INFO: ":information_source:",
    Severity.RESOLVED: ":white_check_mark:",
}
# Answers that mean the webhook itself is dead or misconfigured, not this one message.
BROKEN_WEBHOOK = frozenset(
    {
        "no_service",
        "no_service_id",
        "no_team",
        "team_disabled",
        "invalid_token",
        "no_active_hooks",
        "channel_is_archived",
        "channel_not_found",
        "action_prohibited",
        "posting_to_general_channel_denied",
    }
)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_payload(message: Notification) -> dict[str, Any]:
    """The JSON body for an incoming webhook: Block Kit inside a coloured attachment, plus a
    plain `text` fallback for notifications and screen readers."""
    severity = message.severity or Severity.INFO
    title = message.title or message.subject or "Ops Agent"
    headline = f"{EMOJI[severity]} {title}"
    blocks: list[dict[str, Any]]
    if message.blocks is not None:
        blocks = message.blocks
    else:
        blocks = [
            {
                "type": "header",
                "text": {"type": "plain_text", "text": _truncate(headline, 150), "emoji": True},
            }
        ]
        if message.body:
            blocks.append(
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": _truncate(message.body, 3000)},
                }
            )
        if message.fields:
            blocks.append(
                {
                    "type": "section",
                    "fields": [
                        {"type": "mrkdwn", "text": _truncate(f"*{k}*\n{v}", 2000)}
                        for k, v in list(message.fields.items())[:10]
                    ],
                }
            )
        if message.links:
            blocks.append(
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": _truncate(link.text, 75)},
                            "url": link.url,
                        }
                        for link in message.links[:5]
                    ],
                }
            )
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": f"severity: *{severity.value}* · ops-agent"}
                ],
            }
        )
    first_line = message.body.splitlines()[0] if message.body else ""
    payload: dict[str, Any] = {
        "text": _truncate(f"{headline}: {first_line}" if first_line else headline, 3000),
        "attachments": [{"color": COLOURS[severity], "blocks": blocks}],
    }
    if message.slack_channel:
        payload["channel"] = message.slack_channel
    return payload


class SlackChannel(Channel):
    name = "slack"
    rate_limit = (1, 1.0)  # Slack's incoming webhooks: about one message a second

    @classmethod
    def from_settings(cls, ctx: ChannelContext) -> SlackChannel:
        return cls(ctx.http, secret(ctx.settings.slack_webhook_url), ctx.guard)

    def __init__(self, http: httpx.AsyncClient, webhook_url: str | None, guard: URLGuard) -> None:
        self._http = http
        self._url = webhook_url
        self._guard = guard

    def destination(self, message: Notification) -> str:
        url = message.url or self._url
        if not url:
            raise ChannelNotConfigured("no Slack webhook: set SLACK_WEBHOOK_URL or pass url")
        return url

    def masked(self, message: Notification) -> str:
        return mask_url(self.destination(message))

    async def check(self, message: Notification) -> None:
        await self._guard.check(self.destination(message))

    async def attempt(self, message: Notification, delivery: Delivery) -> Outcome:
        url = self.destination(message)
        payload = slack_payload(message)
        return await http_attempt(lambda: self._http.post(url, json=payload), _classify)


def _classify(response: httpx.Response) -> Outcome:
    text = response.text.strip()[:200]
    status = response.status_code
    if response.is_success:
        return Outcome(ok=True, status_code=status, message_id=None)
    if response.is_redirect:
        return redirect_outcome(response)
    if status == 429 or status >= 500:
        return Outcome(
            ok=False,
            status_code=status,
            error=f"Slack answered {status} {text}".strip(),
            retryable=True,
            retry_after=retry_after(response, time.time()),
        )
    return Outcome(
        ok=False,
        status_code=status,
        error=f"Slack refused the message: {status} {text or 'no reason given'}",
        disable=text in BROKEN_WEBHOOK or status == 410,
    )
