"""The Mangum entrypoint turns an API Gateway HTTP API event into a request and back."""

from __future__ import annotations

import asyncio
import json

from ops_agent.http.app import create_app
from ops_agent.http.aws_lambda import make_handler
from ops_agent.kv.redis import RedisKV
from ops_agent.runtime import Runtime
from ops_agent.settings import Settings
from ops_agent.store import AuditEntry
from ops_agent.store.postgres import PostgresStore
from tests.conftest import clean_tables
from tests.http.conftest import routers


def http_api_event(method: str, path: str, headers: dict[str, str] | None = None) -> dict:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "abc.lambda-url.eu-west-1.on.aws", **(headers or {})},
        "requestContext": {
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "test",
            },
            "requestId": "req-lambda",
            "stage": "$default",
            "timeEpoch": 0,
        },
        "isBase64Encoded": False,
    }


def test_lambda_event_reaches_the_app(settings: Settings, pg_url: str, redis_socket: str) -> None:
    clean_tables(pg_url, "audit_log", "api_keys")
    runtime = Runtime(
        settings,
        store=PostgresStore(pg_url),
        kv=RedisKV(unix_socket_path=redis_socket, prefix="lambda-tests:"),
    )
    handler = make_handler(create_app("t", routers(), runtime=runtime))
    loop = asyncio.new_event_loop()  # Mangum drives the app on the thread's event loop
    asyncio.set_event_loop(loop)
    try:
        health = handler(http_api_event("GET", "/api/health"), None)
        assert health["statusCode"] == 200
        assert json.loads(health["body"])["status"] == "ok"
        denied = handler(http_api_event("POST", "/api/admin/keys"), None)
        assert denied["statusCode"] == 401
        rows = loop.run_until_complete(_audit(runtime))
        assert [(r.action, r.outcome) for r in rows] == [("POST /api/admin/keys", "denied")]
    finally:
        loop.run_until_complete(runtime.close())
        asyncio.set_event_loop(None)
        loop.close()


async def _audit(runtime: Runtime) -> list[AuditEntry]:
    return await (await runtime.store()).list_audit()
