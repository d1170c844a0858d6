"""VercelClient against respx, with the request and answer shapes Vercel documents."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
import respx

from ops_agent.errors import NotConfigured
from ops_agent.vercel import (
    DeploymentState,
    VercelClient,
    VercelError,
    VercelNotFound,
    VercelRateLimited,
    VercelUnauthorized,
    VercelUnavailable,
)
from tests.vercel.payloads import (
    API,
    PROJECT_ID,
    TEAM,
    deployment,
    error_body,
    list_item,
    page,
    project,
)

TOKEN = "vercel-token-do-not-log-0123"


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def client(sleeps: Sleeps) -> VercelClient:
    c = VercelClient(TOKEN, team_id=TEAM, base_url=API, max_retries=3, sleep=sleeps)
    yield c  # type: ignore[misc]
    await c.aclose()


@pytest.fixture
def api() -> respx.MockRouter:
    with respx.mock(base_url=API, assert_all_called=True) as router:
        yield router  # type: ignore[misc]


async def test_get_deployment_sends_token_and_team_and_parses(client, api) -> None:
    route = api.get("/v13/deployments/dpl_abc").respond(
        json=deployment("dpl_abc", "ERROR", error=("BUILD_FAILED", "Command failed"))
    )
    d = await client.get_deployment("dpl_abc")
    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.url.params["teamId"] == TEAM
    assert d.id == "dpl_abc" and d.state is DeploymentState.ERROR
    assert d.error_code == "BUILD_FAILED" and d.error_message == "Command failed"
    assert d.branch == "main" and d.commit_sha and d.created_at.tzinfo is UTC
    assert d.target == "production" and d.project_id == PROJECT_ID


async def test_slug_scopes_when_no_team_id(api) -> None:
    route = api.get("/v13/deployments/dpl_x").respond(json=deployment("dpl_x"))
    async with VercelClient(TOKEN, team_slug="acme", base_url=API) as c:
        await c.get_deployment("dpl_x")
    assert route.calls.last.request.url.params["slug"] == "acme"
    assert "teamId" not in route.calls.last.request.url.params


async def test_ids_cannot_change_the_path(client, api) -> None:
    route = api.get(url__regex=r".*/v13/deployments/.*").respond(json=deployment("dpl_x"))
    await client.get_deployment("../v1/evil?x=1")
    assert "/v13/deployments/..%2Fv1%2Fevil%3Fx%3D1" in str(route.calls.last.request.url)


async def test_create_deployment_from_git_source(client, api) -> None:
    route = api.post("/v13/deployments").respond(json=deployment("dpl_new", "QUEUED"))
    d = await client.create_deployment(
        name="shop",
        project=PROJECT_ID,
        target="production",
        git_source={"type": "github", "repoId": 123456789, "ref": "main"},
    )
    request = route.calls.last.request
    assert request.url.params["forceNew"] == "1"
    assert json.loads(request.content) == {
        "name": "shop",
        "project": PROJECT_ID,
        "target": "production",
        "gitSource": {"type": "github", "repoId": 123456789, "ref": "main"},
    }
    assert d.state is DeploymentState.QUEUED


async def test_redeploy_existing_deployment(client, api) -> None:
    route = api.post("/v13/deployments").respond(json=deployment("dpl_re", "QUEUED"))
    await client.create_deployment(
        name="shop", deployment_id="dpl_old", meta={"action": "redeploy"}
    )
    assert json.loads(route.calls.last.request.content) == {
        "name": "shop",
        "deploymentId": "dpl_old",
        "meta": {"action": "redeploy"},
    }
    with pytest.raises(ValueError, match="exactly one"):
        await client.create_deployment(name="shop")


async def test_list_filters_and_pagination(client, api) -> None:
    first = page([list_item("dpl_3"), list_item("dpl_2")], next_=1_700_000_000_000)
    second = page([list_item("dpl_1")], next_=None)
    route = api.get("/v6/deployments").mock(
        side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=second)]
    )
    since = datetime(2026, 1, 1, tzinfo=UTC)
    ids = [
        d.id
        async for d in client.iter_deployments(
            project_id=PROJECT_ID,
            target="production",
            state=["READY", "ERROR"],
            since=since,
            page_size=2,
        )
    ]
    assert ids == ["dpl_3", "dpl_2", "dpl_1"]
    p1, p2 = (c.request.url.params for c in route.calls)
    assert p1["projectId"] == PROJECT_ID and p1["target"] == "production"
    assert p1["state"] == "READY,ERROR" and p1["since"] == str(int(since.timestamp() * 1000))
    assert p1["limit"] == "2" and "until" not in p1
    assert p2["until"] == "1700000000000"


async def test_iter_stops_at_max_items(client, api) -> None:
    api.get("/v6/deployments").respond(json=page([list_item("dpl_a"), list_item("dpl_b")], next_=5))
    got = [d.id async for d in client.iter_deployments(max_items=2)]
    assert got == ["dpl_a", "dpl_b"]


async def test_cancel_rollback_promote(client, api) -> None:
    cancel = api.patch("/v12/deployments/dpl_b/cancel").respond(
        json=deployment("dpl_b", "CANCELED")
    )
    rollback = api.post(f"/v1/projects/{PROJECT_ID}/rollback/dpl_good").respond(201)
    promote = api.post(f"/v10/projects/{PROJECT_ID}/promote/dpl_prev").respond(202)
    assert (await client.cancel_deployment("dpl_b")).state is DeploymentState.CANCELED
    await client.rollback(PROJECT_ID, "dpl_good", description="5xx spike after deploy")
    await client.promote(PROJECT_ID, "dpl_prev")
    assert cancel.called and promote.called
    assert rollback.calls.last.request.url.params["description"] == "5xx spike after deploy"


async def test_build_events_and_aliases(client, api) -> None:
    api.get("/v3/deployments/dpl_b/events").respond(
        json=[
            {
                "type": "command",
                "created": 1,
                "payload": {"text": 'Running "npm run build"', "deploymentId": "dpl_b"},
            },
            {"type": "stderr", "created": 2, "payload": {"text": "Error: Cannot find module 'x'"}},
            {
                "type": "deployment-state",
                "created": 3,
                "payload": {"info": {"readyState": "ERROR"}},
            },
        ]
    )
    api.get("/v2/deployments/dpl_b/aliases").respond(
        json={"aliases": [{"uid": "als_1", "alias": "shop.example.com", "created": 1}]}
    )
    events = await client.build_events("dpl_b")
    assert [e.text for e in events] == [
        'Running "npm run build"',
        "Error: Cannot find module 'x'",
        "",
    ]
    assert (await client.list_aliases("dpl_b"))[0].alias == "shop.example.com"


async def test_env_vars_and_custom_environments(client, api) -> None:
    api.get(f"/v10/projects/{PROJECT_ID}/env").respond(
        json={
            "envs": [
                {
                    "id": "env_1",
                    "key": "DATABASE_URL",
                    "type": "encrypted",
                    "target": ["production"],
                    "updatedAt": 1,
                }
            ]
        }
    )
    api.get(f"/v1/projects/{PROJECT_ID}/env/env_1").respond(
        json={
            "id": "env_1",
            "key": "DATABASE_URL",
            "value": "postgres://u:p@h/db",
            "decrypted": True,
            "type": "encrypted",
            "target": ["production"],
            "updatedAt": 1,
        }
    )
    upsert = api.post(f"/v10/projects/{PROJECT_ID}/env").respond(
        201,
        json={
            "created": {
                "id": "env_2",
                "key": "FEATURE_X",
                "type": "encrypted",
                "target": ["preview"],
                "value": "on",
            },
            "failed": [],
        },
    )
    api.get(f"/v9/projects/{PROJECT_ID}/custom-environments").respond(
        json={
            "accountLimit": {"total": 12},
            "environments": [
                {
                    "id": "env_stg",
                    "slug": "staging",
                    "type": "preview",
                    "description": "QA",
                    "branchMatcher": {"type": "equals", "pattern": "staging"},
                    "createdAt": 1,
                    "updatedAt": 1,
                }
            ],
        }
    )
    envs = await client.list_env(PROJECT_ID)
    assert envs[0].key == "DATABASE_URL" and envs[0].targets == ["production"]
    assert "decrypt" not in str(api.calls.last.request.url)  # the flag is deprecated
    value = await client.get_env_value(PROJECT_ID, "env_1")
    assert value.value is not None and value.value.get_secret_value() == "postgres://u:p@h/db"
    assert "postgres://" not in repr(value) and "postgres://" not in str(value.model_dump())
    created = await client.upsert_env(PROJECT_ID, key="FEATURE_X", value="on", targets=["preview"])
    assert upsert.calls.last.request.url.params["upsert"] == "true"
    assert json.loads(upsert.calls.last.request.content)["value"] == "on"
    assert created.id == "env_2" and created.value is None
    customs = await client.list_custom_environments(PROJECT_ID)
    assert customs[0].slug == "staging"


async def test_project(client, api) -> None:
    api.get("/v9/projects/shop").respond(json=project("dpl_live"))
    p = await client.get_project("shop")
    assert p.id == PROJECT_ID and p.production_deployment_id == "dpl_live"
    assert p.link and p.link.repo_id == 123456789 and p.link.production_branch == "main"


async def test_429_then_success_honours_retry_after(client, api, sleeps) -> None:
    api.get("/v13/deployments/dpl_x").mock(
        side_effect=[
            httpx.Response(
                429,
                headers={"Retry-After": "3"},
                json=error_body("rate_limited", "Rate limit exceeded"),
            ),
            httpx.Response(200, json=deployment("dpl_x")),
        ]
    )
    assert (await client.get_deployment("dpl_x")).id == "dpl_x"
    assert len(sleeps.calls) == 1 and 3.0 <= sleeps.calls[0] <= 4.0


async def test_429_uses_ratelimit_reset_header(client, api, sleeps) -> None:
    import time

    reset = int(time.time()) + 5
    api.get("/v13/deployments/dpl_x").mock(
        side_effect=[
            httpx.Response(
                429,
                headers={"X-RateLimit-Reset": str(reset), "X-RateLimit-Remaining": "0"},
                json=error_body("rate_limited", "Rate limit exceeded"),
            ),
            httpx.Response(200, json=deployment("dpl_x")),
        ]
    )
    await client.get_deployment("dpl_x")
    assert 3.0 <= sleeps.calls[0] <= 7.0


async def test_long_retry_after_is_not_waited_out(client, api, sleeps) -> None:
    api.get("/v13/deployments/dpl_x").respond(
        429, headers={"Retry-After": "3600"}, json=error_body("rate_limited", "Rate limit exceeded")
    )
    with pytest.raises(VercelRateLimited, match="3600"):
        await client.get_deployment("dpl_x")
    assert sleeps.calls == []


async def test_5xx_exhaustion_raises_unavailable(client, api, sleeps) -> None:
    route = api.get("/v13/deployments/dpl_x").respond(
        503, json=error_body("internal_server_error", "An unexpected internal error occurred")
    )
    with pytest.raises(VercelUnavailable) as info:
        await client.get_deployment("dpl_x")
    assert route.call_count == 4 and len(sleeps.calls) == 3
    assert info.value.status == 503 and info.value.code == "internal_server_error"
    assert info.value.retryable


async def test_create_is_not_repeated_after_a_500(client, api) -> None:
    route = api.post("/v13/deployments").respond(
        500, json=error_body("internal_server_error", "boom")
    )
    with pytest.raises(VercelUnavailable):
        await client.create_deployment(name="shop", deployment_id="dpl_old")
    assert route.call_count == 1


async def test_create_is_repeated_after_a_429(client, api) -> None:
    route = api.post("/v13/deployments").mock(
        side_effect=[
            httpx.Response(429, json=error_body("rate_limited", "slow down")),
            httpx.Response(200, json=deployment("dpl_new", "QUEUED")),
        ]
    )
    await client.create_deployment(name="shop", deployment_id="dpl_old")
    assert route.call_count == 2


@pytest.mark.parametrize(
    ("status", "body", "cls", "code"),
    [
        (404, error_body("not_found", "Deployment not found"), VercelNotFound, "not_found"),
        (403, error_body("forbidden", "Not authorized"), VercelUnauthorized, "forbidden"),
        (
            400,
            error_body("bad_request", "Invalid request: `target` should be string"),
            VercelError,
            "bad_request",
        ),
        (
            402,
            error_body(
                "api-deployments-free-per-day", "Resource is limited - try again in 24 hours"
            ),
            VercelError,
            "api-deployments-free-per-day",
        ),
        (400, {"err": "legacy message"}, VercelError, "http_400"),
        (400, "not json", VercelError, "http_400"),
    ],
)
async def test_error_bodies_become_typed_errors(client, api, status, body, cls, code) -> None:
    kw = {"json": body} if isinstance(body, dict) else {"text": body}
    route = api.get("/v13/deployments/dpl_x").respond(status, **kw)
    with pytest.raises(cls) as info:
        await client.get_deployment("dpl_x")
    assert info.value.status == status and info.value.code == code
    assert route.call_count == 1
    assert TOKEN not in str(info.value)


async def test_timeouts_retry_reads_then_fail(client, api, sleeps) -> None:
    route = api.get("/v13/deployments/dpl_x").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(VercelUnavailable, match="timed out"):
        await client.get_deployment("dpl_x")
    assert route.call_count == 4


async def test_token_is_required() -> None:
    with pytest.raises(NotConfigured, match="VERCEL_TOKEN"):
        VercelClient("")
