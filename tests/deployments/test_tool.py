"""DeploymentTool end to end: Vercel through respx, history in real Postgres (both transports)."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
import respx

from ops_agent.deployments import BuildProgress, BuildTimeout, DeploymentRefused, DeploymentTool
from ops_agent.store import Store
from ops_agent.vercel import DeploymentState, VercelClient, VercelNotFound
from tests.vercel.payloads import API, PROJECT_ID, T0, TEAM, deployment, list_item, page, project

TOKEN = "vercel-token-0123456789"


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
async def tool(clean_store: Store) -> DeploymentTool:
    client = VercelClient(TOKEN, team_id=TEAM, base_url=API, sleep=_no_sleep)
    t = DeploymentTool(store=clean_store, client=client, sleep=_no_sleep)
    yield t  # type: ignore[misc]
    await client.aclose()


async def test_constructor_takes_token_team_and_store(
    clean_store: Store, api: respx.MockRouter
) -> None:
    route = api.get("/v13/deployments/dpl_x").respond(json=deployment("dpl_x"))
    t = DeploymentTool(vercel_token=TOKEN, team_id=TEAM, store=clean_store, api_url=API)
    try:
        await t.get_deployment_status("dpl_x")
    finally:
        await t.aclose()
    assert route.calls.last.request.url.params["teamId"] == TEAM


async def test_deploy_branch_builds_from_the_linked_repo(
    tool: DeploymentTool, api: respx.MockRouter
) -> None:
    api.get("/v9/projects/shop").respond(json=project("dpl_live"))
    create = api.post("/v13/deployments").respond(
        json=deployment("dpl_new", "QUEUED", branch="hotfix")
    )
    status = await tool.deploy(
        project="shop", environment="production", branch="hotfix", actor="alice", reason="fix"
    )
    body = json.loads(create.calls.last.request.content)
    assert body["gitSource"] == {"type": "github", "repoId": 123456789, "ref": "hotfix"}
    assert body["target"] == "production" and body["project"] == PROJECT_ID
    assert status.id == "dpl_new" and status.state is DeploymentState.QUEUED
    assert status.url and status.url.startswith("https://")
    row = await tool.history.get("dpl_new")
    assert row is not None and row.state == "QUEUED" and row.branch == "hotfix"
    [action] = await tool.history.actions(project=PROJECT_ID)
    assert (action.action, action.actor, action.reason, action.to_deployment) == (
        "deploy",
        "alice",
        "fix",
        "dpl_new",
    )
    [entry] = await tool.store.list_audit(action_prefix="deployments.")
    assert entry.actor == "alice" and entry.target == "dpl_new" and entry.outcome == "ok"


async def test_production_without_branch_uses_the_production_branch(tool, api) -> None:
    api.get("/v9/projects/shop").respond(json=project("dpl_live"))
    create = api.post("/v13/deployments").respond(json=deployment("dpl_new", "QUEUED"))
    await tool.deploy(project="shop")
    assert json.loads(create.calls.last.request.content)["gitSource"]["ref"] == "main"


async def test_preview_without_branch_redeploys_the_latest_ready(tool, api) -> None:
    api.get("/v9/projects/shop").respond(json=project("dpl_live"))
    listing = api.get("/v6/deployments").respond(json=page([list_item("dpl_pv", target=None)]))
    create = api.post("/v13/deployments").respond(json=deployment("dpl_new", "QUEUED", target=None))
    status = await tool.deploy(project="shop", environment="preview")
    assert listing.calls.last.request.url.params["target"] == "preview"
    body = json.loads(create.calls.last.request.content)
    assert body["deploymentId"] == "dpl_pv" and "target" not in body and "gitSource" not in body
    assert status.target == "preview"


async def test_custom_environment_deploy(tool, api) -> None:
    api.get("/v9/projects/shop").respond(json=project("dpl_live"))
    create = api.post("/v13/deployments").respond(json=deployment("dpl_new", "QUEUED", target=None))
    await tool.deploy(project="shop", environment="staging", branch="staging")
    body = json.loads(create.calls.last.request.content)
    assert body["customEnvironmentSlugOrId"] == "staging" and "target" not in body


async def test_branch_deploy_without_a_repo_is_refused(tool, api) -> None:
    body = project("dpl_live")
    body["link"] = None
    api.get("/v9/projects/shop").respond(json=body)
    with pytest.raises(DeploymentRefused, match="not connected to a Git repository"):
        await tool.deploy(project="shop", branch="main")
    with pytest.raises(DeploymentRefused, match="redeploy"):
        await tool.deploy(project="shop")  # never a silent redeploy of something else


async def test_status_has_timings_and_error(tool, api) -> None:
    api.get("/v13/deployments/dpl_e").respond(
        json=deployment(
            "dpl_e", "ERROR", error=("BUILD_UTILS_SPAWN_1", 'Command "npm run build" exited with 1')
        )
    )
    status = await tool.get_deployment_status("dpl_e")
    assert status.state is DeploymentState.ERROR and status.final
    assert status.error_code == "BUILD_UTILS_SPAWN_1" and "exited with 1" in (
        status.error_message or ""
    )
    assert status.queued_seconds == 2.0
    row = await tool.history.get("dpl_e")
    assert row is not None and row.state == "ERROR" and row.error_code == "BUILD_UTILS_SPAWN_1"


async def test_wait_for_build_reports_states_and_new_log_lines(tool, api) -> None:
    api.get("/v13/deployments/dpl_b").mock(
        side_effect=[
            httpx.Response(200, json=deployment("dpl_b", "QUEUED")),
            httpx.Response(200, json=deployment("dpl_b", "BUILDING")),
            httpx.Response(200, json=deployment("dpl_b", "BUILDING")),
            httpx.Response(200, json=deployment("dpl_b", "READY")),
        ]
    )
    lines = [
        {"type": "command", "created": 1_000, "payload": {"text": "Running build"}},
        {"type": "stdout", "created": 2_000, "payload": {"text": "Compiled successfully"}},
    ]
    api.get("/v3/deployments/dpl_b/events").mock(
        side_effect=[
            httpx.Response(200, json=[]),
            httpx.Response(200, json=lines[:1]),
            httpx.Response(200, json=lines),
            httpx.Response(
                200,
                json=[*lines[1:], {"type": "stdout", "created": 3000, "payload": {"text": "Done"}}],
            ),
        ]
    )
    seen: list[BuildProgress] = []

    async def on_progress(p: BuildProgress) -> None:
        seen.append(p)

    final = await tool.wait_for_build("dpl_b", timeout=60, on_progress=on_progress)
    assert final.state is DeploymentState.READY
    assert [(p.kind, p.state or p.text) for p in seen] == [
        ("state", DeploymentState.QUEUED),
        ("state", DeploymentState.BUILDING),
        ("log", "Running build"),
        ("log", "Compiled successfully"),
        ("state", DeploymentState.READY),
        ("log", "Done"),
    ]
    row = await tool.history.get("dpl_b")
    assert row is not None and [e.state for e in row.timeline] == ["QUEUED", "BUILDING", "READY"]


async def test_wait_for_build_times_out(tool, api) -> None:
    api.get("/v13/deployments/dpl_b").respond(json=deployment("dpl_b", "BUILDING"))
    with pytest.raises(BuildTimeout) as info:
        await tool.wait_for_build("dpl_b", timeout=0)
    assert info.value.status.state is DeploymentState.BUILDING


async def test_a_blocked_deployment_ends_the_wait_with_a_reason(tool, api) -> None:
    api.get("/v13/deployments/dpl_b").respond(json=deployment("dpl_b", "BLOCKED"))
    status = await tool.wait_for_build("dpl_b", timeout=60)
    assert status.state is DeploymentState.BLOCKED and status.final
    assert status.error_message and "blocked" in status.error_message


def _production_history(api: respx.MockRouter, current: str) -> None:
    api.get(f"/v9/projects/{PROJECT_ID}").respond(json=project(current))
    api.get("/v6/deployments").respond(
        json=page(
            [
                list_item("dpl_4", created=4_000),
                list_item("dpl_3", "ERROR", created=3_000),
                list_item("dpl_2", created=2_000),
                list_item("dpl_1", created=1_000),
            ]
        )
    )


async def test_rollback_project_goes_to_previous_ready(tool, api) -> None:
    _production_history(api, "dpl_4")
    call = api.post(f"/v1/projects/{PROJECT_ID}/rollback/dpl_2").respond(201)
    result = await tool.rollback(
        project=PROJECT_ID, reason="5xx rate 12% after dpl_4", actor="agent"
    )
    assert call.called and (result.from_deployment, result.to_deployment) == ("dpl_4", "dpl_2")
    [action] = await tool.history.actions(project=PROJECT_ID, action="rollback")
    assert (action.outcome, action.from_deployment, action.to_deployment, action.reason) == (
        "ok",
        "dpl_4",
        "dpl_2",
        "5xx rate 12% after dpl_4",
    )
    target = await tool.history.get("dpl_2")
    assert target is not None and target.promoted_at is not None
    away = await tool.history.get("dpl_4")
    assert away is not None and any(e.event == "rollback_away" for e in away.timeline)
    [entry] = await tool.store.list_audit(action_prefix="deployments.rollback")
    assert entry.details["from_deployment"] == "dpl_4"


async def test_rollback_by_deployment_id(tool, api) -> None:
    api.get("/v13/deployments/dpl_4").respond(json=deployment("dpl_4"))
    _production_history(api, "dpl_4")
    call = api.post(f"/v1/projects/{PROJECT_ID}/rollback/dpl_2").respond(201)
    await tool.rollback("dpl_4")
    assert call.called


async def test_rollback_refusals_are_recorded(tool, api) -> None:
    _production_history(api, "dpl_1")
    with pytest.raises(DeploymentRefused, match="no earlier READY"):
        await tool.rollback(project=PROJECT_ID, reason="test")
    [action] = await tool.history.actions(project=PROJECT_ID)
    assert action.outcome == "refused" and action.details["refusal"] == "no_earlier_deployment"
    with pytest.raises(DeploymentRefused, match="production only"):
        await tool.rollback(project=PROJECT_ID, environment="preview")


async def test_promote_a_ready_preview_rebuilds_it_for_production(tool, api) -> None:
    """Vercel promotes only production builds: a preview is rebuilt with target production,
    as Vercel's CLI does, and never sent to the promote endpoint."""
    api.get("/v13/deployments/dpl_pv").respond(json=deployment("dpl_pv", target=None))
    api.get(f"/v9/projects/{PROJECT_ID}").respond(json=project("dpl_4"))
    promote = api.post(f"/v10/projects/{PROJECT_ID}/promote/dpl_pv").respond(202)
    build = api.post("/v13/deployments").respond(json=deployment("dpl_prod", "QUEUED"))
    result = await tool.promote("dpl_pv", reason="ship it", actor="bob")
    body = json.loads(build.calls.last.request.content)
    assert body["deploymentId"] == "dpl_pv" and body["target"] == "production"
    assert not promote.called and result.rebuilt and result.status == "pending"
    assert result.to_deployment == "dpl_prod" and result["from_deployment"] == "dpl_4"


async def test_promote_a_production_build_waits_for_the_job(tool, api) -> None:
    api.get("/v13/deployments/dpl_3").respond(json=deployment("dpl_3"))
    job = {
        "fromDeploymentId": "dpl_4",
        "toDeploymentId": "dpl_3",
        "jobStatus": "in-progress",
        "requestedAt": T0,
        "type": "promote",
    }
    running = {**project("dpl_4"), "lastAliasRequest": job}
    done = {**project("dpl_3"), "lastAliasRequest": {**job, "jobStatus": "succeeded"}}
    api.get(f"/v9/projects/{PROJECT_ID}").mock(
        side_effect=[
            httpx.Response(200, json=project("dpl_4")),
            httpx.Response(200, json=running),
            httpx.Response(200, json=done),
        ]
    )
    call = api.post(f"/v10/projects/{PROJECT_ID}/promote/dpl_3").respond(201)
    result = await tool.promote("dpl_3", reason="ship it", actor="bob")
    assert call.called and result.status == "done" and result.actor == "bob"
    assert not result.production_pinned


async def test_promote_refuses_unready(tool, api) -> None:
    api.get("/v13/deployments/dpl_pv").respond(json=deployment("dpl_pv", "BUILDING", target=None))
    with pytest.raises(DeploymentRefused, match="only READY"):
        await tool.promote("dpl_pv")


async def test_unknown_deployment_is_vercel_not_found(tool, api) -> None:
    api.get("/v13/deployments/dpl_zz").respond(
        404, json={"error": {"code": "not_found", "message": "Deployment not found"}}
    )
    with pytest.raises(VercelNotFound):
        await tool.get_deployment_status("dpl_zz")


async def test_environments_and_env_vars(tool, api) -> None:
    api.get(f"/v9/projects/{PROJECT_ID}/custom-environments").respond(
        json={"environments": [{"id": "env_stg", "slug": "staging", "type": "preview"}]}
    )
    api.get(f"/v10/projects/{PROJECT_ID}/env").respond(
        json={
            "envs": [
                {"id": "e1", "key": "A", "type": "encrypted", "target": ["production", "preview"]},
                {
                    "id": "e2",
                    "key": "B",
                    "type": "encrypted",
                    "target": [],
                    "customEnvironmentIds": ["env_stg"],
                },
            ]
        }
    )
    upsert = api.post(f"/v10/projects/{PROJECT_ID}/env").respond(
        201,
        json={
            "created": {
                "id": "e3",
                "key": "SECRET_X",
                "type": "sensitive",
                "target": ["production"],
            }
        },
    )
    envs = await tool.list_environments(PROJECT_ID)
    assert [e.slug for e in envs] == ["production", "preview", "development", "staging"]
    assert [v.key for v in await tool.get_env_vars(PROJECT_ID, "preview")] == ["A"]
    assert [v.key for v in await tool.get_env_vars(PROJECT_ID, "staging")] == ["B"]
    await tool.set_env_var(
        PROJECT_ID,
        "SECRET_X",
        "hunter2-value",
        ["production", "staging"],
        type="sensitive",
        actor="alice",
    )
    sent = json.loads(upsert.calls.last.request.content)
    assert sent["target"] == ["production"] and sent["customEnvironmentIds"] == ["env_stg"]
    [entry] = await tool.store.list_audit(action_prefix="deployments.env")
    assert "hunter2-value" not in entry.model_dump_json()
    with pytest.raises(DeploymentRefused, match="no environment"):
        await tool.get_env_vars(PROJECT_ID, "qa")


async def test_history_reads_never_call_vercel(tool, api) -> None:
    await tool.history.record(
        {
            "id": "dpl_a",
            "project_name": "shop",
            "target": "production",
            "state": "READY",
            "source": "test",
        }
    )
    await tool.history.record(
        {
            "id": "dpl_b",
            "project_name": "shop",
            "target": "production",
            "state": "ERROR",
            "source": "test",
        }
    )
    assert [r.id for r in await tool.get_history("shop", "production", 10)] == ["dpl_b", "dpl_a"]
    rate = await tool.success_rate("shop", "production", timedelta(days=1))
    assert rate.rate == 0.5 and rate.stats.total == 2
    assert not [c for c in api.calls if c.request.url.host != "127.0.0.1"]
