"""A local Vercel: one team's projects and deployments, served over HTTP on 127.0.0.1.

It answers every REST operation the agent's client uses, in the shapes of Vercel's published
contract, and checks each answer against that contract (`ops_agent.vercel.contract`) before
sending it, so it cannot drift into a shape Vercel never uses: an answer that would break the
contract is refused with a 500 and recorded in `violations`.

It behaves as Vercel does, not only looks like it:

- a deployment goes QUEUED, BUILDING, then READY or ERROR (or CANCELED), by the clock, and a
  production build that finishes is assigned production, unless an instant rollback turned
  auto-assignment off: then it stays READY/STAGED until something is promoted;
- promote and rollback answer 201 with no body and finish asynchronously: the project's
  `lastAliasRequest` shows the job. Vercel does not say how long a job takes; here it is
  in progress on the first read of the project after the request and done on the second (or
  at the next `advance()`);
- rollback targets must be rollback candidates: on Hobby only the deployment that served
  production just before the current one, on Pro any earlier READY production deployment
  that served production;
- env vars (`upsert`, `failed[]`, values from `GET /v1/projects/{id}/env/{envId}`) and custom
  environments exist; errors use Vercel's `{"error": {"code", "message"}}` shape (the error
  codes are the double's own: the contract does not list them);
- it queues the webhooks Vercel would send (`deployment.created`, `.succeeded`, `.error`,
  `.canceled`, `.promoted`, `.rollback`).

Each project starts seeded: a linked Git repository, a custom environment `staging`, and two
READY production deployments from the day before, the newer one serving production.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from ops_agent.sandbox.traffic import HEALTHY, Behaviour
from ops_agent.vercel.contract import ContractViolation, check_answer

Plan = Literal["hobby", "pro", "enterprise"]
LinkType = Literal["github", "github-limited", "gitlab", "bitbucket"]
TEAM_ID = "team_sandbox0000000000000000"
MAX_RUNTIME_ROWS = 20_000
USER_ID = "usr_sandbox00000000000000000"


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


@dataclass
class SandboxDeployment:
    id: str
    project_id: str
    commit_sha: str
    message: str
    branch: str
    target: str | None  # "production", or None for preview and custom environments
    behaviour: Behaviour
    created: datetime
    state: str = "QUEUED"
    building: datetime | None = None
    ready: datetime | None = None
    error_at: datetime | None = None
    canceled_at: datetime | None = None
    error_code: str | None = None
    error_message: str | None = None
    custom_environment_id: str | None = None
    log: list[str] = field(default_factory=list)
    redeploy_of: str | None = None
    served: bool = False  # has served production traffic (readySubstate PROMOTED)


@dataclass
class SandboxEnv:
    id: str
    key: str
    value: str
    type: str
    target: list[str]
    custom_environment_ids: list[str]
    created: int
    updated: int


@dataclass
class SandboxProject:
    id: str
    name: str
    link_type: LinkType | None = "github"
    production: str | None = None
    auto_assign: bool = True  # production domains follow new production builds
    alias_job: dict[str, Any] | None = None
    job_reads: int = 0
    history: list[str] = field(default_factory=list)  # deployments that served, in order
    envs: list[SandboxEnv] = field(default_factory=list)
    custom_environments: list[dict[str, Any]] = field(default_factory=list)
    created: int = 0


class SandboxVercel:
    """The team's state, the HTTP app that serves it, and the webhooks it owes the agent."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        token: str = "sandbox-token",  # noqa: S107 (the sandbox is local and fake)
        project: str = "shop",
        projects: Sequence[str] = (),
        build_seconds: float = 90,
        queue_seconds: float = 5,
        plan: Plan = "pro",
        link_type: LinkType | None = "github",
    ) -> None:
        self.now = clock
        self.token = token
        self.plan = plan
        self.build_seconds = build_seconds
        self.queue_seconds = queue_seconds
        self.deployments: dict[str, SandboxDeployment] = {}
        self.outbox: list[dict[str, Any]] = []  # webhook envelopes not yet delivered
        self.violations: list[str] = []  # answers the contract refused
        # What the runtime-logs API streams per deployment (the newest MAX_RUNTIME_ROWS).
        self.runtime_logs: dict[str, list[dict[str, Any]]] = {}
        self._seq = 0
        self._salt = uuid.uuid4().hex  # ids unique to this sandbox, whatever ran before
        self.healthy = True  # what the shop's /health says; the flapping scenario toggles it
        self.projects: dict[str, SandboxProject] = {}
        for name in dict.fromkeys([project, *projects]):
            self._seed(name, link_type)
        self.app = self._build_app()

    @property
    def project(self) -> SandboxProject:
        """The first project: the one the scenarios play with."""
        return next(iter(self.projects.values()))

    # --- what a developer does ---

    def push(
        self,
        message: str,
        behaviour: Behaviour = HEALTHY,
        *,
        sha: str | None = None,
        project: str | None = None,
        branch: str = "main",
    ) -> str:
        """A push to a branch: Vercel starts a production deployment for the production
        branch and a preview for any other."""
        proj = self._project(project) or self.project
        sha = sha or self._digest(message, self._seq)[:40]
        target = "production" if branch == "main" else None
        return self._create(proj, sha, message, branch, target, behaviour).id

    def log_runtime(self, deployment_id: str, rows: list[dict[str, Any]]) -> None:
        """Keep rows the deployment logged, for the runtime-logs API."""
        kept = self.runtime_logs.setdefault(deployment_id, [])
        kept += rows
        del kept[:-MAX_RUNTIME_ROWS]

    def live(self, project: str | None = None) -> SandboxDeployment | None:
        """The deployment serving production now."""
        proj = self._project(project) or self.project
        return self.deployments.get(proj.production or "")

    # --- time passes ---

    def advance(self) -> None:
        """Move builds along and finish alias jobs, as of the clock, queueing their webhooks."""
        now = self.now()
        for proj in self.projects.values():
            self._finish_job(proj)
        for d in list(self.deployments.values()):
            if d.state == "QUEUED" and now - d.created >= timedelta(seconds=self.queue_seconds):
                d.state, d.building = "BUILDING", d.created + timedelta(seconds=self.queue_seconds)
            if d.state != "BUILDING" or now - d.created < timedelta(seconds=self.build_seconds):
                continue
            self._finish_build(d, d.created + timedelta(seconds=self.build_seconds))

    def _finish_build(self, d: SandboxDeployment, done_at: datetime) -> None:
        proj = self.projects[d.project_id]
        fails = d.behaviour.build == "code" or (
            d.behaviour.build == "transient" and d.redeploy_of is None
        )
        if fails:
            transient = d.behaviour.build == "transient"
            d.state, d.error_at, d.error_code = "ERROR", done_at, "BUILD_FAILED"
            d.error_message = (
                "npm ERR! network request to https://registry.npmjs.org/next failed, "
                "reason: read ECONNRESET"
                if transient
                else "Type error: Property 'price' does not exist on type 'Item'."
            )
            d.log += [*d.behaviour.build_log, d.error_message, "Error: Command exited with 1"]
            self._emit("deployment.error", d, done_at)
            return
        d.state, d.ready = "READY", done_at
        d.log.append("Build Completed in /vercel/output")
        self._emit("deployment.succeeded", d, done_at)
        if d.target == "production" and proj.auto_assign:
            self._serve(proj, d, done_at)

    def _serve(
        self, proj: SandboxProject, d: SandboxDeployment, at: datetime, *, announce: bool = True
    ) -> None:
        proj.production = d.id
        d.served = True
        proj.history.append(d.id)
        if announce:  # Vercel sends deployment.promoted for builds and promotions, not rollbacks
            self._emit("deployment.promoted", d, at)

    # --- seeding ---

    def _seed(self, name: str, link_type: LinkType | None) -> None:
        created = self.now() - timedelta(days=30)
        proj = SandboxProject(
            id=f"prj_{self._digest('project', name)[:24]}",
            name=name,
            link_type=link_type,
            created=_ms(created),
        )
        proj.custom_environments.append(
            {
                "id": f"env_{self._digest('staging', name)[:24]}",
                "slug": "staging",
                "type": "preview",
                "description": "Staging, before production",
                "branchMatcher": {"type": "equals", "pattern": "staging"},
                "createdAt": _ms(created),
                "updatedAt": _ms(created),
            }
        )
        self.projects[proj.id] = proj
        for days, message in ((2, "feat: catalogue search"), (1, "fix: cart rounding")):
            at = self.now() - timedelta(days=days)
            d = self._new(proj, self._digest(name, message)[:40], message, "main", "production")
            d.created, d.building = at, at + timedelta(seconds=self.queue_seconds)
            d.state, d.ready = "READY", at + timedelta(seconds=self.build_seconds)
            d.log.append("Build Completed in /vercel/output")
            proj.production, d.served = d.id, True
            proj.history.append(d.id)

    # --- internals ---

    def _digest(self, *parts: object) -> str:
        return hashlib.sha256(f"{self._salt}:{parts}".encode()).hexdigest()

    def _project(self, id_or_name: str | None) -> SandboxProject | None:
        if id_or_name is None:
            return None
        for proj in self.projects.values():
            if id_or_name in (proj.id, proj.name):
                return proj
        return None

    def _new(
        self,
        proj: SandboxProject,
        sha: str,
        message: str,
        branch: str,
        target: str | None,
        behaviour: Behaviour = HEALTHY,
        of: str | None = None,
        custom_environment_id: str | None = None,
    ) -> SandboxDeployment:
        self._seq += 1
        d = SandboxDeployment(
            id=f"dpl_{self._digest(sha, self._seq)[:24]}",
            project_id=proj.id,
            commit_sha=sha,
            message=message,
            branch=branch,
            target=target,
            behaviour=behaviour,
            created=self.now(),
            redeploy_of=of,
            custom_environment_id=custom_environment_id,
            log=[f"Cloning {self._repo(proj)} (Branch: {branch})", 'Running "npm run build"'],
        )
        self.deployments[d.id] = d
        return d

    def _create(
        self,
        proj: SandboxProject,
        sha: str,
        message: str,
        branch: str,
        target: str | None,
        behaviour: Behaviour,
        of: str | None = None,
        custom_environment_id: str | None = None,
    ) -> SandboxDeployment:
        d = self._new(proj, sha, message, branch, target, behaviour, of, custom_environment_id)
        self._emit("deployment.created", d, d.created)
        return d

    def _repo(self, proj: SandboxProject) -> str:
        host = {"gitlab": "gitlab.com", "bitbucket": "bitbucket.org"}.get(
            proj.link_type or "", "github.com"
        )
        return f"{host}/sandbox/{proj.name}"

    def _url(self, d: SandboxDeployment) -> str:
        return f"{self.projects[d.project_id].name}-{d.id[-9:].lower()}-sandbox.vercel.app"

    def _meta(self, d: SandboxDeployment) -> dict[str, str]:
        provider = {"gitlab": "gitlab", "bitbucket": "bitbucket"}.get(
            self.projects[d.project_id].link_type or "", "github"
        )
        meta = {
            f"{provider}CommitSha": d.commit_sha,
            f"{provider}CommitRef": d.branch,
            f"{provider}CommitMessage": d.message,
        }
        if d.redeploy_of:
            meta["action"] = "redeploy"
        return meta

    def _substate(self, d: SandboxDeployment) -> str | None:
        if d.state != "READY":
            return None
        return "PROMOTED" if d.served else "STAGED"

    def _inspector(self, d: SandboxDeployment) -> str:
        return f"https://vercel.com/sandbox/{self.projects[d.project_id].name}/{d.id[4:]}"

    def _is_candidate(self, d: SandboxDeployment) -> bool:
        proj = self.projects[d.project_id]
        if d.state != "READY" or d.target != "production" or not d.served:
            return False
        if d.id == proj.production:
            return False
        if self.plan == "hobby":
            earlier = [i for i in proj.history if i != proj.production]
            return bool(earlier) and earlier[-1] == d.id
        return True

    def deployment_json(self, d: SandboxDeployment) -> dict[str, Any]:
        """`GET /v13/deployments/{id}`, long form (`GetDeploymentResponseBody1`)."""
        proj = self.projects[d.project_id]
        body: dict[str, Any] = {
            "aliasAssigned": d.state == "READY" and d.served,
            "bootedAt": _ms(d.building or d.created),
            "buildingAt": _ms(d.building or d.created),
            "buildSkipped": False,
            "creator": {"uid": USER_ID, "username": "sandbox"},
            "public": False,
            "status": d.state,
            "id": d.id,
            "createdAt": _ms(d.created),
            "readyState": d.state,
            "name": proj.name,
            "type": "LAMBDAS",
            "meta": self._meta(d),
            "regions": ["iad1"],
            "url": self._url(d),
            "version": 2,
            "build": {"env": []},
            "env": [],
            "inspectorUrl": self._inspector(d),
            "isInConcurrentBuildsQueue": False,
            "isInSystemBuildsQueue": False,
            "projectSettings": {"framework": "nextjs"},
            "projectId": proj.id,
            "plan": self.plan,
            "createdIn": "sfo1",
            "ownerId": TEAM_ID,
            "routes": None,
            "source": "git",
            "target": d.target,
        }
        body.update(self._optional(d))
        if d.error_at:
            body["buildErrorAt"] = _ms(d.error_at)
        if d.canceled_at:
            body["canceledAt"] = _ms(d.canceled_at)
        return body

    def _optional(self, d: SandboxDeployment) -> dict[str, Any]:
        """The fields a deployment has only in some states, in both GET and list answers."""
        optional = {
            "ready": _ms(d.ready) if d.ready else None,
            "readySubstate": self._substate(d),
            "errorCode": d.error_code,
            "errorMessage": d.error_message,
            # Vercel may send only the id; the agent must cope without the slug.
            "customEnvironment": {"id": d.custom_environment_id}
            if d.custom_environment_id
            else None,
        }
        return {k: v for k, v in optional.items() if v is not None}

    def list_item_json(self, d: SandboxDeployment) -> dict[str, Any]:
        """An item of `GET /v6/deployments`."""
        item: dict[str, Any] = {
            "uid": d.id,
            "name": self.projects[d.project_id].name,
            "projectId": d.project_id,
            "url": self._url(d),
            "created": _ms(d.created),
            "state": d.state,
            "readyState": d.state,
            "type": "LAMBDAS",
            "creator": {"uid": USER_ID, "username": "sandbox"},
            "meta": self._meta(d),
            "target": d.target,
            "createdAt": _ms(d.created),
            "buildingAt": _ms(d.building or d.created),
            "inspectorUrl": self._inspector(d),
            "isRollbackCandidate": self._is_candidate(d),
        }
        item.update(self._optional(d))
        return item

    def _target_json(self, d: SandboxDeployment) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": d.id,
            "alias": [f"{self.projects[d.project_id].name}.sandbox.example"],
            "aliasAssigned": _ms(d.ready) if d.ready else None,
            "createdAt": _ms(d.created),
            "createdIn": "sfo1",
            "creator": {"email": "sandbox@example.com", "uid": USER_ID, "username": "sandbox"},
            "deploymentHostname": self._url(d).removesuffix(".vercel.app"),
            "name": self.projects[d.project_id].name,
            "meta": self._meta(d),
            "plan": self.plan,
            "private": True,
            "readyState": d.state,
            "target": d.target,
            "type": "LAMBDAS",
            "url": self._url(d),
            "userId": USER_ID,
            "buildingAt": _ms(d.building or d.created),
        }
        if d.ready:
            body["readyAt"] = _ms(d.ready)
        if self._substate(d):
            body["readySubstate"] = self._substate(d)
        return body

    def _link_json(self, proj: SandboxProject) -> dict[str, Any] | None:
        common = {"deployHooks": [], "productionBranch": "main", "createdAt": proj.created}
        if proj.link_type in ("github", "github-limited"):
            return {
                "type": proj.link_type,
                "org": "sandbox",
                "repo": proj.name,
                "repoId": 424242,
                **common,
            }
        if proj.link_type == "gitlab":
            return {
                "type": "gitlab",
                "projectId": "4242",
                "projectName": proj.name,
                "projectNamespace": "sandbox",
                "projectNameWithNamespace": f"sandbox / {proj.name}",
                "projectUrl": f"https://gitlab.com/sandbox/{proj.name}",
                **common,
            }
        if proj.link_type == "bitbucket":
            return {
                "type": "bitbucket",
                "name": proj.name,
                "slug": proj.name,
                "owner": "sandbox",
                "uuid": "{4242a8d2-7b1c-4a5e-9c3d-1f2e3d4c5b6a}",
                "workspaceUuid": "{9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d}",
                **common,
            }
        return None

    def project_json(self, proj: SandboxProject) -> dict[str, Any]:
        """`GET /v9/projects/{idOrName}`."""
        live = self.deployments.get(proj.production or "")
        latest = sorted(
            (d for d in self.deployments.values() if d.project_id == proj.id),
            key=lambda d: d.created,
            reverse=True,
        )[:5]
        body: dict[str, Any] = {
            "id": proj.id,
            "name": proj.name,
            "accountId": TEAM_ID,
            "createdAt": proj.created,
            "updatedAt": proj.created,
            "framework": "nextjs",
            "nodeVersion": "22.x",
            "directoryListing": False,
            "targets": {"production": self._target_json(live) if live else None},
            "latestDeployments": [self._target_json(d) for d in latest],
        }
        if (link := self._link_json(proj)) is not None:
            body["link"] = link
        if proj.alias_job is not None:
            body["lastAliasRequest"] = dict(proj.alias_job)
        return body

    def _emit(self, type_: str, d: SandboxDeployment, at: datetime, **extra: Any) -> None:
        proj = self.projects[d.project_id]
        payload: dict[str, Any] = {
            "team": {"id": TEAM_ID},
            "user": {"id": USER_ID},
            "deployment": {
                "id": d.id,
                "name": proj.name,
                "url": self._url(d),
                "meta": self._meta(d),
            },
            "links": {
                "deployment": self._inspector(d),
                "project": f"https://vercel.com/sandbox/{proj.name}",
            },
            "project": {"id": proj.id},
            "plan": self.plan,
            "regions": ["iad1"],
        }
        if type_ != "deployment.promoted":
            payload["target"] = d.target
        if type_ == "deployment.rollback":
            payload = {
                "team": {"id": TEAM_ID},
                "user": {"id": USER_ID},
                "project": {"id": proj.id},
                **extra,
            }
        self.outbox.append(
            {
                "id": f"uev_{self._digest(type_, d.id, len(self.outbox))[:24]}",
                "type": type_,
                "createdAt": _ms(at),
                "region": "iad1",
                "payload": payload,
            }
        )

    # --- alias jobs (promote and rollback) ---

    def _request_job(self, proj: SandboxProject, kind: str, d: SandboxDeployment) -> None:
        proj.alias_job = {
            "fromDeploymentId": proj.production,
            "toDeploymentId": d.id,
            "jobStatus": "pending",
            "requestedAt": _ms(self.now()),
            "type": kind,
        }
        proj.job_reads = 0
        if kind == "rollback":
            self._emit(
                "deployment.rollback",
                d,
                self.now(),
                fromDeploymentId=proj.production,
                toDeploymentId=d.id,
            )

    def _progress_job(self, proj: SandboxProject) -> None:
        job = proj.alias_job
        if job is None or job["jobStatus"] not in ("pending", "in-progress"):
            return
        proj.job_reads += 1
        if proj.job_reads == 1:
            job["jobStatus"] = "in-progress"
        else:
            self._finish_job(proj)

    def _finish_job(self, proj: SandboxProject) -> None:
        job = proj.alias_job
        if job is None or job["jobStatus"] not in ("pending", "in-progress"):
            return
        d = self.deployments[job["toDeploymentId"]]
        job["jobStatus"] = "succeeded"
        # A rollback pins production; a promotion turns auto-assignment back on.
        proj.auto_assign = job["type"] == "promote"
        self._serve(proj, d, self.now(), announce=job["type"] == "promote")

    # --- HTTP ---

    def _answer(self, request: Request, status: int, body: Any = None) -> Response:
        """Send `body`, unless Vercel's contract forbids it: then record why and send 500."""
        try:
            check_answer(request.method, request.url.path, status, body)
        except ContractViolation as exc:
            self.violations.append(str(exc))
            return JSONResponse({"error": {"code": "contract_violation", "message": str(exc)}}, 500)
        if body is None:
            return Response(status_code=status)
        return JSONResponse(body, status)

    def _error(self, request: Request, status: int, code: str, message: str) -> Response:
        return self._answer(request, status, {"error": {"code": code, "message": message}})

    def _build_app(self) -> FastAPI:
        app = FastAPI(title="Vercel sandbox", openapi_url=None, docs_url=None, redoc_url=None)

        @app.middleware("http")
        async def auth(request: Request, call_next: Any) -> Any:
            if request.url.path == "/health":
                return await call_next(request)
            if request.headers.get("authorization") != f"Bearer {self.token}":
                return JSONResponse(
                    {"error": {"code": "forbidden", "message": "Not authorized"}}, 403
                )
            return await call_next(request)

        def find(id_or_url: str) -> SandboxDeployment | None:
            for d in self.deployments.values():
                if id_or_url in (d.id, self._url(d)):
                    return d
            return None

        @app.get("/v9/projects/{id_or_name}")
        async def get_project(request: Request, id_or_name: str) -> Response:
            proj = self._project(id_or_name)
            if proj is None:
                return self._error(request, 404, "not_found", "Project not found")
            self._progress_job(proj)
            return self._answer(request, 200, self.project_json(proj))

        @app.post("/v13/deployments")
        async def create(request: Request) -> Response:
            try:
                body = json.loads(await request.body() or b"null")
            except ValueError:
                return self._error(request, 400, "bad_request", "Invalid JSON body")
            if not isinstance(body, dict) or not isinstance(body.get("name"), str):
                return self._error(request, 400, "bad_request", "`name` is required")
            proj = self._project(body.get("project") or body["name"])
            if proj is None:
                return self._error(request, 404, "not_found", "Project not found")
            target = body.get("target")
            if target not in (None, "production", "staging"):
                return self._error(request, 400, "bad_request", "Invalid `target`")
            custom_id = None
            if body.get("customEnvironmentSlugOrId"):
                env = next(
                    (
                        e
                        for e in proj.custom_environments
                        if body["customEnvironmentSlugOrId"] in (e["id"], e["slug"])
                    ),
                    None,
                )
                if env is None:
                    return self._error(request, 404, "not_found", "Custom environment not found")
                custom_id = env["id"]
            if body.get("deploymentId"):
                source = find(body["deploymentId"])
                if source is None or source.project_id != proj.id:
                    return self._error(request, 404, "not_found", "Deployment not found")
                d = self._create(
                    proj,
                    source.commit_sha,
                    source.message,
                    source.branch,
                    target,
                    source.behaviour,
                    of=source.id,
                    custom_environment_id=custom_id or source.custom_environment_id,
                )
            elif isinstance(body.get("gitSource"), dict):
                problem = self._check_git_source(proj, body["gitSource"])
                if problem:
                    return self._error(request, 400, "invalid_git_source", problem)
                ref = str(body["gitSource"]["ref"])
                head = max(
                    (x for x in self.deployments.values() if x.project_id == proj.id),
                    key=lambda x: x.created,
                    default=None,
                )
                behaviour = head.behaviour if head else HEALTHY
                sha = head.commit_sha if head else self._digest(ref)[:40]
                d = self._create(
                    proj,
                    sha,
                    f"deploy {ref}",
                    ref,
                    target,
                    behaviour,
                    custom_environment_id=custom_id,
                )
            else:
                return self._error(
                    request, 400, "bad_request", "`gitSource` or `deploymentId` is required"
                )
            return self._answer(request, 200, self.deployment_json(d))

        @app.get("/v13/deployments/{id_or_url}")
        async def get_deployment(request: Request, id_or_url: str) -> Response:
            d = find(id_or_url)
            if d is None:
                return self._error(request, 404, "not_found", "Deployment not found")
            return self._answer(request, 200, self.deployment_json(d))

        @app.get("/v6/deployments")
        async def list_deployments(request: Request) -> Response:
            q = request.query_params
            rows = sorted(self.deployments.values(), key=lambda d: d.created, reverse=True)
            if q.get("projectId"):
                proj = self._project(q["projectId"])
                rows = [d for d in rows if proj is not None and d.project_id == proj.id]
            if q.get("target"):
                rows = [d for d in rows if d.target == q["target"]]
            if q.get("state"):
                rows = [d for d in rows if d.state in q["state"].split(",")]
            if q.get("rollbackCandidate") in ("1", "true"):
                rows = [d for d in rows if self._is_candidate(d)]
            try:
                until = int(q["until"]) if q.get("until") else None
                limit = max(1, min(int(q.get("limit") or 20), 100))
            except ValueError:
                return self._error(request, 400, "bad_request", "Invalid `until` or `limit`")
            if until is not None:
                rows = [d for d in rows if _ms(d.created) < until]
            page = rows[:limit]
            more = len(rows) > limit
            return self._answer(
                request,
                200,
                {
                    "deployments": [self.list_item_json(d) for d in page],
                    "pagination": {
                        "count": len(page),
                        "next": _ms(page[-1].created) if more and page else None,
                        "prev": None,
                    },
                },
            )

        @app.get("/v3/deployments/{id_or_url}/events")
        async def events(request: Request, id_or_url: str) -> Response:
            d = find(id_or_url)
            if d is None:
                return self._error(request, 404, "not_found", "Deployment not found")
            items = [
                {
                    "type": "stderr" if "rror" in line else "stdout",
                    "created": _ms(d.created) + i,
                    "payload": {
                        "deploymentId": d.id,
                        "id": f"{d.id}-{i}",
                        "date": _ms(d.created) + i,
                        "serial": f"{_ms(d.created)}{i:06d}",
                        "text": line,
                        "info": {"type": "build", "name": "bld_sandbox", "entrypoint": "."},
                    },
                }
                for i, line in enumerate(d.log)
            ]
            accept = request.headers.get("accept", "")
            if accept.startswith("application/stream+json"):
                check_answer(request.method, request.url.path, 200, items)
                text = "".join(json.dumps(item) + "\n" for item in items)
                return Response(text, 200, media_type="application/stream+json")
            return self._answer(request, 200, items)

        @app.get("/v2/deployments/{id}/aliases")
        async def aliases(request: Request, id: str) -> Response:
            d = find(id)
            if d is None:
                return self._error(request, 404, "not_found", "Deployment not found")
            return self._answer(request, 200, {"aliases": []})

        @app.patch("/v12/deployments/{id}/cancel")
        async def cancel(request: Request, id: str) -> Response:
            d = find(id)
            if d is None:
                return self._error(request, 404, "not_found", "Deployment not found")
            if d.state not in ("QUEUED", "BUILDING", "INITIALIZING"):
                return self._error(
                    request, 400, "deployment_not_cancelable", "Only a build can be canceled"
                )
            d.state, d.canceled_at = "CANCELED", self.now()
            d.error_message = "The deployment was canceled"
            self._emit("deployment.canceled", d, self.now())
            return self._answer(request, 200, self.deployment_json(d))

        @app.post("/v1/projects/{project}/rollback/{deployment}")
        async def rollback(request: Request, project: str, deployment: str) -> Response:
            proj, d = self._project(project), find(deployment)
            if proj is None or d is None or d.project_id != proj.id:
                return self._error(request, 404, "not_found", "Not found")
            if not self._is_candidate(d):
                why = (
                    "On the Hobby plan you can only roll back to the previous production deployment"
                    if self.plan == "hobby"
                    else "The deployment is not a rollback candidate"
                )
                return self._error(request, 400, "invalid_rollback_target", why)
            self._request_job(proj, "rollback", d)
            return self._answer(request, 201)

        @app.post("/v10/projects/{project}/promote/{deployment}")
        async def promote(request: Request, project: str, deployment: str) -> Response:
            proj, d = self._project(project), find(deployment)
            if proj is None or d is None or d.project_id != proj.id:
                return self._error(request, 404, "not_found", "Not found")
            if d.state != "READY" or d.target != "production":
                return self._error(
                    request,
                    400,
                    "invalid_promote_target",
                    "Only READY production deployments can be promoted; rebuild a preview "
                    "for production instead",
                )
            self._request_job(proj, "promote", d)
            return self._answer(request, 201)

        @app.get("/v10/projects/{project}/env")
        async def list_env(request: Request, project: str) -> Response:
            proj = self._project(project)
            if proj is None:
                return self._error(request, 404, "not_found", "Project not found")
            return self._answer(
                request, 200, {"envs": [self._env_json(e, value=False) for e in proj.envs]}
            )

        @app.post("/v10/projects/{project}/env")
        async def upsert_env(request: Request, project: str) -> Response:
            proj = self._project(project)
            if proj is None:
                return self._error(request, 404, "not_found", "Project not found")
            try:
                body = json.loads(await request.body() or b"null")
            except ValueError:
                return self._error(request, 400, "bad_request", "Invalid JSON body")
            if not isinstance(body, dict) or not body.get("key") or "value" not in body:
                return self._error(request, 400, "bad_request", "`key` and `value` are required")
            if body.get("type") not in ("system", "encrypted", "plain", "sensitive"):
                return self._error(request, 400, "bad_request", "Invalid `type`")
            targets = body.get("target") or []
            custom_ids = body.get("customEnvironmentIds") or []
            if not targets and not custom_ids:
                return self._error(
                    request, 400, "bad_request", "`target` or `customEnvironmentIds` is required"
                )
            known = {e["id"] for e in proj.custom_environments}
            if any(c not in known for c in custom_ids):
                failure = {
                    "error": {
                        "code": "custom_environment_not_found",
                        "message": "A custom environment does not exist",
                        "key": body["key"],
                    }
                }
                return self._answer(request, 201, {"created": [], "failed": [failure]})
            now = _ms(self.now())
            existing = next((e for e in proj.envs if e.key == body["key"]), None)
            if existing is None:
                existing = SandboxEnv(
                    id=f"env_{self._digest(proj.id, body['key'])[:16]}",
                    key=body["key"],
                    value="",
                    type=body["type"],
                    target=[],
                    custom_environment_ids=[],
                    created=now,
                    updated=now,
                )
                proj.envs.append(existing)
            existing.value, existing.type = str(body["value"]), body["type"]
            existing.target, existing.custom_environment_ids = list(targets), list(custom_ids)
            existing.updated = now
            created = self._env_json(existing, value=False)
            return self._answer(request, 201, {"created": created, "failed": []})

        @app.get("/v1/projects/{project}/env/{env_id}")
        async def get_env(request: Request, project: str, env_id: str) -> Response:
            proj = self._project(project)
            env = next((e for e in proj.envs if e.id == env_id), None) if proj else None
            if env is None:
                return self._error(request, 404, "not_found", "Environment variable not found")
            return self._answer(request, 200, self._env_json(env, value=env.type != "sensitive"))

        @app.delete("/v9/projects/{project}/env/{env_id}")
        async def remove_env(request: Request, project: str, env_id: str) -> Response:
            proj = self._project(project)
            env = next((e for e in proj.envs if e.id == env_id), None) if proj else None
            if proj is None or env is None:
                return self._error(request, 404, "not_found", "Environment variable not found")
            proj.envs.remove(env)
            return self._answer(request, 200, self._env_json(env, value=False))

        @app.get("/v1/projects/{project}/deployments/{deployment}/runtime-logs")
        async def runtime_logs(request: Request, project: str, deployment: str) -> Response:
            proj, d = self._project(project), find(deployment)
            if proj is None or d is None or d.project_id != proj.id:
                return self._error(request, 404, "not_found", "Not found")
            rows = self.runtime_logs.get(d.id, [])
            try:
                check_answer(request.method, request.url.path, 200, rows)
            except ContractViolation as exc:
                self.violations.append(str(exc))
                return self._error(request, 500, "contract_violation", str(exc))
            # One row per line; a message may hold U+2028, so lines end with "\n" only.
            text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
            return Response(text.encode(), 200, media_type="application/stream+json")

        @app.get("/v9/projects/{project}/custom-environments")
        async def custom_environments(request: Request, project: str) -> Response:
            proj = self._project(project)
            if proj is None:
                return self._error(request, 404, "not_found", "Project not found")
            return self._answer(request, 200, {"environments": proj.custom_environments})

        @app.get("/health")
        async def health() -> Any:
            # Not Vercel's: the shop's own health endpoint, which the flapping scenario toggles.
            up = self.healthy
            return JSONResponse({"status": "UP" if up else "DOWN"}, 200 if up else 503)

        return app

    def _env_json(self, env: SandboxEnv, *, value: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": env.id,
            "key": env.key,
            "type": env.type,
            "target": env.target,
            "customEnvironmentIds": env.custom_environment_ids,
            "createdAt": env.created,
            "updatedAt": env.updated,
        }
        if value:
            body["value"], body["decrypted"] = env.value, True
        return body

    def _check_git_source(self, proj: SandboxProject, source: dict[str, Any]) -> str | None:
        """Why `source` cannot build from `proj`'s repository, or None: the variant must match
        the link's provider and carry that provider's identifiers (SDK `GitSource1..7`)."""
        if not isinstance(source.get("ref"), str) or not source["ref"]:
            return "`gitSource.ref` is required"
        kind = source.get("type")
        if proj.link_type is None:
            return "The project is not connected to a Git repository"
        if kind != proj.link_type:
            return f"The project's repository is on {proj.link_type}, not {kind}"
        if kind in ("github", "github-limited"):
            ok = "repoId" in source or ("org" in source and "repo" in source)
        elif kind == "gitlab":
            ok = "projectId" in source
        else:
            ok = "repoUuid" in source or ("owner" in source and "slug" in source)
        return None if ok else f"`gitSource` lacks the {kind} repository's identifiers"
