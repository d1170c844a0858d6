"""Real receivers for notification tests: a webhook endpoint that verifies Standard Webhooks
signatures with the reference `standardwebhooks` package and answers from a script, and
aiosmtpd SMTP servers (plain, STARTTLS with login, implicit TLS) that keep what they get."""

from __future__ import annotations

import base64
import os
import socket
import ssl
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.servers import serve_in_thread

WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()


@dataclass
class Receiver:
    """What the webhook receiver saw, and what it will answer next."""

    url: str
    script: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, *responses: int | tuple[int, dict[str, str]]) -> None:
        for r in responses:
            self.script.append(r if isinstance(r, tuple) else (r, {}))

    @property
    def verified(self) -> list[dict[str, Any]]:
        return [d for d in self.deliveries if d["verified"]]


@contextmanager
def webhook_receiver(secret: str = WEBHOOK_SECRET) -> Iterator[Receiver]:
    verifier = Webhook(secret)
    receiver = Receiver(url="")

    async def hook(request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        try:
            payload = verifier.verify(body, headers)
            verified = True
        except WebhookVerificationError:
            payload, verified = None, False
        with receiver.lock:
            receiver.deliveries.append(
                {
                    "path": request.url.path,
                    "headers": headers,
                    "payload": payload,
                    "verified": verified,
                }
            )
            status, extra = receiver.script.popleft() if receiver.script else (200, {})
        if not verified:
            status = 401
        return Response(status_code=status, headers=extra)

    app = Starlette(routes=[Route("/{path:path}", hook, methods=["POST"])])
    with serve_in_thread(app) as url:
        receiver.url = url
        yield receiver


class Mailbox:
    """An aiosmtpd handler that keeps messages and refuses some recipients."""

    def __init__(self, refuse: set[str] | None = None) -> None:
        self.messages: list[Envelope] = []
        self.refuse = refuse or set()

    async def handle_RCPT(  # noqa: N802 (aiosmtpd calls hooks by this name)
        self, server: Any, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 <" + address + ">: Recipient address rejected: user unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: Any, session: Session, envelope: Envelope
    ) -> str:
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


USER, PASSWORD = "ops", "s3cret-smtp-password"


def _authenticator(
    server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox
    client_context: ssl.SSLContext


@contextmanager
def smtp_server(mode: str, *, refuse: set[str] | None = None) -> Iterator[SmtpServer]:
    """mode: 'plain' (no TLS, no login), 'starttls' (STARTTLS required, login required),
    'tls' (implicit TLS, login required)."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    mailbox = Mailbox(refuse)
    kwargs: dict[str, Any] = {"hostname": "127.0.0.1", "port": _free_port()}
    if mode == "starttls":
        kwargs.update(
            tls_context=server_ctx,
            require_starttls=True,
            authenticator=_authenticator,
            auth_require_tls=True,
            auth_required=True,
        )
    elif mode == "tls":
        # aiosmtpd only counts STARTTLS as TLS, so implicit TLS must waive its check.
        kwargs.update(
            ssl_context=server_ctx,
            authenticator=_authenticator,
            auth_required=True,
            auth_require_tls=False,
        )
    controller = Controller(mailbox, **kwargs)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", kwargs["port"], mailbox, client_ctx)
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def random_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()
