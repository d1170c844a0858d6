"""SMTP: plain, STARTTLS or implicit TLS, with or without login (stdlib smtplib, in a thread)."""

from __future__ import annotations

import asyncio
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from typing import Literal

from ops_agent.notify.channels.base import (
    Channel,
    ChannelContext,
    ChannelNotConfigured,
    addresses,
    secret,
)
from ops_agent.notify.models import Delivery, Notification, Outcome

Security = Literal["starttls", "tls", "none"]


_LINE_BREAKS = re.compile(r"[\r\n]+")


def one_line(text: str) -> str:
    """A header value from caller text: line breaks as spaces. A header cannot hold one, and
    one passed through would start a header of the caller's choosing (`Bcc:`)."""
    return _LINE_BREAKS.sub(" ", text)


def build_email(
    message: Notification, sender: str, recipients: list[str], msg_id: str
) -> EmailMessage:
    """A text (and, when given, html) message with a Message-ID derived from the delivery."""
    email = EmailMessage()
    email["From"] = formataddr(parseaddr(sender))
    email["To"] = ", ".join(formataddr(parseaddr(r)) for r in recipients)
    email["Subject"] = one_line(message.subject or message.title or "Ops Agent")
    email["Date"] = formatdate(localtime=False)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "ops-agent.local"
    email["Message-ID"] = make_msgid(idstring=msg_id, domain=domain)
    if message.category:
        email["X-Category"] = one_line(message.category)
    email.set_content(message.body or message.subject or "")
    if message.html:
        email.add_alternative(message.html, subtype="html")
    return email


class SmtpChannel(Channel):
    name = "smtp"
    rate_limit = (30, 60.0)  # a conservative relay quota

    @classmethod
    def from_settings(cls, ctx: ChannelContext) -> SmtpChannel:
        s = ctx.settings
        return cls(
            s.smtp_host,
            s.smtp_port,
            security=s.smtp_security,
            username=s.smtp_username,
            password=secret(s.smtp_password),
            sender=s.notify_email_from,
            default_to=addresses(s.notify_email_to),
            timeout=s.notify_timeout_seconds,
            ssl_context=ctx.smtp_ssl_context,
        )

    def __init__(
        self,
        host: str | None,
        port: int,
        *,
        security: Security,
        username: str | None,
        password: str | None,
        sender: str,
        default_to: list[str],
        timeout: float,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._security = security
        self._username = username
        self._password = password
        self._sender = sender
        self._default_to = default_to
        self._timeout = timeout
        self._ssl = ssl_context or ssl.create_default_context()

    def _recipients(self, message: Notification) -> list[str]:
        recipients = message.to or self._default_to
        if not recipients:
            raise ChannelNotConfigured("no recipients: pass to or set NOTIFY_EMAIL_TO")
        return recipients

    def destination(self, message: Notification) -> str:
        if not self._host:
            raise ChannelNotConfigured("no SMTP server: set SMTP_HOST")
        return f"{self._host}:{self._port}"

    def masked(self, message: Notification) -> str:
        scheme = "smtps" if self._security == "tls" else "smtp"
        user = f"{self._username}@" if self._username else ""
        to = ", ".join(self._recipients(message))
        return f"{scheme}://{user}{self.destination(message)} → {to}"

    async def attempt(self, message: Notification, delivery: Delivery) -> Outcome:
        email = build_email(message, self._sender, self._recipients(message), delivery.msg_id)
        return await asyncio.to_thread(self._send, email)

    def _send(self, email: EmailMessage) -> Outcome:
        assert self._host
        client: smtplib.SMTP
        try:
            if self._security == "tls":
                client = smtplib.SMTP_SSL(
                    self._host, self._port, timeout=self._timeout, context=self._ssl
                )
            else:
                client = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
            with client:
                client.ehlo()
                if self._security == "starttls":
                    client.starttls(context=self._ssl)
                    client.ehlo()
                if self._username and self._password:
                    client.login(self._username, self._password)
                refused = client.send_message(email)
        except smtplib.SMTPAuthenticationError as exc:
            return Outcome(
                ok=False,
                status_code=exc.smtp_code,
                error=f"SMTP login refused ({exc.smtp_code}): check SMTP_USERNAME/SMTP_PASSWORD",
            )
        except smtplib.SMTPRecipientsRefused as exc:
            detail = "; ".join(
                f"{r}: {code} {_text(msg)}" for r, (code, msg) in exc.recipients.items()
            )
            codes = [code for code, _ in exc.recipients.values()]
            return Outcome(
                ok=False,
                error=f"every recipient refused: {detail}",
                retryable=all(400 <= c < 500 for c in codes),
            )
        except smtplib.SMTPNotSupportedError as exc:
            return Outcome(ok=False, error=f"SMTP server does not support this: {exc}")
        except smtplib.SMTPResponseException as exc:
            return Outcome(
                ok=False,
                status_code=exc.smtp_code,
                error=f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}",
                retryable=400 <= exc.smtp_code < 500,
            )
        except ssl.SSLError as exc:
            return Outcome(ok=False, error=f"TLS failed: {exc.reason or exc}")
        except (smtplib.SMTPException, OSError) as exc:
            return Outcome(
                ok=False,
                error=f"SMTP connection failed: {type(exc).__name__}: {exc}",
                retryable=True,
            )
        message_id = str(email["Message-ID"])
        if refused:
            detail = "; ".join(f"{r}: {code} {_text(msg)}" for r, (code, msg) in refused.items())
            return Outcome(
                ok=True,
                message_id=message_id,
                error=f"some recipients refused: {detail}",
                extra={"refused": sorted(refused)},
            )
        return Outcome(ok=True, message_id=message_id)


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
