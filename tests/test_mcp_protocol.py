"""Which MCP revision a request is in, and what is wrong with its envelope."""

from __future__ import annotations

from ops_agent.mcp import (
    CAPABILITIES_META,
    HEADER_MISMATCH,
    INVALID_PARAMS,
    INVALID_REQUEST,
    UNSUPPORTED_PROTOCOL_VERSION,
    VERSION_META,
    Envelope,
    Problem,
    classify,
    negotiate,
)


def modern(method: str, version: str = "2026-07-28", **params):
    body = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": method,
        "params": {"_meta": {VERSION_META: version, CAPABILITIES_META: {}}, **params},
    }
    headers = {"mcp-protocol-version": version, "mcp-method": method}
    if method == "tools/call":
        headers["mcp-name"] = params.get("name", "")
    return body, headers


def test_a_modern_request_is_classified_with_its_parts() -> None:
    body, headers = modern("tools/call", name="list_alerts", arguments={})
    verdict = classify(body, headers)
    assert isinstance(verdict, Envelope) and verdict.modern and verdict.id == 7
    assert verdict.params["name"] == "list_alerts"


def test_the_modern_ladder_in_order() -> None:
    body, headers = modern("tools/list")
    del body["params"]["_meta"][CAPABILITIES_META]
    assert isinstance(p := classify(body, headers), Problem) and p.code == INVALID_PARAMS
    body, headers = modern("tools/list")
    headers["mcp-method"] = "tools/call"
    assert isinstance(p := classify(body, headers), Problem) and p.code == HEADER_MISMATCH
    body, headers = modern("tools/call", name="deploy")
    headers["mcp-name"] = "rollback"
    assert isinstance(p := classify(body, headers), Problem) and p.code == HEADER_MISMATCH
    assert p.status(modern=True) == 400
    body, headers = modern("tools/list", version="2027-01-01")
    p = classify(body, headers)
    assert isinstance(p, Problem) and p.code == UNSUPPORTED_PROTOCOL_VERSION
    assert p.data == {"supported": ["2026-07-28"], "requested": "2027-01-01"}
    assert p.body(7)["error"]["data"]["requested"] == "2027-01-01"


def test_handshake_requests_and_notifications() -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
    verdict = classify(body, {})
    assert isinstance(verdict, Envelope) and not verdict.modern
    note = classify({"jsonrpc": "2.0", "method": "notifications/initialized"}, {})
    assert isinstance(note, Envelope) and note.notification
    old = classify(body, {"mcp-protocol-version": "2024-11-05"})
    assert isinstance(old, Problem) and old.code == UNSUPPORTED_PROTOCOL_VERSION
    batch = classify([body], {})
    assert isinstance(batch, Problem) and batch.code == INVALID_REQUEST
    assert negotiate("2025-06-18") == "2025-06-18" and negotiate("1999-01-01") == "2025-11-25"
    # Before 2026-07-28 a tool error or an unknown method is a JSON-RPC error with HTTP 200.
    assert Problem(-32601, "x").status(modern=False) == 200
    assert Problem(-32601, "x").status(modern=True) == 404
