"""Upstash QStash as the tick's scheduler: verifying its signed calls.

QStash signs every request with `Upstash-Signature`, a JWT (HS256) under the current or the
next signing key, whose claims carry the destination URL (`sub`) and the SHA-256 of the body.
The official `qstash` package's `Receiver` checks the key, the expiry and the body; this
module adds that the signed URL is this endpoint (its path: behind Vercel's proxy the scheme
and host the function sees are not always the public ones).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from ops_agent.http.auth import Principal
from ops_agent.http.errors import ApiError
from ops_agent.settings import Settings
from ops_agent.store import Role

QSTASH = Principal(name="qstash", role=Role.OPERATOR)
CLOCK_TOLERANCE_SECONDS = 30


def configured(settings: Settings) -> bool:
    return settings.qstash_current_signing_key is not None


async def verify_qstash(request: Request, settings: Settings) -> Principal:
    """The QStash caller, or ApiError 401 saying why its signature is not accepted."""
    # Imported here: the qstash client costs a third of a second to import, and a tick from
    # Vercel Cron never needs it.
    import jwt
    from qstash import Receiver
    from qstash.errors import SignatureError

    signature = request.headers.get("upstash-signature", "")
    current, following = settings.qstash_current_signing_key, settings.qstash_next_signing_key
    if current is None:
        raise ApiError(
            401,
            "invalid_signature",
            "a QStash-signed call, but QSTASH_CURRENT_SIGNING_KEY is not set here",
        )
    body = (await request.body()).decode("utf-8", errors="replace")
    receiver = Receiver(
        current.get_secret_value(),
        (following or current).get_secret_value(),
    )
    try:
        receiver.verify(signature=signature, body=body, clock_tolerance=CLOCK_TOLERANCE_SECONDS)
        claims = jwt.decode(signature, options={"verify_signature": False})
    except (SignatureError, jwt.PyJWTError) as exc:
        raise ApiError(401, "invalid_signature", f"Upstash-Signature: {exc}") from None
    signed_path = urlsplit(str(claims.get("sub", ""))).path.rstrip("/")
    if signed_path != request.url.path.rstrip("/"):
        raise ApiError(
            401,
            "invalid_signature",
            f"Upstash-Signature was made for {signed_path or 'another URL'}, "
            f"not {request.url.path}",
        )
    request.state.principal = QSTASH
    return QSTASH
