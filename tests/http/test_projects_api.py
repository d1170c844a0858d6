"""/api/projects/{project}/environments and /env over HTTP, against the Vercel double: list,
set (operator, audited, the value never answered or logged) and remove."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from ops_agent.http.app import create_app
from ops_agent.http.routes import projects
from ops_agent.runtime import Runtime
from ops_agent.sandbox import SandboxVercel, ScenarioClock
from ops_agent.sandbox.servers import Served
from ops_agent.store import Role

SECRET_VALUE = "postgres://app:s3cr3t-value@db.internal/app"


@pytest.fixture
async def api(runtime: Runtime) -> AsyncIterator[tuple[httpx.AsyncClient, SandboxVercel]]:
    sandbox = SandboxVercel(ScenarioClock().now)
    async with Served(sandbox.app) as vercel:
        s = runtime.settings.model_copy(
            update={
                "vercel_token": SecretStr(sandbox.token),
                "vercel_api_url": vercel.url,
                "vercel_team_id": None,
            }
        )
        rt = Runtime(s, store=await runtime.store(), kv=await runtime.kv())
        app = create_app("t", [projects.router], runtime=rt)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as client:
            yield client, sandbox
        await rt.close()
    assert sandbox.violations == []


def auth(keys: dict[Role, str], role: Role) -> dict[str, str]:
    return {"authorization": f"Bearer {keys[role]}"}


async def test_environments_and_variables(
    api, keys, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    client, sandbox = api
    caplog.set_level(logging.DEBUG)
    envs = await client.get("/api/projects/shop/environments", headers=auth(keys, Role.VIEWER))
    assert envs.status_code == 200
    assert [e["slug"] for e in envs.json()] == ["production", "preview", "development", "staging"]

    body = {"value": SECRET_VALUE, "environments": ["production", "staging"]}
    denied = await client.put(
        "/api/projects/shop/env/DATABASE_URL", json=body, headers=auth(keys, Role.VIEWER)
    )
    assert denied.status_code == 403
    put = await client.put(
        "/api/projects/shop/env/DATABASE_URL", json=body, headers=auth(keys, Role.OPERATOR)
    )
    assert put.status_code == 200, put.text
    assert put.json()["key"] == "DATABASE_URL" and SECRET_VALUE not in put.text
    assert put.json()["targets"] == ["production"] and put.json()["custom_environment_ids"]

    listed = await client.get(
        "/api/projects/shop/env?environment=staging", headers=auth(keys, Role.VIEWER)
    )
    assert [v["key"] for v in listed.json()] == ["DATABASE_URL"]
    assert SECRET_VALUE not in listed.text and "value" not in listed.json()[0]
    [stored] = sandbox.project.envs
    assert stored.value == SECRET_VALUE  # it did reach Vercel

    bad = await client.put(
        "/api/projects/shop/env/not-a-key!", json=body, headers=auth(keys, Role.OPERATOR)
    )
    assert bad.status_code == 422
    gone = await client.delete(
        "/api/projects/shop/env/DATABASE_URL", headers=auth(keys, Role.OPERATOR)
    )
    assert gone.status_code == 200 and gone.json() == {"key": "DATABASE_URL", "removed": 1}
    assert sandbox.project.envs == []
    again = await client.delete(
        "/api/projects/shop/env/DATABASE_URL", headers=auth(keys, Role.OPERATOR)
    )
    assert again.status_code == 404 and again.json()["error"]["code"] == "no_env_var"

    audit = [e for e in await (await runtime.store()).list_audit() if "env" in e.action]
    assert {e.action for e in audit} >= {"deployments.env.set", "deployments.env.remove"}
    assert SECRET_VALUE not in str([e.model_dump() for e in audit])
    assert SECRET_VALUE not in caplog.text
