"""Opaque keyset cursors: the (timestamp, id) of the last row of a page."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from ops_agent.errors import InvalidInput


def encode_cursor(at: datetime, row_id: str) -> str:
    raw = f"{at.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The (timestamp, id) a cursor holds; InvalidInput when it is not one we issued."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, sep, row_id = raw.partition("|")
        if not sep:
            raise ValueError("no separator")
        return datetime.fromisoformat(at), row_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("cursor is not one this API issued", code="invalid_cursor") from None
