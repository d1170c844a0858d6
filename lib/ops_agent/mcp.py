"""The Model Context Protocol as the agent speaks it: which revision a request is in, and whether
its envelope is valid. Pure; the HTTP edge is `ops_agent.http.routes.mcp`.

Two eras share one endpoint:

- **2026-07-28 (stateless)**: no handshake and no session. Every request carries its protocol
  version and the client's capabilities in `params._meta`, mirrored in the `MCP-Protocol-Version`,
  `Mcp-Method` and (for `tools/call`) `Mcp-Name` headers. `server/discover` says what the server
  speaks. Errors map to HTTP statuses (400, and 404 for an unknown method).
- **2025-11-25 and earlier (handshake)**: `initialize`, then `tools/list` and `tools/call`, with
  `ping`; one JSON answer per POST, no `Mcp-Session-Id`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MODERN = ("2026-07-28",)
HANDSHAKE = ("2025-11-25", "2025-06-18", "2025-03-26")
VERSIONS = MODERN + HANDSHAKE
"""Every revision this server speaks, newest first."""

VERSION_META = "io.modelcontextprotocol/protocolVersion"
CAPABILITIES_META = "io.modelcontextprotocol/clientCapabilities"
SERVER_INFO_META = "io.modelcontextprotocol/serverInfo"

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
HEADER_MISMATCH = -32020
UNSUPPORTED_PROTOCOL_VERSION = -32022

HTTP_STATUS = {
    PARSE_ERROR: 400,
    INVALID_REQUEST: 400,
    INVALID_PARAMS: 400,
    HEADER_MISMATCH: 400,
    UNSUPPORTED_PROTOCOL_VERSION: 400,
    METHOD_NOT_FOUND: 404,
}
"""The HTTP status of an error on the 2026-07-28 wire (200 for the others)."""

NAME_HEADERS = {"tools/call": "name"}
"""Methods whose `Mcp-Name` header mirrors a param."""


@dataclass(frozen=True)
class Problem:
    """A JSON-RPC error to answer with."""

    code: int
    message: str
    data: dict[str, Any] | None = None

    def status(self, modern: bool) -> int:
        """The HTTP status to answer with: by code on the 2026-07-28 wire; before it, 400
        only for a message that could not be read as one request."""
        if modern or self.code in (PARSE_ERROR, INVALID_REQUEST, UNSUPPORTED_PROTOCOL_VERSION):
            return HTTP_STATUS.get(self.code, 200)
        return 200

    def body(self, id_: Any) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return {"jsonrpc": "2.0", "id": id_, "error": error}


@dataclass(frozen=True)
class Envelope:
    """One JSON-RPC message, classified."""

    method: str | None
    id: Any
    params: dict[str, Any] = field(default_factory=dict)
    notification: bool = False
    modern: bool = False


def classify(message: Any, headers: Mapping[str, str]) -> Envelope | Problem:
    """The message's era and parts, or the problem with it (`headers` keyed lower-case)."""
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        return Problem(INVALID_REQUEST, "send one JSON-RPC 2.0 message (batches are not supported)")
    raw = message.get("params")
    params: dict[str, Any] = raw if isinstance(raw, dict) else {}
    method = message.get("method")
    meta = params.get("_meta")
    header_version = headers.get("mcp-protocol-version")
    modern = (
        method == "server/discover"
        or (isinstance(meta, dict) and VERSION_META in meta)
        or header_version in MODERN
    )
    envelope = Envelope(
        method=method if isinstance(method, str) else None,
        id=message.get("id"),
        params=params,
        notification="id" not in message,
        modern=modern,
    )
    if envelope.notification:
        return envelope
    if not modern:
        if header_version is not None and header_version not in HANDSHAKE:
            return Problem(
                UNSUPPORTED_PROTOCOL_VERSION,
                f"unsupported MCP-Protocol-Version {header_version!r}",
                {"supported": list(VERSIONS), "requested": header_version},
            )
        return envelope
    return _modern_problem(envelope, meta, headers) or envelope


def _modern_problem(envelope: Envelope, meta: Any, headers: Mapping[str, str]) -> Problem | None:
    """The 2026-07-28 checks, in the spec's order: the envelope, the mirrored headers, then
    the version."""
    if not isinstance(meta, dict) or any(k not in meta for k in (VERSION_META, CAPABILITIES_META)):
        return Problem(
            INVALID_PARAMS,
            f"params._meta must carry {VERSION_META!r} and {CAPABILITIES_META!r}",
        )
    version = meta[VERSION_META]
    if headers.get("mcp-protocol-version") != version:
        return Problem(HEADER_MISMATCH, "MCP-Protocol-Version does not match params._meta")
    if headers.get("mcp-method") != envelope.method:
        return Problem(HEADER_MISMATCH, "Mcp-Method does not match the request's method")
    name_param = NAME_HEADERS.get(envelope.method or "")
    if name_param and headers.get("mcp-name") != envelope.params.get(name_param):
        return Problem(HEADER_MISMATCH, f"Mcp-Name does not match params.{name_param}")
    if version not in MODERN:
        return Problem(
            UNSUPPORTED_PROTOCOL_VERSION,
            "unsupported protocol version",
            {"supported": list(MODERN), "requested": version},
        )
    return None


def negotiate(requested: Any) -> str:
    """The handshake-era version to answer `initialize` with."""
    return requested if requested in HANDSHAKE else HANDSHAKE[0]
