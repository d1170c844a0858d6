"""DeploymentTool against the local Vercel double, over HTTP: a rollback is done only when
Vercel's job says so, it pins production, a fix-forward build is then staged (and says so),
promotion serves it, and a Hobby plan says why it cannot go further back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from ops_agent.deployments import DeploymentRefused, DeploymentTool
from ops_agent.sandbox import SandboxVercel, ScenarioClock
from ops_agent.sandbox.servers import Served
from ops_agent.settings import Settings
from ops_agent.store import Store
from ops_agent.vercel import VercelClient


@dataclass
class Team:
    sandbox: SandboxVercel
    clock: ScenarioClock
    tool: DeploymentTool

    def build(self) -> None:
        self.clock.advance(120)
        self.sandbox.advance()


async def _no_sleep(_: float) -> None:
    return None


async def _team(store: Store, settings: Settings, **kw: object) -> AsyncIterator[Team]:
    clock = ScenarioClock()
    sandbox = SandboxVercel(clock.now, build_seconds=60, **kw)  # type: ignore[arg-type]
    async with Served(sandbox.app) as server:
        client = VercelClient(sandbox.token, base_url=server.url, max_retries=0, sleep=_no_sleep)
        s = settings.model_copy(update={"vercel_job_poll_seconds": 0.01})
        tool = DeploymentTool(store=store, client=client, settings=s, clock=clock.now)
        try:
            yield Team(sandbox, clock, tool)
        finally:
            await client.aclose()
    assert sandbox.violations == []


@pytest.fixture
async def team(clean_store: Store, settings: Settings) -> AsyncIterator[Team]:
    async for t in _team(clean_store, settings):
        yield t


@pytest.fixture
async def hobby(clean_store: Store, settings: Settings) -> AsyncIterator[Team]:
    async for t in _team(clean_store, settings, plan="hobby"):
        yield t


async def test_rollback_pins_production_and_a_fix_is_staged_until_promoted(team: Team) -> None:
    good = team.sandbox.live()
    assert good is not None
    bad = team.sandbox.push("feat: broken")
    team.build()
    assert team.sandbox.live().id == bad  # type: ignore[union-attr]

    done = await team.tool.rollback(project="shop", reason="5xx spike")
    assert done.status == "done" and done.to_deployment == good.id
    assert done.production_pinned and "pinned" in (done.note or "")
    assert team.sandbox.live().id == good.id  # type: ignore[union-attr]

    fix = await team.tool.deploy("shop", reason="fix forward")
    assert fix.production_pinned and "staged, not live" in (fix.note or "")
    team.build()
    status = await team.tool.get_deployment_status(fix.id)
    assert status.staged and team.sandbox.live().id == good.id  # type: ignore[union-attr]

    promoted = await team.tool.promote(fix.id, reason="the fix is good")
    assert promoted.status == "done" and not promoted.production_pinned
    assert team.sandbox.live().id == fix.id  # type: ignore[union-attr]
    later = await team.tool.deploy("shop")
    assert not later.production_pinned  # auto-assignment is back on


async def test_a_preview_is_rebuilt_for_production_not_promoted(team: Team) -> None:
    preview = await team.tool.deploy("shop", environment="preview", branch="feature/x")
    team.build()
    result = await team.tool.promote(preview.id)
    assert result.rebuilt and result.to_deployment != preview.id
    team.build()
    assert team.sandbox.live().id == result.to_deployment  # type: ignore[union-attr]


async def test_redeploy_keeps_a_custom_environment_known_only_by_id(team: Team) -> None:
    staged = await team.tool.deploy("shop", environment="staging", branch="staging")
    again = await team.tool.redeploy(staged.id)
    built = team.sandbox.deployments[again.id]
    assert built.custom_environment_id is not None and built.target is None
    assert again.redeploy_of == staged.id


async def test_hobby_goes_one_step_back_and_says_so(hobby: Team) -> None:
    first = hobby.sandbox.push("one")
    hobby.build()
    second = hobby.sandbox.push("two")
    hobby.build()
    assert hobby.sandbox.live().id == second  # type: ignore[union-attr]
    oldest = next(
        d.id for d in hobby.sandbox.deployments.values() if d.message == "feat: catalogue search"
    )
    with pytest.raises(DeploymentRefused, match="Hobby") as refused:
        await hobby.tool.rollback(project="shop", to=oldest)
    assert refused.value.code == "not_a_rollback_candidate"
    done = await hobby.tool.rollback(project="shop")
    assert done.to_deployment == first
