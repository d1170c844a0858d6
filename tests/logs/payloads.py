"""Vercel log drain entries shaped as vercel.com/docs/drains/reference/logs documents them."""

from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

PROJECT = "prj_Qmc52npNy86S8VV4Mt8a8dP1LEkR"

LAMBDA_MESSAGES = [
    "Connection to db-{n}.internal refused after {ms} ms",
    "GET /api/orders/{n} took {ms}ms",
    "Task timed out after 10.01 seconds",
    "Error: connect ECONNREFUSED 10.0.{n}.4:5432",
    "TypeError: Cannot read properties of undefined (reading 'id')"
    " at handler (/var/task/api/orders.js:{n}:{ms})",
    "user {n} signed in from 10.1.{n}.9",
    "cache miss for key session:{hex}",
]


def entry(
    i: int,
    *,
    at: datetime | None = None,
    source: str = "lambda",
    level: str = "info",
    message: str | None = None,
    status: int | None = 200,
    path: str = "/api/orders",
    deployment: str = "dpl_2YZzo1cJAjijSf1hwDFK5ayu2Pid",
    rng: random.Random | None = None,
) -> dict[str, Any]:
    r = rng or random.Random(i)
    at = at or datetime(2026, 11, 24, 12, 0, tzinfo=UTC) + timedelta(milliseconds=i)
    text = (
        message
        if message is not None
        else r.choice(LAMBDA_MESSAGES).format(
            n=r.randint(1, 999), ms=r.randint(1, 5000), hex=f"{r.getrandbits(64):016x}"
        )
    )
    out: dict[str, Any] = {
        "id": f"log_{i:08d}",
        "deploymentId": deployment,
        "source": source,
        "host": "shop-acme.vercel.app",
        "timestamp": int(at.timestamp() * 1000),
        "projectId": PROJECT,
        "level": level,
        "message": text,
        "path": path,
        "statusCode": status,
        "requestId": f"req_{i:06d}",
        "environment": "production",
        "branch": "main",
        "executionRegion": "iad1",
        "projectName": "shop",
        "traceId": f"{r.getrandbits(128):032x}",
    }
    if source in ("edge", "lambda", "static"):
        out["proxy"] = {
            "timestamp": out["timestamp"],
            "method": "GET",
            "host": "shop.example.com",
            "path": path + "?page=2",
            "userAgent": ["Mozilla/5.0 (X11; Linux x86_64)"],
            "region": "iad1",
            "statusCode": status,
            "clientIp": "203.0.113.9",
            "scheme": "https",
            "vercelCache": "MISS",
        }
    return out


def batch(n: int, start: int = 0, **kw: Any) -> list[dict[str, Any]]:
    return [entry(start + i, **kw) for i in range(n)]


def as_json(entries: list[dict[str, Any]]) -> bytes:
    return json.dumps(entries).encode()


def as_ndjson(entries: list[dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps(e) for e in entries).encode() + b"\n"


def gz(body: bytes) -> bytes:
    return gzip.compress(body)


def otlp_export(rows: list[dict[str, Any]], latency: dict[str, float]) -> bytes:
    """The trace drain export (OTLP/JSON, as Vercel sends it) of the requests in `rows`: one
    server span each, lasting latency[request id] ms, with the row's path and status."""
    spans = []
    for r in rows:
        start = r["timestamp"] * 1_000_000
        request = r["requestId"]
        spans.append(
            {
                "traceId": f"{int(request.split('_')[1]):032x}",
                "spanId": f"{int(r['id'].split('_')[1]) + 1:016x}",
                "name": "GET",
                "kind": 2,
                "startTimeUnixNano": str(start),
                "endTimeUnixNano": str(start + int(latency[request] * 1_000_000)),
                "attributes": [
                    {"key": "url.path", "value": {"stringValue": r["proxy"]["path"]}},
                    {
                        "key": "http.response.status_code",
                        "value": {"intValue": str(r["statusCode"])},
                    },
                ],
            }
        )
    resource = [
        {"key": "vercel.projectId", "value": {"stringValue": PROJECT}},
        {"key": "vercel.deploymentId", "value": {"stringValue": rows[0]["deploymentId"]}},
    ]
    export = {
        "resourceSpans": [{"resource": {"attributes": resource}, "scopeSpans": [{"spans": spans}]}]
    }
    return json.dumps(export).encode()
