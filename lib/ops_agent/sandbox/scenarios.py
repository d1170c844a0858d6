"""The incidents the sandbox can stage, each a script run once per scenario minute.

Every scenario starts from a healthy production deployment. What each one expects of the agent
is part of it, so the demo and the tests judge the outcome the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ops_agent.sandbox.traffic import Behaviour

if TYPE_CHECKING:
    from ops_agent.sandbox.runner import Stage

BAD_RELEASE = Behaviour(
    error_rate=0.35,
    latency_ms=140,
    errors=(
        "Error: connect ECONNREFUSED 10.0.3.12:5432 at TCPConnectWrap.afterConnect",
        "TypeError: Cannot read properties of undefined (reading 'price') at /var/task/cart.js:42",
    ),
)
BROKEN_BUILD = Behaviour(build="code")
SLOW_RELEASE = Behaviour(error_rate=0.005, latency_ms=1400)
FLAKY_BUILD = Behaviour(
    build="transient",
    build_log=("npm WARN fetch retrying request to registry.npmjs.org",),
)

ERROR_RULE: dict[str, Any] = {
    "name": "shop-error-rate",
    "condition": 'error_rate{project="shop"}[5m] > 5%',
    "severity": "critical",
    "for": "2m",
    "labels": {"project": "shop"},
    "description": "More than 5% of the shop's requests fail",
    "remediation": {"playbook": "rollback"},
}
LATENCY_RULE: dict[str, Any] = {
    "name": "shop-latency",
    "condition": 'p95(latency_ms{project="shop"})[5m] > 800',
    "severity": "high",
    "for": "3m",
    "labels": {"project": "shop"},
    "description": "The shop's p95 latency is above 800 ms",
    "remediation": {"playbook": "rollback"},
}
HEALTH_RULE: dict[str, Any] = {
    "name": "shop-web-down",
    "condition": 'max(service_up{service="shop-web"})[3m] < 1',
    "severity": "critical",
    "for": "2m",
    "labels": {"project": "shop"},
    "description": "shop-web has been down for 3 minutes",
}

Script = Callable[["Stage", int], Awaitable[None]]


async def _nothing(stage: Stage, minute: int) -> None:
    return None


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    script: Script = _nothing
    minutes: int = 30
    rules: tuple[dict[str, Any], ...] = (ERROR_RULE,)
    anomalies: tuple[dict[str, Any], ...] = ()
    history_minutes: int = 0  # healthy traffic before the start, as a baseline for anomalies
    health_check: bool = False
    settings: dict[str, Any] = field(default_factory=dict)
    fixable: bool = True  # the agent is expected to fix it itself
    expect_alert: bool = True  # a real incident (so an alert that fires is not a false positive)
    expect_page: bool = True  # people hear about it


async def _bad_deploy(stage: Stage, minute: int) -> None:
    if minute == 6:
        stage.sandbox.push("feat: new cart pricing", BAD_RELEASE)


async def _slow_deploy(stage: Stage, minute: int) -> None:
    if minute == 6:
        stage.sandbox.push("refactor: load recommendations inline", SLOW_RELEASE)


async def _flaky_build(stage: Stage, minute: int) -> None:
    if minute == 6:
        stage.sandbox.push("chore: bump dependencies", FLAKY_BUILD)


async def _broken_build(stage: Stage, minute: int) -> None:
    if minute == 6:
        stage.sandbox.push("feat: price type refactor", BROKEN_BUILD)


async def _flapping(stage: Stage, minute: int) -> None:
    healthy = minute % 2 == 0 or minute < 4
    if healthy != stage.sandbox.healthy:
        stage.note("shop-web /health", answers="200" if healthy else "503")
    stage.sandbox.healthy = healthy


async def _maintenance(stage: Stage, minute: int) -> None:
    if minute == 4:
        await stage.operator(
            "POST",
            "/api/alerts/maintenance",
            {
                "name": "db-migration-42",
                "matchers": [{"label": "project", "op": "=", "value": "shop"}],
                "starts_at": stage.at(5).isoformat(),
                "ends_at": stage.at(25).isoformat(),
            },
        )
    if minute == 6:
        stage.sandbox.push("chore: run migration 42", BAD_RELEASE)
    if minute == 16:  # the migration is done: the team ships the fixed build
        stage.sandbox.push("fix: migration 42 follow-up")


async def _approval(stage: Stage, minute: int) -> None:
    if minute == 6:
        stage.sandbox.push("feat: new cart pricing", BAD_RELEASE)
    if minute >= 10:
        pending = await stage.operator("GET", "/api/alerts/remediation?status=pending_approval")
        for action in pending["actions"]:
            await stage.operator("POST", f"/api/alerts/remediation/{action['id']}/approve")
            stage.note("operator approved", playbook=action["playbook"], target=action["target"])


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("bad_deploy", "A bad production deployment, rolled back", _bad_deploy),
        Scenario(
            "failed_build",
            "A build that failed for a transient reason, redeployed",
            _flaky_build,
            minutes=22,
            expect_alert=False,
            expect_page=False,
        ),
        Scenario(
            "code_failure",
            "A build that failed on the code: handed to the Dev Agent, not redeployed",
            _broken_build,
            minutes=12,
            fixable=False,
            expect_alert=False,
            expect_page=False,
        ),
        Scenario(
            "slow_release",
            "A latency regression, rolled back",
            _slow_deploy,
            rules=(LATENCY_RULE,),
        ),
        Scenario(
            "flapping_check",
            "A flapping health check, which must not page",
            _flapping,
            minutes=16,
            rules=(HEALTH_RULE,),
            health_check=True,
            fixable=False,
            expect_alert=False,
            expect_page=False,
        ),
        Scenario(
            "maintenance",
            "An error spike inside a maintenance window: quiet, no rollback",
            _maintenance,
            fixable=False,
            expect_page=False,
        ),
        Scenario(
            "anomaly",
            "A bad release caught by log anomaly detection alone, rolled back",
            _bad_deploy,
            rules=(),
            anomalies=({"kind": "server_error_rate", "playbook": "rollback", "project": "shop"},),
            history_minutes=120,
            expect_page=False,  # no alert: people are told what the agent did, not paged
        ),
        Scenario(
            "approval",
            "A rollback that waits for an operator's approval",
            _approval,
            settings={"remediation_approval": "rollback:production"},
        ),
    )
}
DEMO = SCENARIOS["bad_deploy"]
