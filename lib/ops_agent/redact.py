"""Scrub secrets out of text before it is logged or stored."""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"

_PATTERNS = [
    # Authorization headers and bearer tokens.
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{4,}"), r"\1 " + MASK),
    # Ops Agent API keys.
    (re.compile(r"\boa_[A-Za-z0-9]{6,}_[A-Za-z0-9_-]{8,}"), "oa_" + MASK),
    # Passwords inside URLs: scheme://user:password@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*):[^@\s/]+@"), r"\1:" + MASK + "@"),
    # Secret-looking query parameters and key=value pairs.
    (
        re.compile(
            r"(?i)\b(token|secret|password|passwd|api[_-]?key|apikey|access[_-]?key|"
            r"signature|sig|key)=([^&\s\"',;]+)"
        ),
        r"\1=" + MASK,
    ),
]

_SECRET_FIELD = re.compile(
    r"(?i)(authorization|password|passwd|secret|token|api[_-]?key|apikey|signature|cookie|"
    r"service[_-]?role|private[_-]?key|credential)"
)


class Redactor:
    """Masks known secret values and anything shaped like a credential."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        """Also mask these exact values (ignores empty and very short ones)."""
        for secret in secrets:
            if secret and len(secret) >= 6 and secret not in self._secrets:
                self._secrets.append(secret)
        self._secrets.sort(key=len, reverse=True)

    def text(self, value: str) -> str:
        """`value` with every secret masked."""
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        for pattern, replacement in _PATTERNS:
            value = pattern.sub(replacement, value)
        return value

    def value(self, value: object, field: str | None = None) -> object:
        """A JSON-like value with secrets masked; fields named like secrets are masked whole."""
        if field is not None and _SECRET_FIELD.search(field) and value not in (None, "", False):
            return MASK
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value


redactor = Redactor()
"""The process-wide redactor; `configure_logging` registers the configured secrets with it."""
