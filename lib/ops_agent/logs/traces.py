"""Vercel trace drain deliveries (OTLP/HTTP, JSON or protobuf) read into span rows. Pure.

Vercel sends `ExportTraceServiceRequest` messages (docs: drains/reference/traces). Protobuf is
decoded with the official `opentelemetry-proto` package. OTLP/JSON is read directly: it is
not protobuf's generic JSON mapping (OTLP writes trace and span ids in hex), and protobuf's
generic parser is some fifty times slower. Both give the same rows (tests check it). Only
SERVER spans (and root spans of unspecified kind) are requests; the others are the work inside
one and are not rolled up.

A row: `{trace_id, span_id, ts, project_id, deployment_id, environment, route, status,
duration_ms}`. The project and deployment come from the resource attributes
`vercel.projectId` and `vercel.deploymentId`; the route from `http.route`, or the path folded
to `:id` segments; the status from `http.response.status_code`. The environment is read from
`vercel.env` or `deployment.environment` when a span carries one; Vercel's reference does not
promise either, so it may be absent (the rollup then takes it from the deployment's target).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ops_agent.logs.entries import DeliveryError, route_of

if TYPE_CHECKING:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue

# OTLP's Span.SpanKind (opentelemetry/proto/trace/v1/trace.proto), spelt out so that a log
# drain delivery, which needs no protobuf, does not import it (tests hold it to the proto's).
_KINDS = {
    "SPAN_KIND_UNSPECIFIED": 0,
    "SPAN_KIND_INTERNAL": 1,
    "SPAN_KIND_SERVER": 2,
    "SPAN_KIND_CLIENT": 3,
    "SPAN_KIND_PRODUCER": 4,
    "SPAN_KIND_CONSUMER": 5,
}
SERVER = _KINDS["SPAN_KIND_SERVER"]
UNSPECIFIED = _KINDS["SPAN_KIND_UNSPECIFIED"]
MAX_SPANS = 100_000
PROTOBUF_TYPES = ("application/x-protobuf", "application/protobuf", "application/octet-stream")


@dataclass
class SpanBatch:
    rows: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0  # spans that are not requests (internal, client, ...)


def read(body: bytes, content_type: str | None) -> SpanBatch:
    """The request spans of a delivery: protobuf when the content type says so, else JSON.
    Raises `DeliveryError` naming what is wrong; nothing of a bad delivery is kept."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind in PROTOBUF_TYPES:
        from google.protobuf.message import DecodeError
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
        )

        message = ExportTraceServiceRequest()
        try:
            message.ParseFromString(body)
        except DecodeError as exc:
            raise DeliveryError(f"the body is not an OTLP protobuf export: {exc}") from None
        return _from_protobuf(message)
    if kind not in ("", "application/json"):
        raise DeliveryError(
            f"unsupported Content-Type {content_type!r}; "
            "use application/json or application/x-protobuf"
        )
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise DeliveryError(f"the body is not JSON: {exc}") from None
    return _from_json(data)


def _from_protobuf(message: ExportTraceServiceRequest) -> SpanBatch:
    batch = SpanBatch()
    _limit(sum(len(s.spans) for r in message.resource_spans for s in r.scope_spans))
    for resource_spans in message.resource_spans:
        resource = {kv.key: _pb_value(kv.value) for kv in resource_spans.resource.attributes}
        for scope in resource_spans.scope_spans:
            for span in scope.spans:
                if not _is_request(span.kind, bool(span.parent_span_id)):
                    batch.skipped += 1
                    continue
                if len(span.trace_id) != 16 or len(span.span_id) != 8:
                    raise DeliveryError("a span lacks a 16-byte trace id or an 8-byte span id")
                attrs = {kv.key: _pb_value(kv.value) for kv in span.attributes}
                batch.rows.append(
                    _row(
                        resource,
                        attrs,
                        span.trace_id.hex(),
                        span.span_id.hex(),
                        span.start_time_unix_nano,
                        span.end_time_unix_nano,
                    )
                )
    return batch


def _pb_value(value: AnyValue) -> Any:
    which = value.WhichOneof("value")
    return getattr(value, which) if which else None


def _from_json(data: Any) -> SpanBatch:
    batch = SpanBatch()
    if not isinstance(data, dict):
        raise DeliveryError("an OTLP JSON export is an object with resourceSpans")
    resources = _list(data.get("resourceSpans", []), "resourceSpans")
    plan: list[tuple[str, dict[str, Any], list[Any]]] = []
    for i, resource_spans in enumerate(resources):
        where = f"resourceSpans[{i}]"
        resource_spans = _obj(resource_spans, where)
        resource = _obj(resource_spans.get("resource", {}), f"{where}.resource")
        attrs = _json_attributes(resource.get("attributes", []), f"{where}.resource.attributes")
        for j, scope in enumerate(_list(resource_spans.get("scopeSpans", []), where)):
            here = f"{where}.scopeSpans[{j}]"
            plan.append((here, attrs, _list(_obj(scope, here).get("spans", []), here)))
    _limit(sum(len(spans) for _, _, spans in plan))
    for here, resource, spans in plan:
        for k, span in enumerate(spans):
            where = f"{here}.spans[{k}]"
            span = _obj(span, where)
            kind = span.get("kind", UNSPECIFIED)
            kind = _KINDS.get(kind, -1) if isinstance(kind, str) else kind
            if not isinstance(kind, int) or isinstance(kind, bool):
                raise DeliveryError(f"{where}.kind: not a span kind")
            if not _is_request(kind, bool(span.get("parentSpanId"))):
                batch.skipped += 1
                continue
            batch.rows.append(
                _row(
                    resource,
                    _json_attributes(span.get("attributes", []), f"{where}.attributes"),
                    _hex(span.get("traceId"), 32, f"{where}.traceId"),
                    _hex(span.get("spanId"), 16, f"{where}.spanId"),
                    _nanos(span.get("startTimeUnixNano"), f"{where}.startTimeUnixNano"),
                    _nanos(span.get("endTimeUnixNano"), f"{where}.endTimeUnixNano"),
                )
            )
    return batch


def _obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DeliveryError(f"{where}: not an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise DeliveryError(f"{where}: not a list")
    return value


def _hex(value: Any, digits: int, where: str) -> str:
    if not isinstance(value, str) or len(value) != digits:
        raise DeliveryError(f"{where}: not {digits} hex digits")
    try:
        bytes.fromhex(value)
    except ValueError:
        raise DeliveryError(f"{where}: not {digits} hex digits") from None
    return value.lower()


def _nanos(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise DeliveryError(f"{where}: not a count of nanoseconds")


def _json_attributes(items: Any, where: str) -> dict[str, Any]:
    """OTLP/JSON `KeyValue`s: `{key, value: {stringValue | intValue | ...}}`, 64-bit integers
    possibly as strings."""
    out: dict[str, Any] = {}
    for n, kv in enumerate(_list(items, where)):
        kv = _obj(kv, f"{where}[{n}]")
        key, value = kv.get("key"), kv.get("value")
        if not isinstance(key, str):
            raise DeliveryError(f"{where}[{n}].key: not a string")
        if isinstance(value, dict) and value:
            kind, raw = next(iter(value.items()))
            if kind == "intValue" and isinstance(raw, str) and raw.lstrip("-").isdigit():
                raw = int(raw)
            out[key] = raw
    return out


def _limit(total: int) -> None:
    if total > MAX_SPANS:
        raise DeliveryError(f"the export holds {total} spans; at most {MAX_SPANS} per delivery")


def _is_request(kind: int, has_parent: bool) -> bool:
    """A SERVER span, or a root span of unspecified kind."""
    return kind == SERVER or (kind == UNSPECIFIED and not has_parent)


def _status(attrs: dict[str, Any]) -> int | None:
    for key in ("http.response.status_code", "http.status_code"):
        value = attrs.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def _row(
    resource: dict[str, Any],
    attrs: dict[str, Any],
    trace_id: str,
    span_id: str,
    start_ns: int,
    end_ns: int,
) -> dict[str, Any]:
    route = attrs.get("http.route")
    path = attrs.get("url.path") or attrs.get("http.target")
    duration = (end_ns - start_ns) / 1e6
    try:
        ts = datetime.fromtimestamp(start_ns / 1e9, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise DeliveryError(f"span {span_id}: start time out of range") from None
    return {
        "trace_id": trace_id,
        "span_id": span_id,
        "ts": ts.isoformat(),
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


def _text(value: Any) -> str | None:
    return str(value)[:300] if value not in (None, "") else None
