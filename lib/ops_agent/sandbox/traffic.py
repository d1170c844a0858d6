"""The traffic a deployment serves, as Vercel's drains deliver it. Pure functions.

`requests()` draws the requests of a span of time from a deployment's `Behaviour`; from them,
`log_lines()` writes what a log drain sends (docs: drains/reference/logs) and `trace_export()`
what a trace drain sends (docs: drains/reference/traces, OTLP/HTTP JSON):

- one log entry per log line, so a function request has several lines sharing `requestId`, each
  carrying the request's `proxy` object; static and edge requests have one line; firewall
  denials carry `proxy.wafAction`;
- a crashed function logs `statusCode: -1` (no response: an error); a background ISR
  revalidation has `proxy.statusCode: -1` (not a 5xx, not a user request);
- no duration anywhere in a log entry (Vercel sends none): latency reaches the agent only as
  server spans, one per function request;
- now and then a message carries a raw U+2028, which is legal inside a JSON string.

Entry and span ids derive from the deployment and the time, so a batch delivered twice is
ingested once.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.resource.v1 import resource_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

ROUTES = ("/api/products", "/api/cart", "/api/checkout", "/", "/api/search", "/api/orders/[id]")
STATIC = ("/_next/static/chunks/main.js", "/favicon.ico", "/images/hero.webp")
Source = Literal["lambda", "static", "edge", "external", "firewall"]


@dataclass(frozen=True)
class Behaviour:
    """How a deployment serves traffic, and how its build goes."""

    error_rate: float = 0.005
    latency_ms: float = 80.0
    errors: tuple[str, ...] = ("Error: upstream request timed out after 10000ms",)
    build: str = "ok"  # ok, transient (fails once, then builds), code (always fails)
    build_log: tuple[str, ...] = field(default_factory=tuple)
    crash_share: float = 0.1  # of failing function requests, the share that crash outright


HEALTHY = Behaviour()


@dataclass(frozen=True)
class Request:
    """One request as the platform saw it."""

    request_id: str
    ts_ms: int
    source: Source
    method: str
    path: str
    route: str
    status: int  # proxy.statusCode; -1 for a background revalidation
    crashed: bool  # the function died without answering (statusCode -1)
    latency_ms: float
    error: str | None = None
    waf_action: str | None = None


@dataclass(frozen=True)
class Where:
    """The project, deployment and host the traffic belongs to."""

    project_id: str
    project_name: str
    deployment_id: str
    host: str
    environment: str = "production"
    region: str = "iad1"


def requests(
    where: Where,
    *,
    start: datetime,
    seconds: float,
    behaviour: Behaviour,
    rate_per_second: float,
    seed: int,
) -> list[Request]:
    """The requests of `seconds` of traffic from `start`, in time order."""
    rng = random.Random(f"{seed}:{where.deployment_id}:{start.isoformat()}")  # noqa: S311 (simulated traffic)
    count = max(1, round(seconds * rate_per_second))
    start_ms = int(start.timestamp() * 1000)
    out: list[Request] = []
    for i in range(count):
        ts = start_ms + int(i * seconds * 1000 / count)
        request_id = f"{where.region}::{_digest(where.deployment_id, ts, i)[:12]}-{ts}"
        draw = rng.random()
        latency = round(behaviour.latency_ms * rng.lognormvariate(0, 0.35), 1)
        if draw < 0.09:
            path = STATIC[rng.randrange(len(STATIC))]
            out.append(
                Request(request_id, ts, "static", "GET", path, path, 200, False, latency / 10)
            )
            continue
        if draw < 0.12:  # middleware answering at the edge: a redirect to the locale
            out.append(Request(request_id, ts, "edge", "GET", "/", "/", 307, False, 3.0))
            continue
        if draw < 0.13:  # a rewrite to an external origin
            out.append(
                Request(
                    request_id,
                    ts,
                    "external",
                    "GET",
                    "/blog/feed",
                    "/blog/feed",
                    200,
                    False,
                    latency,
                )
            )
            continue
        if draw < 0.14:
            out.append(
                Request(
                    request_id,
                    ts,
                    "firewall",
                    "POST",
                    "/wp-login.php",
                    "/wp-login.php",
                    403,
                    False,
                    1.0,
                    waf_action="deny",
                )
            )
            continue
        route = ROUTES[rng.randrange(len(ROUTES))]
        path = route.replace("[id]", str(1000 + rng.randrange(9000)))
        if draw < 0.16:
            # Incremental static regeneration in the background: no user waits for it.
            out.append(Request(request_id, ts, "lambda", "GET", path, route, -1, False, latency))
            continue
        failed = rng.random() < behaviour.error_rate
        crashed = failed and rng.random() < behaviour.crash_share
        error = behaviour.errors[rng.randrange(len(behaviour.errors))] if failed else None
        status = 502 if crashed else 500 if failed else 200
        out.append(
            Request(request_id, ts, "lambda", "GET", path, route, status, crashed, latency, error)
        )
    return out


def log_lines(where: Where, reqs: list[Request], *, seed: int = 0) -> list[dict[str, Any]]:
    """The log drain entries of `reqs`: several lines per function request, one otherwise."""
    rng = random.Random(f"lines:{seed}:{where.deployment_id}")  # noqa: S311 (simulated traffic)
    out: list[dict[str, Any]] = []
    for r in reqs:
        proxy: dict[str, Any] = {
            "timestamp": r.ts_ms,
            "method": r.method,
            "host": where.host,
            "path": r.path,
            "statusCode": r.status,
            "region": where.region,
            "clientIp": "203.0.113.7",
            "userAgent": ["Mozilla/5.0 (sandbox)"],
            "vercelCache": "HIT" if r.source == "static" else "MISS",
        }
        if r.waf_action:
            proxy["wafAction"] = r.waf_action
            proxy["wafRuleId"] = "rule_sandbox_wp"
        lines: list[tuple[str, str, str, int | None]] = []  # message, level, type, statusCode
        if r.source == "lambda":
            lines.append((f"{r.method} {r.path}", "info", "stdout", None))
            if r.error:
                lines.append((r.error, "error", "stderr", None))
            if r.crashed:
                lines.append(
                    ("Error: Runtime exited with error: exit status 1", "fatal", "fatal", -1)
                )
            else:
                note = "cache refreshed\u2028(revalidated in background)" if r.status == -1 else ""
                if note or rng.random() < 0.5:
                    lines.append((note or f"served {r.route}", "info", "stdout", None))
        else:
            lines.append(("", "info", "request", None))
        for n, (message, level, kind, crash_status) in enumerate(lines):
            entry: dict[str, Any] = {
                "id": f"{r.request_id}-{n}",
                "timestamp": r.ts_ms + n,
                "message": message,
                "level": level,
                "type": kind,
                "source": r.source,
                "projectId": where.project_id,
                "projectName": where.project_name,
                "deploymentId": where.deployment_id,
                "environment": where.environment,
                "host": where.host,
                "path": r.path,
                "requestId": r.request_id,
                "proxy": proxy,
            }
            if r.source == "lambda":
                entry["entrypoint"] = f"api{r.route}.js" if r.route != "/" else "index.js"
                entry["executionRegion"] = where.region
                # The function's own status: -1 only when it crashed. A revalidation's -1 is
                # the proxy's (no client waited), so the function line says what it answered.
                own = 200 if r.status == -1 else r.status
                entry["statusCode"] = crash_status if crash_status is not None else own
            out.append(entry)
    return out


def runtime_rows(where: Where, reqs: list[Request]) -> list[dict[str, Any]]:
    """What Vercel's runtime-logs API streams for `reqs` (the plan-independent view): a
    `request` row per request with its method, path and status, and the function's log lines
    as `serverless` rows (with the same request fields). No request id: the API has none."""
    out: list[dict[str, Any]] = []
    for r in reqs:
        status = 500 if r.crashed else (200 if r.status == -1 else r.status)
        base = {
            "domain": where.host,
            "messageTruncated": False,
            "requestMethod": r.method,
            "requestPath": r.path,
            "responseStatusCode": status,
        }
        level = "error" if status >= 500 else "warning" if status >= 400 else "info"
        rows = [("request", level, f"{r.method} {r.path} {status}")]
        if r.source == "lambda" and r.error:
            rows.append(("serverless", "error", r.error))
        for n, (source, row_level, message) in enumerate(rows):
            out.append(
                {
                    **base,
                    "level": row_level,
                    "message": message,
                    "rowId": f"{_digest(where.deployment_id, r.request_id)[:20]}{n}",
                    "source": source,
                    "timestampInMs": r.ts_ms + n,
                }
            )
    return out


def build_lines(where: Where, lines: list[str], start_ms: int) -> list[dict[str, Any]]:
    """A build's log as the drain sends it: `source: build`, no request, no proxy."""
    return [
        {
            "id": f"{where.deployment_id}-build-{n}",
            "timestamp": start_ms + n,
            "message": text,
            "level": "error" if "rror" in text else "info",
            "type": "stderr" if "rror" in text else "stdout",
            "source": "build",
            "projectId": where.project_id,
            "projectName": where.project_name,
            "deploymentId": where.deployment_id,
            "environment": where.environment,
            "host": where.host,
        }
        for n, text in enumerate(lines)
    ]


def trace_export(where: Where, reqs: list[Request]) -> dict[str, Any]:
    """The OTLP/HTTP JSON `ExportTraceServiceRequest` a trace drain sends for `reqs`: one
    SERVER span per function request, with the route, method and status it answered."""
    spans = []
    for r in reqs:
        if r.source != "lambda" or r.status == -1:
            continue
        start_ns = r.ts_ms * 1_000_000
        status_code = 500 if r.crashed else r.status
        spans.append(
            {
                "traceId": _digest("trace", where.deployment_id, r.request_id)[:32],
                "spanId": _digest("span", where.deployment_id, r.request_id)[:16],
                "name": f"{r.method} {r.route}",
                "kind": 2,  # SPAN_KIND_SERVER
                "startTimeUnixNano": str(start_ns),
                "endTimeUnixNano": str(start_ns + int(r.latency_ms * 1_000_000)),
                "attributes": [
                    _attr("http.request.method", r.method),
                    _attr("http.route", r.route),
                    _attr("url.path", r.path),
                    {"key": "http.response.status_code", "value": {"intValue": str(status_code)}},
                    _attr("vercel.request_id", r.request_id),
                ],
                "status": {"code": 2 if status_code >= 500 else 0},
            }
        )
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [
                        _attr("service.name", where.project_name),
                        _attr("vercel.projectId", where.project_id),
                        _attr("vercel.deploymentId", where.deployment_id),
                        _attr("vercel.env", where.environment),
                        _attr("vercel.region", where.region),
                    ]
                },
                "scopeSpans": [{"scope": {"name": "vercel"}, "spans": spans}],
            }
        ]
    }


def to_protobuf(export: dict[str, Any]) -> bytes:
    """The same export in OTLP protobuf, as a trace drain set to `proto` sends it. Built
    message by message: protobuf's generic JSON parser is too slow for a simulated minute."""
    resource_spans = []
    for rs in export["resourceSpans"]:
        scopes = []
        for scope in rs["scopeSpans"]:
            spans = [
                trace_pb2.Span(
                    trace_id=bytes.fromhex(span["traceId"]),
                    span_id=bytes.fromhex(span["spanId"]),
                    name=span["name"],
                    kind=span["kind"],
                    start_time_unix_nano=int(span["startTimeUnixNano"]),
                    end_time_unix_nano=int(span["endTimeUnixNano"]),
                    attributes=_pb_attributes(span["attributes"]),
                    status=trace_pb2.Status(code=span["status"]["code"]),
                )
                for span in scope["spans"]
            ]
            scopes.append(
                trace_pb2.ScopeSpans(
                    scope=common_pb2.InstrumentationScope(name=scope["scope"]["name"]),
                    spans=spans,
                )
            )
        resource = resource_pb2.Resource(attributes=_pb_attributes(rs["resource"]["attributes"]))
        resource_spans.append(trace_pb2.ResourceSpans(resource=resource, scope_spans=scopes))
    message = trace_service_pb2.ExportTraceServiceRequest(resource_spans=resource_spans)
    return message.SerializeToString()


def _pb_attributes(items: list[dict[str, Any]]) -> list[common_pb2.KeyValue]:
    out = []
    for item in items:
        value = item["value"]
        any_value = (
            common_pb2.AnyValue(int_value=int(value["intValue"]))
            if "intValue" in value
            else common_pb2.AnyValue(string_value=value["stringValue"])
        )
        out.append(common_pb2.KeyValue(key=item["key"], value=any_value))
    return out


def _attr(key: str, value: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": value}}


def _digest(*parts: object) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()
