"""Vercel trace drain deliveries (OTLP/HTTP, JSON or protobuf) read into span rows. Pure.

Vercel sends `ExportTraceServiceRequest` messages (docs: drains/reference/traces). Both
encodings are decoded with the official `opentelemetry-proto` package, so the JSON mapping
(camelCase or snake_case names, ids in hex, 64-bit integers as strings) is OTLP's own. Only
SERVER spans (and spans of unspecified kind at the root) are requests; the others are the
work inside one and are not rolled up.

A row: `{trace_id, span_id, ts, project_id, deployment_id, environment, route, status,
duration_ms}`. The project and deployment come from the resource attributes
`vercel.projectId` and `vercel.deploymentId`; the route from `http.route`, or the path folded
to `:id` segments. The environment is read from `vercel.env` or `deployment.environment` when
a span carries one; Vercel's reference does not promise either, so it may be absent (the
rollup then takes it from the deployment's target).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from google.protobuf.json_format import ParseDict, ParseError
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from ops_agent.logs.entries import DeliveryError, route_of

SERVER_KINDS = (Span.SpanKind.SPAN_KIND_SERVER,)
MAX_SPANS = 100_000


@dataclass
class SpanBatch:
    rows: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0  # spans that are not requests (internal, client, ...)


def decode(body: bytes, content_type: str | None) -> ExportTraceServiceRequest:
    """The export request in `body`: protobuf when the content type says so, else JSON."""
    message = ExportTraceServiceRequest()
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind in ("application/x-protobuf", "application/protobuf", "application/octet-stream"):
        try:
            message.ParseFromString(body)
        except DecodeError as exc:
            raise DeliveryError(f"the body is not an OTLP protobuf export: {exc}") from None
        return message
    if kind not in ("", "application/json"):
        raise DeliveryError(
            f"unsupported Content-Type {content_type!r}; "
            "use application/json or application/x-protobuf"
        )
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise DeliveryError(f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise DeliveryError("an OTLP JSON export is an object with resourceSpans")
    try:
        ParseDict(protobuf_json(data), message, ignore_unknown_fields=True)
    except (ParseError, ValueError, TypeError) as exc:
        raise DeliveryError(f"the body is not an OTLP JSON export: {exc}") from None
    return message


_ID_KEYS = ("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id")


def protobuf_json(data: dict[str, Any]) -> dict[str, Any]:
    """An OTLP/JSON export in protobuf's own JSON mapping. OTLP/JSON writes trace and span ids
    as hex where protobuf's mapping expects base64 (OTLP spec, "JSON Protobuf Encoding"); the
    rest is the same."""

    def ids(obj: Any) -> Any:
        if isinstance(obj, list):
            return [ids(x) for x in obj]
        if not isinstance(obj, dict):
            return obj
        out = {}
        for key, value in obj.items():
            if key in _ID_KEYS and isinstance(value, str):
                try:
                    value = base64.b64encode(bytes.fromhex(value)).decode()
                except ValueError:
                    raise ValueError(f"{key} {value[:40]!r} is not hex") from None
            elif key not in ("attributes", "resource"):  # attribute values are not ids
                value = ids(value)
            out[key] = value
        return out

    return {
        **data,
        "resourceSpans": ids(data.get("resourceSpans", data.get("resource_spans", []))),
    }


def _value(value: AnyValue) -> Any:
    which = value.WhichOneof("value")
    return getattr(value, which) if which else None


def _attributes(items: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kv in items:
        assert isinstance(kv, KeyValue)
        out[kv.key] = _value(kv.value)
    return out


def _status(attrs: dict[str, Any]) -> int | None:
    for key in ("http.response.status_code", "http.status_code"):
        value = attrs.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def spans(message: ExportTraceServiceRequest) -> SpanBatch:
    """The request spans of an export as rows; refuses an export of more than MAX_SPANS."""
    batch = SpanBatch()
    total = sum(len(s.spans) for r in message.resource_spans for s in r.scope_spans)
    if total > MAX_SPANS:
        raise DeliveryError(f"the export holds {total} spans; at most {MAX_SPANS} per delivery")
    for resource_spans in message.resource_spans:
        resource = _attributes(resource_spans.resource.attributes)
        for scope in resource_spans.scope_spans:
            for span in scope.spans:
                root = not span.parent_span_id
                if span.kind not in SERVER_KINDS and not (
                    span.kind == Span.SpanKind.SPAN_KIND_UNSPECIFIED and root
                ):
                    batch.skipped += 1
                    continue
                if len(span.trace_id) != 16 or len(span.span_id) != 8:
                    raise DeliveryError("a span lacks a 16-byte trace id or an 8-byte span id")
                attrs = _attributes(span.attributes)
                route = attrs.get("http.route")
                path = attrs.get("url.path") or attrs.get("http.target")
                duration = (span.end_time_unix_nano - span.start_time_unix_nano) / 1e6
                batch.rows.append(
                    {
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "ts": datetime.fromtimestamp(
                            span.start_time_unix_nano / 1e9, tz=UTC
                        ).isoformat(),
                        "project_id": _text(resource.get("vercel.projectId")),
                        "deployment_id": _text(resource.get("vercel.deploymentId")),
                        "environment": _text(
                            resource.get("vercel.env")
                            or resource.get("deployment.environment")
                            or attrs.get("vercel.env")
                        ),
                        "route": _text(route) or route_of(_text(path)),
                        "status": _status(attrs),
                        "duration_ms": duration if duration >= 0 else None,
                    }
                )
    return batch


def _text(value: Any) -> str | None:
    return str(value)[:300] if value not in (None, "") else None
