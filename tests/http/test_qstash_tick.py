"""The tick called by an Upstash QStash schedule: `Upstash-Signature` verified with the
`qstash` package's Receiver (current or next key), by GET or POST; forged, expired, replayed
to another URL or altered calls are refused."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest
from pydantic import SecretStr

from ops_agent.http.app import create_app
from ops_agent.http.routes import cron
from ops_agent.runtime import Runtime

CURRENT = "sig_current_0123456789abcdef0123456789abcdef"
NEXT = "sig_next_fedcba9876543210fedcba9876543210fedcba"
URL = "https://ops.example.com/api/cron/tick"


def qstash_signature(key: str, body: bytes = b"", *, url: str = URL, expires_in: int = 300) -> str:
    """A signature as QStash makes it: an HS256 JWT with the claims its Receiver checks."""
    now = int(time.time())
    digest = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).decode().rstrip("=")
    claims = {
        "iss": "Upstash",
        "sub": url,
        "exp": now + expires_in,
        "nbf": now - 1,
        "iat": now,
        "jti": f"jwt_{uuid.uuid4().hex}",
        "body": digest,
    }
    return jwt.encode(claims, key, algorithm="HS256")


@pytest.fixture
async def qstash_client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    s = runtime.settings.model_copy(
        update={
            "qstash_current_signing_key": SecretStr(CURRENT),
            "qstash_next_signing_key": SecretStr(NEXT),
        }
    )
    rt = Runtime(s, store=await runtime.store(), kv=await runtime.kv())
    app = create_app("test", [cron.router], runtime=rt)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://ops.example.com"
    ) as c:
        yield c


async def test_a_signed_get_or_post_ticks(qstash_client: httpx.AsyncClient) -> None:
    r = await qstash_client.get(
        "/api/cron/tick", headers={"Upstash-Signature": qstash_signature(CURRENT)}
    )
    assert r.status_code == 200 and r.json()["status"] in ("ran", "skipped")
    body = b'{"scheduled": true}'
    r = await qstash_client.post(
        "/api/cron/tick",
        content=body,
        headers={"Upstash-Signature": qstash_signature(NEXT, body)},  # a rotated key
    )
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("signature", "body", "why"),
    [
        (lambda: qstash_signature("someone-elses-key-0123456789abcdef0123"), b"", "Signature"),
        # The Receiver tries the next key after the current one and reports the last failure.
        (lambda: qstash_signature(CURRENT, expires_in=-120), b"", "Upstash-Signature"),
        (lambda: qstash_signature(CURRENT, b"original"), b"altered", "Upstash-Signature"),
        (
            lambda: qstash_signature(CURRENT, url="https://ops.example.com/api/other"),
            b"",
            "/api/other",
        ),
        (lambda: "not-a-jwt", b"", "Signature"),
    ],
)
async def test_forged_or_stale_calls_are_refused(
    qstash_client: httpx.AsyncClient, signature, body: bytes, why: str
) -> None:
    r = await qstash_client.post(
        "/api/cron/tick", content=body, headers={"Upstash-Signature": signature()}
    )
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "invalid_signature" and why in r.json()["error"]["message"]


async def test_without_keys_a_signed_call_is_refused(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/cron/tick", headers={"Upstash-Signature": qstash_signature(CURRENT)})
    assert r.status_code == 401 and "QSTASH_CURRENT_SIGNING_KEY" in r.json()["error"]["message"]
