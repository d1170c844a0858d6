"""Vercel log drain entries, normalised into the rows `log_entries` stores. Pure functions.

A delivery is a JSON array or NDJSON, possibly gzip-encoded. Entries that cannot be read are
reported with their position and reason; the others are kept.
"""

from __future__ import annotations

import functools
import json
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic_core import from_json

from ops_agent.errors import InvalidInput, PayloadTooLarge
from ops_agent.plausible import outside_window
from ops_agent.textclean import INT32, clean_text
from ops_agent.vercel.models import RuntimeLog

LEVELS = {"trace", "debug", "info", "warning", "error", "fatal"}
_LEVEL_ALIASES = {"warn": "warning", "err": "error", "critical": "fatal", "panic": "fatal"}
MAX_MESSAGE = 65_536


class DeliveryError(InvalidInput):
    """The body is not a log drain delivery at all (neither a JSON array nor NDJSON)."""

    error_code = "invalid_body"


class DeliveryTooLarge(PayloadTooLarge):
    """The body inflates past the limit."""


@dataclass
class Rejected:
    index: int
    reason: str


@dataclass
class Parsed:
    rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def decompress(body: bytes, encoding: str | None, limit: int) -> bytes:
    """The body without its Content-Encoding (gzip or deflate), refusing more than `limit`
    bytes once inflated."""
    if not encoding or encoding.lower() in ("identity", ""):
        return body
    if encoding.lower() not in ("gzip", "x-gzip", "deflate"):
        raise DeliveryError(f"unsupported Content-Encoding {encoding!r}; use gzip or none")
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding.lower() else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise DeliveryError(f"the body is not valid {encoding}: {exc}") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise DeliveryTooLarge(f"the body inflates past {limit} bytes")
    return out


def _loads(data: bytes | str) -> Any:
    """The JSON value of `data`: pydantic-core's parser, twice the standard library's on a
    delivery, or the standard library's wherever that one refuses (a lone surrogate escape,
    bytes that are not UTF-8, deep nesting), so that every answer, error messages included,
    is the standard library's."""
    try:
        return from_json(data)
    except ValueError:
        text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
        return json.loads(text)


def split_items(body: bytes) -> tuple[list[tuple[int, Any]], list[Rejected]]:
    """The JSON values of a delivery with their positions: the items of a JSON array (by
    index), or one per NDJSON line (by line, counting from 0, blank lines included). NDJSON is
    split on "\\n" only: U+2028, U+2029 and U+0085 may stand raw inside a JSON string."""
    start = body.lstrip(b" \t\r\n")
    if not start:
        return [], []
    if start[:1] == b"[":
        try:
            array = _loads(body)
        except ValueError as exc:
            raise DeliveryError(f"the body is not a valid JSON array: {exc}") from None
        return list(enumerate(array)), []
    if start[:1] != b"{":
        raise DeliveryError("the body is neither a JSON array nor NDJSON objects")
    items: list[tuple[int, Any]] = []
    rejected: list[Rejected] = []
    for index, line in enumerate(body.split(b"\n")):
        if not line.strip(b" \t\r"):
            continue
        try:
            items.append((index, _loads(line)))
        except ValueError as exc:  # a number past Python's digit limit is no JSONDecodeError
            why = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            rejected.append(Rejected(index, f"line {index + 1} is not JSON: {why}"))
    if not items:
        raise DeliveryError("no line of the NDJSON body is valid JSON")
    return items, rejected


def _str(value: Any, limit: int = 2048) -> str | None:
    if value is None or value == "":
        return None
    text = value if isinstance(value, str) else str(value)
    return clean_text(text[:limit]) or None


def _clean_str(value: Any, limit: int = 2048) -> str | None:
    """`_str` for a delivery known to hold no NUL or lone surrogate (see `_MAY_BE_DIRTY`)."""
    if value is None or value == "":
        return None
    return (value if isinstance(value, str) else str(value))[:limit] or None


# JSON can only smuggle a NUL or a lone surrogate into a string as a `\u` escape (raw control
# characters are invalid JSON, and the body is decoded as UTF-8 with replacement), so a
# delivery without one of these escapes needs no per-field cleaning. A false alarm (say an
# escaped backslash before `u0000`) only costs the slow path.
_MAY_BE_DIRTY = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


def _int(value: Any) -> int | None:
    """An integer that fits the store's integer columns, or None."""
    if isinstance(value, bool):
        return None
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and value.lstrip("-").isdigit() and len(value) < 20
    ):
        number = int(value)
    if number is None or not INT32[0] <= number <= INT32[1]:
        return None
    return number


_ID_SEGMENT = re.compile(
    r"^(?:\d+|[0-9a-fA-F]{8,}|[0-9a-fA-F-]{36}|[A-Za-z0-9_-]{20,}|[^/]*\d[^/]*\d{3,}[^/]*)$"
)


@functools.lru_cache(maxsize=4096)
def route_of(path: str | None) -> str | None:
    """The route of a request path: no query string, and id-like segments as `:id`
    (`/api/orders/123?x=1` is `/api/orders/:id`), so per-route figures stay few."""
    if not path:
        return None
    bare = path.split("?", 1)[0].split("#", 1)[0] or "/"
    segments = [":id" if _ID_SEGMENT.match(seg) else seg for seg in bare.split("/")]
    return "/".join(segments)[:300]


def level_of(value: Any) -> str:
    level = str(value or "info").lower()
    level = _LEVEL_ALIASES.get(level, level)
    return level if level in LEVELS else "info"


def normalise(
    item: Any, *, now: datetime | None = None, oldest: timedelta | None = None, dirty: bool = True
) -> dict[str, Any]:
    """One drain entry as a `log_entries` row; ValueError says what is wrong with it. With
    `now` and `oldest`, an entry stamped outside the plausible window (plausible.py) is
    refused too. `dirty=False` promises no string in it holds a NUL or a lone surrogate."""
    if not isinstance(item, dict):
        raise ValueError("not a JSON object")
    text = _str if dirty else _clean_str
    entry_id = item.get("id")
    if not isinstance(entry_id, str | int) or entry_id in ("", None):
        raise ValueError("missing id")
    if dirty and isinstance(entry_id, str) and clean_text(entry_id) != entry_id:
        raise ValueError("the id holds characters no store can keep (NUL or a lone surrogate)")
    timestamp = item.get("timestamp")
    if not isinstance(timestamp, int | float) or isinstance(timestamp, bool):
        raise ValueError("missing or non-numeric timestamp")
    if timestamp != timestamp or timestamp in (float("inf"), float("-inf")):
        raise ValueError("the timestamp is not a finite number")
    try:
        ts = datetime.fromtimestamp(timestamp / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError("timestamp out of range") from None
    if now is not None and oldest is not None:
        why = outside_window(ts, now, oldest)
        if why is not None:
            raise ValueError(why)
    proxy: dict[str, Any] = item["proxy"] if isinstance(item.get("proxy"), dict) else {}
    user_agent = proxy.get("userAgent")
    if isinstance(user_agent, list):
        user_agent = " ".join(str(u) for u in user_agent)
    message = item.get("message")
    message = "" if message is None else str(message)
    if dirty:
        message = clean_text(message)
    return {
        "id": str(entry_id)[:200],
        "ts": ts.isoformat(),
        "level": level_of(item.get("level")),
        "source": text(item.get("source"), 32),
        "project_id": text(item.get("projectId"), 200),
        "project_name": text(item.get("projectName"), 200),
        "deployment_id": text(item.get("deploymentId"), 200),
        "environment": text(item.get("environment"), 64),
        "host": text(item.get("host"), 512),
        "path": text(item.get("path") or proxy.get("path")),
        "route": route_of(text(proxy.get("path") or item.get("path"))),
        "status_code": _int(item.get("statusCode")),
        "request_id": text(item.get("requestId"), 200),
        "message": message[:MAX_MESSAGE],
        "type": text(item.get("type"), 64),
        "entrypoint": text(item.get("entrypoint"), 512),
        "branch": text(item.get("branch"), 256),
        "region": text(item.get("executionRegion"), 32),
        "trace_id": text(item.get("traceId") or item.get("trace.id"), 128),
        "method": text(proxy.get("method"), 16),
        "proxy_status": _int(proxy.get("statusCode")),
        "waf_action": text(proxy.get("wafAction"), 32),
        "proxy_region": text(proxy.get("region"), 32),
        "user_agent": text(user_agent, 512),
        "client_ip": text(proxy.get("clientIp"), 64),
        "cache": text(proxy.get("vercelCache"), 32),
    }


# Runtime-log sources as the drain names them; `request` rows are the requests themselves.
RUNTIME_SOURCES = {
    "serverless": "lambda",
    "edge-function": "edge",
    "edge-middleware": "edge",
    "request": "request",
    "delimiter": "delimiter",
}


def from_runtime_log(
    row: RuntimeLog,
    *,
    project_id: str,
    project_name: str | None,
    deployment_id: str,
    environment: str | None,
) -> dict[str, Any]:
    """A runtime-log row (pulled through Vercel's API) as a `log_entries` row, marked
    `via: pull`. Its id is Vercel's `rowId`, so overlapping pulls store it once. It has no
    request id; its `request` rows count as the requests (see ops_drain_ingest)."""
    path = _str(row.request_path)
    return {
        "id": f"rt_{row.row_id}"[:200],
        "ts": row.timestamp.isoformat(),
        "level": level_of(row.level),
        "source": RUNTIME_SOURCES.get(row.source, _str(row.source, 32)),
        "project_id": project_id,
        "project_name": project_name,
        "deployment_id": deployment_id,
        "environment": environment,
        "host": _str(row.domain, 512),
        "path": path,
        "route": route_of(path),
        "status_code": row.response_status_code or None,
        "request_id": None,
        "message": row.message[:MAX_MESSAGE],
        "type": None,
        "method": _str(row.request_method, 16),
        "via": "pull",
    }


def parse_delivery(
    body: bytes, *, now: datetime | None = None, oldest: timedelta | None = None
) -> Parsed:
    """Every readable entry of a delivery as a row, and every unreadable one with its reason
    and position (array index, or NDJSON line from 0). With `now` and `oldest`, an entry
    stamped outside the plausible window (plausible.py) is rejected too."""
    items, rejected = split_items(body)
    parsed = parse_items(items, now=now, oldest=oldest, dirty=may_be_dirty(body))
    parsed.rejected = sorted([*rejected, *parsed.rejected], key=lambda r: r.index)
    return parsed


def may_be_dirty(body: bytes) -> bool:
    """Whether a string of `body` may hold a NUL or a lone surrogate (see `_MAY_BE_DIRTY`)."""
    return _MAY_BE_DIRTY.search(body) is not None


def parse_items(
    items: Sequence[tuple[int, Any]],
    *,
    now: datetime | None = None,
    oldest: timedelta | None = None,
    dirty: bool = True,
) -> Parsed:
    """`normalise` for each of a delivery's items (see `split_items`): the rows, and each
    item that is no entry with its reason and position."""
    parsed = Parsed()
    for index, item in items:
        try:
            parsed.rows.append(normalise(item, now=now, oldest=oldest, dirty=dirty))
        except ValueError as exc:
            parsed.rejected.append(Rejected(index, str(exc)))
    return parsed
