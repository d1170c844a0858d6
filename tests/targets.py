"""Real HTTP and HTTPS health-check targets on 127.0.0.1 (see the `targets` fixture)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import trustme
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.servers import serve_in_thread


async def ok(_: Request) -> Response:
    return JSONResponse({"status": "UP", "items": [1, 2, 3], "db": {"latency_ms": 4}})


async def degraded(_: Request) -> Response:
    return JSONResponse({"status": "DEGRADED", "items": [], "error": "db timeout"}, status_code=200)


async def down(_: Request) -> Response:
    return PlainTextResponse("upstream error", status_code=503)


async def slow(_: Request) -> Response:
    await asyncio.sleep(3)
    return PlainTextResponse("late")


class Flaky:
    """Answers from a script of statuses (then 200)."""

    def __init__(self) -> None:
        self.statuses: list[int] = []

    async def endpoint(self, _: Request) -> Response:
        status = self.statuses.pop(0) if self.statuses else 200
        return PlainTextResponse("flaky", status_code=status)


@dataclass
class Targets:
    http: str
    https: str
    flaky: Flaky
    client_ssl: ssl.SSLContext


def _app(flaky: Flaky) -> Starlette:
    return Starlette(
        routes=[
            Route("/ok", ok),
            Route("/degraded", degraded),
            Route("/down", down),
            Route("/slow", slow),
            Route("/flaky", flaky.endpoint),
        ]
    )


@contextmanager
def serve_targets(tmp_root: Path) -> Iterator[Targets]:
    """An HTTP and an HTTPS server (certificate expiring in 30 hours) with test routes."""
    flaky = Flaky()
    ca = trustme.CA()
    # A certificate that expires in 30 hours: fine today, but under a 72h condition.
    cert = ca.issue_cert("127.0.0.1", not_after=datetime.now(UTC) + timedelta(hours=30))
    certfile, keyfile = tmp_root / "target-cert.pem", tmp_root / "target-key.pem"
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    client_ssl = ssl.create_default_context()
    ca.configure_trust(client_ssl)
    with (
        serve_in_thread(_app(flaky)) as http,
        serve_in_thread(_app(flaky), ssl_certfile=str(certfile), ssl_keyfile=str(keyfile)) as https,
    ):
        yield Targets(http, https, flaky, client_ssl)
