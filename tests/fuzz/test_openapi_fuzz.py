"""Schemathesis over the app's own OpenAPI, in-process (ASGI, no network): every operation,
as an admin, an operator and a viewer, with inputs that fit the schema and inputs that do not.
No answer is a 5xx, and every status is one the OpenAPI documents for that operation.

Bounded: `EXAMPLES` cases per operation, role and mode (a few thousand in all)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import respx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.python import asgi as schemathesis_asgi
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ops_agent.apikeys import issue_key
from ops_agent.http.local import local_app
from ops_agent.kv.redis import RedisKV
from ops_agent.runtime import Runtime
from ops_agent.sandbox.standalone import standalone
from ops_agent.settings import Settings
from ops_agent.store import Role
from ops_agent.store.postgres import PostgresStore
from tests.conftest import (
    ALL_TABLES,
    DRAIN_SECRET,
    DRAIN_VERIFY_TOKEN,
    WEBHOOK_SECRET,
    clean_tables,
)
from tests.notify.conftest import SLACK_URL
from tests.notify.servers import WEBHOOK_SECRET as NOTIFY_WEBHOOK_SECRET
from tests.notify.servers import smtp_server, webhook_receiver
from tests.servers import serve_in_thread

EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = (Role.ADMIN, Role.OPERATOR, Role.VIEWER)
METHODS = {"get", "post", "put", "patch", "delete"}


def _operations() -> list[tuple[str, str]]:
    """Every (method, path) the app documents, read at collection without a store."""
    app = local_app(crons=False, runtime=Runtime(Settings()))
    paths = app.openapi()["paths"]
    return [(m, p) for p, item in sorted(paths.items()) for m in item if m in METHODS]


async def _issue_keys(pg_url: str) -> dict[Role, str]:
    store = PostgresStore(pg_url)
    try:
        keys = {}
        for role in ROLES:
            keys[role], _ = await issue_key(store, name=f"fuzz-{role}", role=role, created_by="t")
        return keys
    finally:
        await store.close()


@pytest.fixture(scope="module")
def fuzz_keys(pg_url: str) -> dict[Role, str]:
    clean_tables(pg_url, *ALL_TABLES)
    return asyncio.run(_issue_keys(pg_url))


@pytest.fixture(scope="module")
def world(tmp_root: Path) -> Iterator[Settings]:
    """Every dependency configured and up, so that any 5xx is the app's own fault: the local
    Vercel double, a webhook receiver and an SMTP server on 127.0.0.1, Slack and Mailtrap
    through respx (SaaS that cannot be reached from here), every signing secret set."""
    sandbox, vercel = standalone(("shop",), build_seconds=0.2, tick_seconds=0.05)
    with (
        serve_in_thread(vercel) as vercel_url,
        webhook_receiver() as receiver,
        smtp_server("plain") as smtp,
        respx.mock(assert_all_called=False) as saas,
    ):
        saas.route(host="127.0.0.1").pass_through()
        saas.post(SLACK_URL).respond(200, text="ok")
        saas.post(url__startswith="https://send.api.mailtrap.io/").respond(
            200, json={"success": True, "message_ids": ["0c7fd939-02cf-11ed-88c2-0a58a9feac02"]}
        )
        yield Settings(
            ops_agent_data_dir=tmp_root / "fuzz-data",
            cron_secret="test-cron-secret-0123456789",
            vercel_token=sandbox.token,
            vercel_api_url=vercel_url,
            vercel_project="shop",
            vercel_timeout_seconds=5,
            vercel_job_timeout_seconds=0,
            vercel_webhook_secret=WEBHOOK_SECRET,
            vercel_drain_secret=DRAIN_SECRET,
            vercel_drain_verify_token=DRAIN_VERIFY_TOKEN,
            sentry_client_secret="sentry-client-secret-0123456789",
            notify_allowed_hosts="127.0.0.1",
            notify_email_to="oncall@example.com",
            notify_max_attempts=1,
            slack_webhook_url=SLACK_URL,
            mailtrap_api_token="mailtrap-token-0123456789abcdef",
            smtp_host=smtp.host,
            smtp_port=smtp.port,
            smtp_security="none",
            notify_webhook_url=f"{receiver.url}/hook",
            notify_webhook_secret=NOTIFY_WEBHOOK_SECRET,
        )


@pytest.fixture(scope="module")
def fuzz_schema(world: Settings, pg_url: str, redis_socket: str) -> Iterator[BaseSchema]:
    # Its pools open lazily, on the one event loop thread schemathesis calls the app from.
    runtime = Runtime(
        world,
        store=PostgresStore(pg_url),
        kv=RedisKV(unix_socket_path=redis_socket, prefix="fuzz:"),
    )
    app = local_app(crons=False, runtime=runtime)
    yield schemathesis.openapi.from_asgi("/api/openapi.json", app)
    # Closed on the loop its pools were opened on: schemathesis's one ASGI thread.
    schemathesis_asgi._get_portal().call(runtime.close)


@pytest.mark.parametrize("role", ROLES, ids=str)
@pytest.mark.parametrize(("method", "path"), _operations())
def test_operation(
    method: str, path: str, role: Role, fuzz_schema: BaseSchema, fuzz_keys: dict[Role, str]
) -> None:
    operation = fuzz_schema[path][method]
    headers = {"Authorization": f"Bearer {fuzz_keys[role]}"}
    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
        GenerationMode.NEGATIVE
    )

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=cases)
    def answers_as_documented(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    answers_as_documented()
