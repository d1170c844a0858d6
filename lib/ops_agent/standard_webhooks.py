"""Standard Webhooks signatures (standardwebhooks.com): `v1,<base64 HMAC-SHA256>` over
`<webhook-id>.<webhook-timestamp>.<body>`, keyed with the secret's decoded bytes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

PREFIX = "whsec_"


def decode_secret(secret: str) -> bytes:
    """The key bytes of a `whsec_<base64>` secret (the prefix is optional).

    Raises ValueError naming NOTIFY_WEBHOOK_SECRET when it is not base64 or is too short to
    be safe (the spec asks for 24 to 64 random bytes)."""
    raw = secret.removeprefix(PREFIX)
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(
            "NOTIFY_WEBHOOK_SECRET must be whsec_ followed by base64 "
            "(e.g. 'whsec_' + base64 of 32 random bytes: openssl rand -base64 32)"
        ) from None
    if len(key) < 16:
        raise ValueError("NOTIFY_WEBHOOK_SECRET must decode to at least 16 bytes (24-64 advised)")
    return key


def signature(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one delivery attempt."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(key: bytes, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers. `msg_id` stays the same across retries; the
    timestamp (and so the signature) is new on every attempt."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(key, msg_id, timestamp, body),
    }
