"""Verification of Vercel's `x-vercel-signature`: hex HMAC-SHA1 of the raw body. Sentry's
`Sentry-Hook-Signature` is the same scheme with SHA-256 (`digest=hashlib.sha256`)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from typing import Any

Digest = Callable[..., Any]


def sign(body: bytes, secret: str, digest: Digest = hashlib.sha1) -> str:
    """The signature Vercel (SHA-1) or Sentry (SHA-256) sends for `body` under `secret`."""
    return hmac.new(secret.encode(), body, digest).hexdigest()


def parse_secrets(value: str | None) -> list[str]:
    """The secrets of a comma-separated setting (old and new during a rotation)."""
    return [s.strip() for s in (value or "").split(",") if s.strip()]


def verify(
    body: bytes, signature: str | None, secrets: Iterable[str], digest: Digest = hashlib.sha1
) -> bool:
    """Whether `signature` is the HMAC of `body` under any of `secrets`, compared in constant
    time. Every secret is tried, so timing does not reveal which one matched."""
    if not signature:
        return False
    given = signature.strip().lower().encode()
    matched = False
    for secret in secrets:
        matched |= hmac.compare_digest(sign(body, secret, digest).encode(), given)
    return matched
