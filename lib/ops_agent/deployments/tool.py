"""DeploymentTool: deploy, watch, roll back and promote Vercel deployments, and keep history.

Reads of history (`list_deployments`, `get_history`, `success_rate`) come from the agent's own
store and make no Vercel call. Everything that changes a project is recorded in
`deployment_actions` (who, why, before and after) and in the audit log.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from ops_agent.deployments.events import fact_from_deployment, normalise_target
from ops_agent.deployments.records import (
    DeploymentAction,
    DeploymentHistory,
    DeploymentRecord,
    DeploymentStats,
)
from ops_agent.deployments.rollback import DeploymentRefused, plan_rollback
from ops_agent.errors import NotFound
from ops_agent.results import Indexable
from ops_agent.settings import Settings, get_settings
from ops_agent.store import Store
from ops_agent.store.audit import record
from ops_agent.store.default import DefaultStore
from ops_agent.vercel import (
    CustomEnvironment,
    Deployment,
    DeploymentState,
    EnvVar,
    Project,
    VercelClient,
    VercelError,
)
from ops_agent.vercel.models import EnvType

log = logging.getLogger(__name__)

STANDARD_ENVIRONMENTS = ("production", "preview", "development")


class DeploymentStatus(BaseModel, Indexable):
    """Where a deployment stands, as Vercel reports it now."""

    id: str
    state: DeploymentState | None
    url: str | None
    target: str
    project_id: str | None = None
    branch: str | None = None
    commit_sha: str | None = None
    created_at: datetime | None = None
    building_at: datetime | None = None
    ready_at: datetime | None = None
    queued_seconds: float | None = None
    build_seconds: float | None = None
    error_code: str | None = None
    error_message: str | None = None
    inspector_url: str | None = None
    ready_substate: str | None = None
    redeploy_of: str | None = None
    production_pinned: bool = False
    note: str | None = None

    @property
    def deployment_id(self) -> str:
        return self.id

    @property
    def deployment_url(self) -> str | None:
        return self.url

    @property
    def status(self) -> str:
        """Vercel's state (QUEUED, BUILDING, READY, ERROR, ...), or "UNKNOWN"."""
        return self.state.value if self.state else "UNKNOWN"

    @property
    def staged(self) -> bool:
        """READY for production but not serving it (production is pinned by a rollback)."""
        return self.ready_substate == "STAGED" and self.target == "production"

    @classmethod
    def of(cls, d: Deployment) -> DeploymentStatus:
        queued = build = None
        if d.created_at and d.building_at:
            queued = (d.building_at - d.created_at).total_seconds()
        if d.building_at and d.ready_at:
            build = (d.ready_at - d.building_at).total_seconds()
        custom = d.custom_environment_slug or d.custom_environment_id
        reason = d.error_message
        if d.state is DeploymentState.BLOCKED and not reason:
            reason = "Vercel blocked the deployment (checks, protection or team access)"
        return cls(
            id=d.id,
            state=d.state,
            url=f"https://{d.url}" if d.url and "://" not in d.url else d.url,
            target=normalise_target(d.target or custom),
            project_id=d.project_id,
            branch=d.branch,
            commit_sha=d.commit_sha,
            created_at=d.created_at,
            building_at=d.building_at,
            ready_at=d.ready_at,
            queued_seconds=queued,
            build_seconds=build,
            error_code=d.error_code,
            error_message=reason,
            inspector_url=d.inspector_url,
            ready_substate=d.ready_substate,
        )

    @property
    def final(self) -> bool:
        return self.state is not None and self.state.final


class ActionResult(BaseModel, Indexable):
    """What a rollback or promote did. `status` is Vercel's word on the job: "done" when its
    `lastAliasRequest` finished, "pending" when it had not within the wait."""

    action: str
    project_id: str
    from_deployment: str | None
    to_deployment: str
    actor: str
    reason: str | None
    status: Literal["done", "pending"] = "done"
    production_pinned: bool = False
    rebuilt: bool = False  # a preview promoted by rebuilding it for production
    note: str | None = None


class BuildTimeout(Exception):
    """`wait_for_build` gave up before the deployment reached a final state."""

    def __init__(self, status: DeploymentStatus, waited: float) -> None:
        super().__init__(f"{status.id} still {status.state} after {waited:.0f}s")
        self.status = status


@dataclass(frozen=True)
class BuildProgress:
    """A state change or a build log line, handed to `wait_for_build`'s callback."""

    kind: Literal["state", "log"]
    deployment_id: str
    state: DeploymentState | None = None
    text: str | None = None
    at: datetime | None = None


ProgressCallback = Callable[[BuildProgress], Awaitable[None] | None]


@dataclass(frozen=True)
class EnvironmentInfo:
    slug: str
    kind: Literal["standard", "custom"]
    id: str | None = None
    description: str | None = None
    branch_matcher: dict[str, Any] | None = field(default=None)


@dataclass(frozen=True)
class SuccessRate:
    window: timedelta
    stats: DeploymentStats

    @property
    def rate(self) -> float | None:
        return self.stats.success_rate


class DeploymentTool:
    """Deployments of Vercel projects, through Vercel's API and the agent's own history."""

    def __init__(
        self,
        vercel_token: str | None = None,
        team_id: str | None = None,
        store: Store | None = None,
        *,
        team_slug: str | None = None,
        api_url: str | None = None,
        client: VercelClient | None = None,
        settings: Settings | None = None,
        actor: str = "agent",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        store = store or DefaultStore()  # the configured store, opened on first use
        self._settings = settings
        self._client = client
        self._token = vercel_token
        self._team_id = team_id
        self._team_slug = team_slug
        self._api_url = api_url
        self._owns_client = client is None
        self.store = store
        self.history = DeploymentHistory(store)
        self.actor = actor
        self._sleep = sleep
        self._now = clock or (lambda: datetime.now(UTC))

    # --- plumbing ---

    @property
    def client(self) -> VercelClient:
        """The Vercel client, built from the arguments or settings on first use."""
        if self._client is None:
            s = self._settings or get_settings()
            token = self._token or (s.vercel_token.get_secret_value() if s.vercel_token else None)
            if not token:
                raise DeploymentRefused(
                    "no Vercel token: set VERCEL_TOKEN", code="vercel_not_configured"
                )
            self._client = VercelClient(
                token,
                team_id=self._team_id or s.vercel_team_id,
                team_slug=self._team_slug or s.vercel_team_slug,
                base_url=self._api_url or s.vercel_api_url,
                timeout=s.vercel_timeout_seconds,
            )
        return self._client

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _record(self, deployment: Deployment, project_name: str | None = None) -> None:
        try:
            await self.history.record(
                fact_from_deployment(deployment, now=self._now(), project_name=project_name)
            )
        except Exception:
            # History is best effort on read paths: Vercel's answer is still the truth.
            log.warning("could not record deployment %s in history", deployment.id, exc_info=True)

    async def _started(
        self,
        action: str,
        created: Deployment,
        project_name: str | None,
        project_id: str,
        from_deployment: str | None,
        who: str,
        reason: str | None,
        *,
        outcome: str = "ok",
        source: str | None = None,
    ) -> None:
        """A build the agent started: into the history, the action log and the audit log."""
        await self._record(created, project_name)
        await self.history.record_action(
            DeploymentAction(
                action=action,
                project_id=project_id,
                from_deployment=from_deployment,
                to_deployment=created.id,
                actor=who,
                reason=reason,
                outcome=outcome,
                details={"source": source} if source else {},
            )
        )
        await self._audit(
            f"deployments.{action}",
            created.id,
            outcome,
            who,
            source=source or from_deployment,
            reason=reason,
        )

    async def _audit(
        self, action: str, target: str, outcome: str, actor: str, **details: Any
    ) -> None:
        await record(self.store, action, target, outcome=outcome, actor=actor, **details)

    # --- deploy and watch ---

    async def deploy(
        self,
        project: str,
        environment: str = "production",
        branch: str | None = None,
        *,
        actor: str | None = None,
        reason: str | None = None,
    ) -> DeploymentStatus:
        """Start a deployment of `project` to `environment` ("production", "preview" or a custom
        environment's slug). With `branch`, Vercel builds that branch from the project's git
        repository; without it, production builds the production branch and other
        environments redeploy their latest READY deployment."""
        who = actor or self.actor
        proj = await self.client.get_project(project)
        target = "production" if environment == "production" else None
        custom = environment if environment not in ("production", "preview") else None
        if proj.link is None or _git_source(proj, "ref") is None:
            kind = proj.link.type if proj.link else None
            raise DeploymentRefused(
                f"project {proj.name} is not connected to a Git repository the agent can build "
                f"from ({kind or 'no link'}); rebuild an existing deployment with "
                "redeploy(<deployment id>) instead",
                code="no_git_repository",
            )
        production_branch = proj.link.production_branch if target else None
        git_source = _git_source(proj, branch or production_branch)
        redeploy_of: str | None = None
        if git_source is None:
            # A preview or custom environment without a branch: rebuild what it serves now.
            redeploy_of = await self._latest_ready(proj.id, environment)
        try:
            created = await self.client.create_deployment(
                name=proj.name,
                project=proj.id,
                target=target,
                custom_environment=custom,
                git_source=git_source,
                deployment_id=redeploy_of,
                meta={"action": "redeploy"} if redeploy_of else None,
            )
        except VercelError as exc:
            await self._audit(
                "deployments.deploy",
                proj.id,
                "failed",
                who,
                environment=environment,
                branch=branch,
                error=str(exc),
                reason=reason,
            )
            raise
        await self._record(created, proj.name)
        await self.history.record_action(
            DeploymentAction(
                action="deploy",
                project_id=proj.id,
                from_deployment=redeploy_of,
                to_deployment=created.id,
                actor=who,
                reason=reason,
                outcome="ok",
                details={"environment": environment, "branch": branch},
            )
        )
        await self._audit(
            "deployments.deploy",
            created.id,
            "ok",
            who,
            project=proj.id,
            environment=environment,
            branch=branch,
            reason=reason,
        )
        return _with_pin(DeploymentStatus.of(created), proj, redeploy_of)

    async def redeploy(
        self, deployment_id: str, *, actor: str | None = None, reason: str | None = None
    ) -> DeploymentStatus:
        """Build the same source as `deployment_id` again, for the same target: what Vercel's
        Redeploy button does, and the fix for a build that failed for a transient reason."""
        who = actor or self.actor
        source = await self.client.get_deployment(deployment_id)
        if source.project_id is None:
            raise DeploymentRefused(f"{deployment_id} belongs to no project", code="no_project")
        created = await self.client.create_deployment(
            name=source.name or source.project_id,
            project=source.project_id,
            target=source.target if source.target in ("production", "staging") else None,
            custom_environment=source.custom_environment_id or source.custom_environment_slug,
            deployment_id=deployment_id,
            meta={"action": "redeploy"},
        )
        await self._started(
            "redeploy", created, source.name, source.project_id, deployment_id, who, reason
        )
        status = DeploymentStatus.of(created)
        if source.target == "production":
            status = _with_pin(status, await self.client.get_project(source.project_id), None)
        return status.model_copy(update={"redeploy_of": deployment_id})

    async def _latest_ready(self, project_id: str, environment: str) -> str:
        target = environment if environment in ("production", "preview") else None
        custom_id = None if target else await self._custom_environment_id(project_id, environment)
        async for deployment in self.client.iter_deployments(
            project_id=project_id, target=target, state="READY", max_items=100
        ):
            if target is not None or deployment.custom_environment_id == custom_id:
                return deployment.id
        raise DeploymentRefused(
            f"no READY deployment in {environment} to redeploy; name a branch",
            code="nothing_to_redeploy",
        )

    async def get_deployment_status(self, deployment_id: str) -> DeploymentStatus:
        """The deployment's state now, from Vercel; the history is updated on the way."""
        deployment = await self.client.get_deployment(deployment_id)
        await self._record(deployment)
        return DeploymentStatus.of(deployment)

    async def wait_for_build(
        self,
        deployment_id: str,
        timeout: float = 900.0,
        on_progress: ProgressCallback | None = None,
        *,
        poll_interval: float = 3.0,
    ) -> DeploymentStatus:
        """Poll until the deployment is READY, ERROR or CANCELED and return that status.

        `on_progress` (sync or async) receives every state change and every new build log
        line. Raises `BuildTimeout` after `timeout` seconds.
        """
        started = time.monotonic()
        last_state: DeploymentState | None = None
        seen: set[tuple[Any, str, str]] = set()
        since: datetime | None = None
        while True:
            status = await self.get_deployment_status(deployment_id)
            if on_progress is not None:
                if status.state != last_state:
                    change = BuildProgress("state", deployment_id, state=status.state)
                    await _call(on_progress, change)
                events = await self.client.build_events(deployment_id, since=since)
                for event in events:
                    key = (event.created, event.type, event.text)
                    if key in seen or not event.text:
                        continue
                    seen.add(key)
                    if event.created and (since is None or event.created > since):
                        since = event.created
                    await _call(
                        on_progress,
                        BuildProgress("log", deployment_id, text=event.text, at=event.created),
                    )
            last_state = status.state
            if status.final:
                return status
            waited = time.monotonic() - started
            if waited >= timeout:
                raise BuildTimeout(status, waited)
            await self._sleep(min(poll_interval, max(0.0, timeout - waited)))

    async def cancel(
        self, deployment_id: str, *, actor: str | None = None, reason: str | None = None
    ) -> DeploymentStatus:
        """Cancel a deployment that is still queued or building."""
        who = actor or self.actor
        deployment = await self.client.cancel_deployment(deployment_id)
        await self._record(deployment)
        await self.history.record_action(
            DeploymentAction(
                action="cancel",
                project_id=deployment.project_id,
                to_deployment=deployment_id,
                actor=who,
                reason=reason,
                outcome="ok",
            )
        )
        await self._audit("deployments.cancel", deployment_id, "ok", who, reason=reason)
        return DeploymentStatus.of(deployment)

    # --- rollback and promote ---

    async def rollback(
        self,
        deployment_id: str | None = None,
        *,
        project: str | None = None,
        environment: str = "production",
        to: str | None = None,
        reason: str | None = None,
        actor: str | None = None,
    ) -> ActionResult:
        """Point production back at an earlier READY production deployment (instant rollback).

        `rollback(deployment_id)` rolls away from that deployment, which must be the one serving
        production; `rollback(project=...)` rolls away from whatever serves now. `to` names the
        deployment to return to; by default it is the newest READY production deployment older
        than the current one. Refuses (`DeploymentRefused`) when there is none.
        """
        if environment != "production":
            raise DeploymentRefused(
                "instant rollback applies to production only", code="not_production"
            )
        who = actor or self.actor
        if deployment_id is None and project is None:
            raise DeploymentRefused("name a deployment or a project", code="missing_target")
        if project is None:
            assert deployment_id is not None
            bad = await self.client.get_deployment(deployment_id)
            project = bad.project_id
            if project is None:
                raise DeploymentRefused(f"{deployment_id} belongs to no project", code="no_project")
        proj = await self.client.get_project(project)
        candidates = [
            d
            async for d in self.client.iter_deployments(
                project_id=proj.id, target="production", max_items=100
            )
        ]
        try:
            plan = plan_rollback(
                project_id=proj.id,
                current=proj.production_deployment_id,
                candidates=candidates,
                away_from=deployment_id,
                to=to,
            )
        except DeploymentRefused as exc:
            await self.history.record_action(
                DeploymentAction(
                    action="rollback",
                    project_id=proj.id,
                    from_deployment=deployment_id,
                    to_deployment=to,
                    actor=who,
                    reason=reason,
                    outcome="refused",
                    details={"refusal": exc.code, "message": exc.message},
                )
            )
            await self._audit(
                "deployments.rollback", proj.id, "refused", who, reason=reason, refusal=exc.message
            )
            raise
        return await self._move_production(
            "rollback", proj, plan.current, plan.target.id, who, reason
        )

    async def promote(
        self, deployment_id: str, *, reason: str | None = None, actor: str | None = None
    ) -> ActionResult:
        """Serve a READY deployment on production, and turn production's auto-assignment back on
        if a rollback had pinned it. A production build is promoted as it is; a preview or
        custom-environment build is rebuilt for production first (what Vercel's CLI does:
        Vercel promotes only production builds), and the result says `rebuilt`."""
        who = actor or self.actor
        deployment = await self.client.get_deployment(deployment_id)
        if deployment.state is not DeploymentState.READY:
            raise DeploymentRefused(
                f"{deployment_id} is {deployment.state}, only READY deployments can be promoted",
                code="not_ready",
            )
        if deployment.project_id is None:
            raise DeploymentRefused(f"{deployment_id} belongs to no project", code="no_project")
        proj = await self.client.get_project(deployment.project_id)
        current = proj.production_deployment_id
        if current == deployment_id:
            raise DeploymentRefused(
                f"{deployment_id} is already serving production", code="already_serving"
            )
        if deployment.target != "production":
            rebuilt = await self.client.create_deployment(
                name=proj.name,
                project=proj.id,
                target="production",
                deployment_id=deployment_id,
                meta={"action": "promote"},
            )
            await self._started(
                "promote",
                rebuilt,
                proj.name,
                proj.id,
                current,
                who,
                reason,
                outcome="rebuilding",
                source=deployment_id,
            )
            return ActionResult(
                action="promote",
                project_id=proj.id,
                from_deployment=current,
                to_deployment=rebuilt.id,
                actor=who,
                reason=reason,
                status="pending",
                production_pinned=proj.production_pinned,
                rebuilt=True,
                note=f"{deployment_id} is not a production build: Vercel is rebuilding it for "
                f"production as {rebuilt.id}, which goes live when it is READY"
                + (" and promoted (production is pinned)" if proj.production_pinned else ""),
            )
        return await self._move_production("promote", proj, current, deployment_id, who, reason)

    async def _move_production(
        self,
        action: Literal["rollback", "promote"],
        proj: Project,
        current: str | None,
        to: str,
        who: str,
        reason: str | None,
    ) -> ActionResult:
        record = DeploymentAction(
            action=action,
            project_id=proj.id,
            from_deployment=current,
            to_deployment=to,
            actor=who,
            reason=reason,
            outcome="ok",
        )
        s = self._settings or get_settings()
        try:
            if action == "rollback":
                await self.client.rollback(proj.id, to, description=reason)
            else:
                await self.client.promote(proj.id, to)
            after, job = await self.client.wait_for_alias_job(
                proj.id,
                to,
                timeout=s.vercel_job_timeout_seconds,
                poll_interval=s.vercel_job_poll_seconds,
            )
        except VercelError as exc:
            await self.history.record_action(
                record.model_copy(update={"outcome": "failed", "details": {"error": str(exc)}})
            )
            await self._audit(f"deployments.{action}", to, "failed", who, error=str(exc))
            raise
        if job is not None and job.job_status == "failed":
            message = f"Vercel reports the {action} job to {to} failed"
            await self.history.record_action(
                record.model_copy(update={"outcome": "failed", "details": {"error": message}})
            )
            await self._audit(f"deployments.{action}", to, "failed", who, error=message)
            raise VercelError(message, status=0, code=f"{action}_failed")
        done = job is None or job.finished
        now = self._now().isoformat()
        if done:
            await self.history.record(
                {
                    "id": to,
                    "project_id": proj.id,
                    "project_name": proj.name,
                    "target": "production",
                    "event": "promoted",
                    "at": now,
                    "source": "agent",
                }
            )
            if current is not None:
                await self.history.record(
                    {
                        "id": current,
                        "project_id": proj.id,
                        "event": f"{action}_away",
                        "at": now,
                        "source": "agent",
                    }
                )
        outcome = "ok" if done else "pending"
        pinned = action == "rollback" or (action == "promote" and after.production_pinned)
        await self.history.record_action(
            record.model_copy(update={"outcome": outcome, "details": {"pinned": pinned}})
        )
        await self._audit(
            f"deployments.{action}",
            to,
            outcome,
            who,
            project=proj.id,
            from_deployment=current,
            reason=reason,
        )
        note = None
        if action == "rollback":
            note = (
                "production is pinned to this deployment: Vercel will not serve new production "
                "builds until one is promoted"
            )
        if not done:
            note = (note + "; " if note else "") + (
                f"Vercel had not finished the {action} after "
                f"{s.vercel_job_timeout_seconds:.0f}s; it carries on"
            )
        return ActionResult(
            action=action,
            project_id=proj.id,
            from_deployment=current,
            to_deployment=to,
            actor=who,
            reason=reason,
            status="done" if done else "pending",
            production_pinned=pinned,
            note=note,
        )

    # --- history (store only) ---

    async def list_deployments(
        self,
        project: str | None = None,
        environment: str | None = None,
        *,
        states: Sequence[str] | None = None,
        branch: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before: tuple[datetime, str] | None = None,
        limit: int = 50,
    ) -> list[DeploymentRecord]:
        """Deployments from the agent's history, newest first (no Vercel call)."""
        return await self.history.list(
            project=project,
            target=environment,
            states=states,
            branch=branch,
            since=since,
            until=until,
            before=before,
            limit=limit,
        )

    async def get_history(
        self, project: str, environment: str = "production", limit: int = 20
    ) -> list[DeploymentRecord]:
        """The last `limit` deployments of a project's environment, each with its timeline."""
        return await self.history.list(project=project, target=environment, limit=limit)

    async def success_rate(
        self,
        project: str | None = None,
        environment: str | None = None,
        window: timedelta = timedelta(days=7),
    ) -> SuccessRate:
        """READY / (READY + ERROR) over deployments created within `window`."""
        stats = await self.history.stats(
            project=project, target=environment, since=self._now() - window
        )
        return SuccessRate(window=window, stats=stats)

    # --- environments ---

    async def list_environments(self, project: str) -> list[EnvironmentInfo]:
        """production, preview, development, and the project's custom environments."""
        envs = [EnvironmentInfo(slug=s, kind="standard") for s in STANDARD_ENVIRONMENTS]
        customs: list[CustomEnvironment] = await self.client.list_custom_environments(project)
        envs += [
            EnvironmentInfo(
                slug=c.slug,
                kind="custom",
                id=c.id,
                description=c.description,
                branch_matcher=c.branch_matcher,
            )
            for c in customs
        ]
        return envs

    async def get_env_vars(
        self, project: str, environment: str | None = None, *, decrypt: bool = False
    ) -> list[EnvVar]:
        """The project's variables, those of `environment` only when given. Values stay
        SecretStr: they print as '**********'."""
        custom_id = await self._custom_environment_id(project, environment)
        variables = await self.client.list_env(project)
        if environment is not None:
            variables = [
                v
                for v in variables
                if environment in v.targets or (custom_id and custom_id in v.custom_environment_ids)
            ]
        if not decrypt:
            return variables
        # Values come one by one from GET /v1/projects/{id}/env/{envId} (list decryption is
        # deprecated); sensitive variables never come back with one.
        return [
            await self.client.get_env_value(project, v.id) if v.id and v.type != "sensitive" else v
            for v in variables
        ]

    async def set_env_var(
        self,
        project: str,
        key: str,
        value: str,
        environments: Sequence[str] = ("production",),
        *,
        type: EnvType = "encrypted",
        actor: str | None = None,
        reason: str | None = None,
    ) -> EnvVar:
        """Create or overwrite `key` for the given environments. The value is never logged,
        audited or stored by the agent."""
        standard = [e for e in environments if e in STANDARD_ENVIRONMENTS]
        custom_ids = []
        for env in environments:
            if env not in STANDARD_ENVIRONMENTS:
                custom_id = await self._custom_environment_id(project, env)
                if custom_id is None:
                    raise _no_environment(project, env)
                custom_ids.append(custom_id)
        variable = await self.client.upsert_env(
            project,
            key=key,
            value=value,
            targets=standard,
            type=type,
            custom_environment_ids=custom_ids,
        )
        await self._audit(
            "deployments.env.set",
            f"{project}:{key}",
            "ok",
            actor or self.actor,
            environments=list(environments),
            type=type,
            reason=reason,
        )
        return variable

    async def remove_env_var(
        self,
        project: str,
        key: str,
        environment: str | None = None,
        *,
        actor: str | None = None,
        reason: str | None = None,
    ) -> int:
        """Remove `key` (from `environment` only, when given: a variable shared with other
        environments is then removed whole, as Vercel stores it once). Returns how many
        variables went; NotFound when none matched."""
        variables = [v for v in await self.get_env_vars(project, environment) if v.key == key]
        if not variables:
            where = f" in {environment}" if environment else ""
            raise NotFound(f"no variable {key!r}{where} in {project}", code="no_env_var")
        for variable in variables:
            assert variable.id is not None
            await self.client.remove_env(project, variable.id)
        await self._audit(
            "deployments.env.remove",
            f"{project}:{key}",
            "ok",
            actor or self.actor,
            environment=environment,
            removed=len(variables),
            reason=reason,
        )
        return len(variables)

    async def _custom_environment_id(self, project: str, environment: str | None) -> str | None:
        if environment is None or environment in STANDARD_ENVIRONMENTS:
            return None
        for env in await self.client.list_custom_environments(project):
            if environment in (env.slug, env.id):
                return env.id
        raise _no_environment(project, environment)


def _no_environment(project: str, environment: str) -> DeploymentRefused:
    return DeploymentRefused(f"no environment {environment!r} in {project}", code="no_environment")


def _git_source(project: Project, ref: str | None) -> dict[str, Any] | None:
    """The `gitSource` that builds `ref` from the project's linked repository, in the variant
    Vercel's create-deployment schema has for its provider (SDK `GitSource1..7`); None when
    there is no link or Vercel offers no variant for it (github-custom-host)."""
    link = project.link
    if link is None or not ref or not link.type:
        return None
    if link.type in ("github", "github-limited"):
        if link.repo_id is not None:
            return {"type": link.type, "repoId": link.repo_id, "ref": ref}
        if link.org and link.repo:
            return {"type": link.type, "org": link.org, "repo": link.repo, "ref": ref}
    if link.type == "gitlab" and link.gitlab_project_id is not None:
        return {"type": "gitlab", "projectId": link.gitlab_project_id, "ref": ref}
    if link.type == "bitbucket":
        if link.owner and link.slug:
            return {"type": "bitbucket", "owner": link.owner, "slug": link.slug, "ref": ref}
        if link.uuid:
            source = {"type": "bitbucket", "repoUuid": link.uuid, "ref": ref}
            if link.workspace_uuid:
                source["workspaceUuid"] = link.workspace_uuid
            return source
    return None


def _with_pin(
    status: DeploymentStatus, project: Project, redeploy_of: str | None
) -> DeploymentStatus:
    """A new deployment's status, saying so when it will be staged rather than served: after
    an instant rollback Vercel does not assign production to new production builds."""
    update: dict[str, Any] = {"redeploy_of": redeploy_of}
    if status.target == "production" and project.production_pinned:
        update["production_pinned"] = True
        update["note"] = (
            "production is pinned by an instant rollback: this build will be staged, not live; "
            f"promote it (POST /api/deployments/{status.id}/promote) to serve it"
        )
    return status.model_copy(update=update)


async def _call(callback: ProgressCallback, progress: BuildProgress) -> None:
    result = callback(progress)
    if inspect.isawaitable(result):
        await result
