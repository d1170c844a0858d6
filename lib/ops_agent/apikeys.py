"""API keys: how they look, how they are made, and the only form in which they are stored.

A key is `oa_<8-char prefix>_<43-char secret>`. It carries 256 bits of randomness, so a plain
SHA-256 is a safe stored form (no salt or slow hash is needed for random tokens); the prefix is
kept in clear so an operator can tell keys apart in listings.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
from dataclasses import dataclass

from ops_agent.store import ApiKey, Role, Store

_ALPHABET = string.ascii_lowercase + string.digits
_SHAPE = re.compile(r"^oa_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class NewKey:
    key: str  # shown to the user once, never stored
    prefix: str
    key_hash: str


def hash_key(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def looks_like_key(value: str) -> bool:
    """True when `value` has the shape of an Ops Agent key (cheap check before a lookup)."""
    return bool(_SHAPE.match(value))


def generate_key() -> NewKey:
    """A fresh random key with its prefix and hash."""
    prefix = "oa_" + "".join(secrets.choice(_ALPHABET) for _ in range(8))
    key = f"{prefix}_{secrets.token_urlsafe(32)}"
    return NewKey(key=key, prefix=prefix, key_hash=hash_key(key))


async def issue_key(store: Store, *, name: str, role: Role, created_by: str) -> tuple[str, ApiKey]:
    """Create and store a key; return the key (to show once) and its stored record."""
    new = generate_key()
    record = await store.create_api_key(
        name=name, role=role, prefix=new.prefix, key_hash=new.key_hash, created_by=created_by
    )
    return new.key, record
