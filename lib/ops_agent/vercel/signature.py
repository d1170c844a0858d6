"""Verification of Vercel's `x-vercel-signature`: hex HMAC-SHA1 of the raw body."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable


def sign(body: bytes, secret: str) -> str:
    """The signature Vercel sends for `body` under `secret`."""
    return hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def parse_secrets(value: str | None) -> list[str]:
    """The secrets of a comma-separated setting (old and new during a rotation)."""
    return [s.strip() for s in (value or "").split(",") if s.strip()]


def verify(body: bytes, signature: str | None, secrets: Iterable[str]) -> bool:
    """Whether `signature` is the HMAC of `body` under any of `secrets`, compared in constant
    time. Every secret is tried, so timing does not reveal which one matched."""
    if not signature:
        return False
    given = signature.strip().lower().encode()
    matched = False
    for secret in secrets:
        matched |= hmac.compare_digest(sign(body, secret).encode(), given)
    return matched
