"""Mailtrap's Email Sending API (and its sandbox): one JSON POST per message."""

from __future__ import annotations

import hashlib
import time
from email.utils import parseaddr
from typing import Any

import httpx

from ops_agent.notify.channels.base import (
    Channel,
    ChannelContext,
    ChannelNotConfigured,
    addresses,
    secret,
)
from ops_agent.notify.channels.http import http_attempt, redirect_outcome, retry_after
from ops_agent.notify.models import Delivery, Notification, Outcome
from ops_agent.ssrf import URLGuard

SEND_URL = "https://send.api.mailtrap.io/api/send"
SANDBOX_URL = "https://sandbox.api.mailtrap.io/api/send/{inbox_id}"


def address(value: str) -> dict[str, str]:
    """`Name <a@b.c>` or `a@b.c` as Mailtrap's {email, name?}."""
    name, email = parseaddr(value)
    if not email or "@" not in email:
        raise ChannelNotConfigured(f"not an email address: {value!r}")
    return {"email": email, "name": name} if name else {"email": email}


def mailtrap_body(message: Notification, sender: str, recipients: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "from": address(sender),
        "to": [address(r) for r in recipients],
        "subject": message.subject or message.title or "Ops Agent",
        "text": message.body or message.subject or "",
    }
    if message.html:
        body["html"] = message.html
    if message.category:
        body["category"] = message.category
    return body


class MailtrapChannel(Channel):
    name = "email"
    rate_limit = (150, 10.0)  # Mailtrap's sending API

    @classmethod
    def from_settings(cls, ctx: ChannelContext) -> MailtrapChannel:
        s = ctx.settings
        return cls(
            ctx.http,
            secret(s.mailtrap_api_token),
            sender=s.notify_email_from,
            default_to=addresses(s.notify_email_to),
            guard=ctx.guard,
            inbox_id=s.mailtrap_sandbox_inbox_id,
            api_url=s.mailtrap_api_url,
        )

    def __init__(
        self,
        http: httpx.AsyncClient,
        token: str | None,
        *,
        sender: str,
        default_to: list[str],
        guard: URLGuard,
        inbox_id: int | None = None,
        api_url: str | None = None,
    ) -> None:
        self._http = http
        self._token = token
        self._sender = sender
        self._default_to = default_to
        self._guard = guard
        self.url = api_url or (SANDBOX_URL.format(inbox_id=inbox_id) if inbox_id else SEND_URL)

    def _recipients(self, message: Notification) -> list[str]:
        recipients = message.to or self._default_to
        if not recipients:
            raise ChannelNotConfigured("no recipients: pass to or set NOTIFY_EMAIL_TO")
        return recipients

    def destination(self, message: Notification) -> str:
        if not self._token:
            raise ChannelNotConfigured("no Mailtrap token: set MAILTRAP_API_TOKEN")
        return ",".join(sorted(self._recipients(message)))

    def rate_key(self, message: Notification) -> str:
        # Mailtrap's limit is per API token, whoever the mail is for.
        assert self._token
        return hashlib.sha256(self._token.encode()).hexdigest()[:32]

    def masked(self, message: Notification) -> str:
        host = self.url.split("/")[2] if "://" in self.url else self.url
        return f"mailtrap {host} → {', '.join(self._recipients(message))}"

    async def check(self, message: Notification) -> None:
        for value in (self._sender, *self._recipients(message)):
            address(value)  # a bad address fails this message before any attempt
        await self._guard.check(self.url)

    async def attempt(self, message: Notification, delivery: Delivery) -> Outcome:
        body = mailtrap_body(message, self._sender, self._recipients(message))
        headers = {
            "Authorization": f"Bearer {self._token}",
            "User-Agent": "ops-agent (python httpx)",
            "Accept": "application/json",
        }
        return await http_attempt(
            lambda: self._http.post(self.url, json=body, headers=headers), _classify
        )


def _classify(response: httpx.Response) -> Outcome:
    status = response.status_code
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.is_success and isinstance(data, dict) and data.get("success", True):
        ids = data.get("message_ids") or []
        return Outcome(ok=True, status_code=status, message_id=",".join(map(str, ids)) or None)
    if response.is_redirect:
        return redirect_outcome(response)
    errors = data.get("errors") if isinstance(data, dict) else None
    if isinstance(errors, dict):
        errors = [f"{k}: {v}" for k, v in errors.items()]
    reason = (
        "; ".join(map(str, errors)) if errors else (response.text[:200] or response.reason_phrase)
    )
    retryable = status == 429 or status >= 500
    return Outcome(
        ok=False,
        status_code=status,
        error=f"Mailtrap {status}: {reason}",
        retryable=retryable,
        retry_after=retry_after(response, time.time()) if retryable else None,
    )
