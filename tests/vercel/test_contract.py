"""One contract, checked on both sides: bodies shaped by Vercel's SDK schemas pass the contract
checker and read right through the client's models; the checker refuses shapes Vercel never
sends; and the local double's answers pass the same checker (it checks every answer itself;
here a full flow runs against it and nothing is refused)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from ops_agent.deployments.tool import _git_source
from ops_agent.sandbox import SandboxVercel, ScenarioClock
from ops_agent.sandbox.servers import Served
from ops_agent.vercel import VercelClient
from ops_agent.vercel.contract import (
    BuildEvents,
    ContractViolation,
    DeploymentListItem,
    DeploymentLong,
    DeploymentShort,
    ProjectAnswer,
    check_answer,
    check_body,
)
from ops_agent.vercel.errors import EnvWriteFailed, VercelNotFound
from ops_agent.vercel.models import BuildEvent, Deployment, DeploymentState, Project

API = "https://api.vercel.test"
T0 = 1_764_000_000_000


def short(**over: Any) -> dict[str, Any]:
    """`GetDeploymentResponseBody2` (public information only): no `projectId`, a `project`."""
    body = {
        "aliasAssigned": True,
        "bootedAt": T0,
        "buildingAt": T0 + 1000,
        "buildSkipped": False,
        "creator": {"uid": "usr_1", "username": "octocat"},
        "public": False,
        "status": "READY",
        "id": "dpl_short",
        "createdAt": T0,
        "readyState": "READY",
        "name": "shop",
        "type": "LAMBDAS",
        "meta": {"githubCommitRef": "main"},
        "regions": ["iad1"],
        "url": "shop-abc.vercel.app",
        "version": 2,
        "project": {"id": "prj_1", "name": "shop", "framework": "nextjs"},
        "ready": T0 + 60_000,
        "readySubstate": "PROMOTED",
        "target": "production",
    }
    return {**body, **over}


def long(**over: Any) -> dict[str, Any]:
    """`GetDeploymentResponseBody1` (public and private information)."""
    body = short(**over)
    body.pop("project")
    body.update(
        {
            "build": {"env": []},
            "env": [],
            "inspectorUrl": "https://vercel.com/acme/shop/abc",
            "isInConcurrentBuildsQueue": False,
            "isInSystemBuildsQueue": False,
            "projectSettings": {},
            "projectId": "prj_1",
            "plan": "pro",
            "createdIn": "sfo1",
            "ownerId": "team_1",
            "routes": None,
        }
    )
    return {**body, **over}


def test_both_get_deployment_forms_read_the_same() -> None:
    for body in (short(), long()):
        check_answer("GET", "/v13/deployments/dpl_short", 200, body)
        d = Deployment.model_validate(body)
        assert d.project_id == "prj_1" and d.state is DeploymentState.READY
        assert d.creator is not None and d.creator.name == "usr_1"


def test_custom_environment_with_only_an_id() -> None:
    body = long(target=None, customEnvironment={"id": "env_stg"})
    check_answer("GET", "/v13/deployments/dpl_short", 200, body)
    d = Deployment.model_validate(body)
    assert d.custom_environment_id == "env_stg" and d.custom_environment_slug is None


def test_error_and_cancel_times_are_vercels_own() -> None:
    errored = long(
        readyState="ERROR", status="ERROR", buildErrorAt=T0 + 5000, errorCode="BUILD_FAILED"
    )
    errored.pop("ready"), errored.pop("readySubstate")
    check_answer("GET", "/v13/deployments/dpl_short", 200, errored)
    assert Deployment.model_validate(errored).ended_at is not None
    canceled = long(readyState="CANCELED", status="CANCELED", canceledAt=T0 + 9000)
    canceled.pop("ready"), canceled.pop("readySubstate")
    d = Deployment.model_validate(canceled)
    assert d.ended_at is not None and d.ended_at.timestamp() * 1000 == T0 + 9000


def test_the_checker_refuses_what_vercel_never_sends() -> None:
    with pytest.raises(ContractViolation, match="uid"):
        check_answer("GET", "/v13/deployments/x", 200, {**long(), "uid": "dpl_short"})
    with pytest.raises(ContractViolation, match="state"):
        check_answer("GET", "/v13/deployments/x", 200, {**long(), "state": "READY"})
    with pytest.raises(ContractViolation, match="readyState"):
        check_answer("GET", "/v13/deployments/x", 200, long(readyState="DONE"))
    with pytest.raises(ContractViolation, match="201, 202"):
        check_answer("POST", "/v10/projects/p/promote/d", 200, {})
    with pytest.raises(ContractViolation):
        check_answer("GET", "/v13/deployments/x", 404, {"message": "not found"})
    with pytest.raises(ContractViolation, match="not an operation"):
        check_answer("GET", "/v1/made-up", 200, {})


def test_list_items_use_uid_created_and_state() -> None:
    item = {
        "uid": "dpl_1",
        "name": "shop",
        "projectId": "prj_1",
        "url": "shop-1.vercel.app",
        "created": T0,
        "state": "READY",
        "type": "LAMBDAS",
        "creator": {"uid": "usr_1"},
        "inspectorUrl": None,
        "isRollbackCandidate": False,
        "customEnvironment": {"id": "env_stg"},
    }
    check_body(DeploymentListItem, item)
    d = Deployment.model_validate(item)
    assert d.id == "dpl_1" and d.state is DeploymentState.READY and not d.is_rollback_candidate
    assert d.created_at is not None and d.custom_environment_id == "env_stg"
    with pytest.raises(ContractViolation):
        check_body(DeploymentListItem, {**item, "id": "dpl_1"})


LINKS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        {"type": "github", "org": "acme", "repo": "shop", "repoId": 42, "deployHooks": []},
        {"type": "github", "repoId": 42, "ref": "main"},
    ),
    (
        {"type": "github-limited", "org": "acme", "repo": "shop", "deployHooks": []},
        {"type": "github-limited", "org": "acme", "repo": "shop", "ref": "main"},
    ),
    (
        {
            "type": "gitlab",
            "projectId": "4242",
            "projectName": "shop",
            "projectNamespace": "acme",
            "projectNameWithNamespace": "acme / shop",
            "projectUrl": "https://gitlab.com/acme/shop",
            "deployHooks": [],
        },
        {"type": "gitlab", "projectId": "4242", "ref": "main"},
    ),
    (
        {
            "type": "bitbucket",
            "name": "shop",
            "slug": "shop",
            "owner": "acme",
            "uuid": "{r-1}",
            "workspaceUuid": "{w-1}",
            "deployHooks": [],
        },
        {"type": "bitbucket", "owner": "acme", "slug": "shop", "ref": "main"},
    ),
    (
        {"type": "bitbucket", "uuid": "{r-1}", "workspaceUuid": "{w-1}", "deployHooks": []},
        {"type": "bitbucket", "repoUuid": "{r-1}", "workspaceUuid": "{w-1}", "ref": "main"},
    ),
]


@pytest.mark.parametrize(("link", "source"), LINKS, ids=lambda x: str(x.get("type")))
def test_git_source_per_link_type(link: dict[str, Any], source: dict[str, Any]) -> None:
    body = {
        "id": "prj_1",
        "name": "shop",
        "accountId": "team_1",
        "nodeVersion": "22.x",
        "directoryListing": False,
        "link": link,
    }
    check_body(ProjectAnswer, body)
    assert _git_source(Project.model_validate(body), "main") == source


def test_no_link_or_an_unsupported_one_builds_nothing() -> None:
    bare = Project.model_validate({"id": "prj_1", "name": "shop"})
    assert _git_source(bare, "main") is None
    custom = Project.model_validate(
        {"id": "p", "name": "s", "link": {"type": "github-custom-host", "org": "a"}}
    )
    assert _git_source(custom, "main") is None


NESTED = {
    "type": "stdout",
    "created": T0,
    "payload": {
        "deploymentId": "dpl_1",
        "id": "e1",
        "date": T0,
        "serial": "1",
        "text": "Running build",
    },
}
FLAT = {
    "created": T0 + 1,
    "date": T0 + 1,
    "deploymentId": "dpl_1",
    "id": "e2",
    "info": {"type": "build", "name": "bld_1"},
    "serial": "2",
    "text": "Build Completed",
    "type": "stdout",
}


@pytest.fixture
def api():
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
async def client():
    c = VercelClient("t", base_url=API, sleep=_no_sleep, max_retries=0)
    yield c
    await c.aclose()


async def test_build_events_nested_flat_null_and_ndjson(client, api) -> None:
    answer = [NESTED, None, FLAT]
    check_body(BuildEvents, answer)
    route = api.get("/v3/deployments/dpl_1/events").respond(json=answer)
    events = await client.build_events("dpl_1")
    assert [e.text for e in events] == ["Running build", "Build Completed"]
    assert route.calls.last.request.headers["accept"].startswith("application/json;q=1")
    line = json.dumps({**NESTED, "payload": {**NESTED["payload"], "text": "a\u2028b"}})
    api.get("/v3/deployments/dpl_2/events").respond(
        content=(line + "\nnull\n" + json.dumps(FLAT) + "\n").encode(),
        headers={"content-type": "application/stream+json"},
    )
    events = await client.build_events("dpl_2")
    assert [e.text for e in events] == ["a\u2028b", "Build Completed"]
    assert all(isinstance(e, BuildEvent) for e in events)


async def test_env_upsert_that_failed_or_created_nothing_raises(client, api) -> None:
    failure = {"error": {"code": "ENV_CONFLICT", "message": "A variable exists", "key": "A"}}
    route = api.post("/v10/projects/p/env")
    route.respond(201, json={"created": [], "failed": [failure]})
    check_answer("POST", "/v10/projects/p/env", 201, {"created": [], "failed": [failure]})
    with pytest.raises(EnvWriteFailed, match="A variable exists") as refused:
        await client.upsert_env("p", key="A", value="1", targets=["production"])
    assert refused.value.problem().status == 422
    route.respond(201, json={"created": {}, "failed": []})
    with pytest.raises(EnvWriteFailed, match="nothing was created"):
        await client.upsert_env("p", key="A", value="1", targets=["production"])
    with pytest.raises(ValueError, match="targets"):
        await client.upsert_env("p", key="A", value="1")


async def test_the_double_answers_only_in_the_contract() -> None:
    """Every operation the client uses, against the double: none of its answers is refused
    by the contract, and the shapes it gives are the ones checked above."""
    clock = ScenarioClock()
    sandbox = SandboxVercel(clock.now, build_seconds=30, projects=("docs",), link_type="gitlab")
    async with Served(sandbox.app) as server:
        c = VercelClient(sandbox.token, base_url=server.url, max_retries=0, sleep=_no_sleep)
        try:
            proj = await c.get_project("shop")
            assert proj.link is not None and proj.link.type == "gitlab"
            source = _git_source(proj, "main")
            assert source is not None
            built = await c.create_deployment(
                name="shop", project=proj.id, target="production", git_source=source
            )
            staging = await c.create_deployment(
                name="shop", project=proj.id, custom_environment="staging", deployment_id=built.id
            )
            assert staging.custom_environment_id and staging.custom_environment_slug is None
            clock.advance(31)
            sandbox.advance()
            await c.get_deployment(built.id)
            await c.list_deployments(project_id=proj.id, limit=2)
            await c.build_events(built.id)
            await c.list_aliases(built.id)
            earlier = [d async for d in c.iter_deployments(project_id=proj.id, state="READY")]
            await c.rollback(proj.id, earlier[-1].id)
            await c.wait_for_alias_job(proj.id, earlier[-1].id, poll_interval=0)
            await c.promote(proj.id, built.id)
            await c.wait_for_alias_job(proj.id, built.id, poll_interval=0)
            created = await c.upsert_env(proj.id, key="FLAG", value="on", targets=["preview"])
            assert created.id and created.value is None
            listed = await c.list_env(proj.id)
            assert listed[0].value is None
            assert created.id is not None
            value = await c.get_env_value(proj.id, created.id)
            assert value.value is not None and value.value.get_secret_value() == "on"
            await c.list_custom_environments(proj.id)
            with pytest.raises(EnvWriteFailed):
                await c.upsert_env(
                    proj.id, key="X", value="1", custom_environment_ids=["env_missing"]
                )
            with pytest.raises(VercelNotFound):  # another project's deployment is not docs'
                await c.create_deployment(name="docs", project="docs", deployment_id=built.id)
        finally:
            await c.aclose()
        async with httpx.AsyncClient(base_url=server.url) as http:
            answer = await http.get(
                f"/v13/deployments/{built.id}",
                headers={"Authorization": f"Bearer {sandbox.token}"},
            )
        raw = answer.json()
    check_body(DeploymentLong, raw)
    with pytest.raises(ContractViolation):
        check_body(DeploymentShort, raw)  # the long form, not the public one
    assert sandbox.violations == []
