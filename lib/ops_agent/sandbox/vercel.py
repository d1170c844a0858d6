"""A local stand-in for one Vercel team and project, served over HTTP on 127.0.0.1.

It answers the REST paths the agent's Vercel client uses, with the shapes Vercel documents
(`GET /v9/projects/{id}`, `POST /v13/deployments`, `GET /v13/deployments/{id}`,
`GET /v6/deployments`, `GET /v3/deployments/{id}/events`, `POST /v1/projects/{id}/rollback/{dpl}`,
`POST /v10/projects/{id}/promote/{dpl}`, `PATCH /v12/deployments/{id}/cancel`,
`GET /v2/deployments/{id}/aliases`), and queues the webhook events Vercel would send. Builds take
`build_seconds` of scenario time; each deployment's `Behaviour` decides how its build goes and
how the traffic it serves looks.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ops_agent.sandbox.traffic import HEALTHY, Behaviour


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


@dataclass
class SandboxDeployment:
    id: str
    commit_sha: str
    message: str
    target: str | None
    behaviour: Behaviour
    created: datetime
    state: str = "BUILDING"
    ready: datetime | None = None
    error_code: str | None = None
    error_message: str | None = None
    log: list[str] = field(default_factory=list)
    redeploy_of: str | None = None

    def as_json(self, project: SandboxProject) -> dict[str, Any]:
        return {
            "id": self.id,
            "uid": self.id,
            "name": project.name,
            "url": f"{project.name}-{self.id[-8:].lower()}.sandbox.vercel.app",
            "projectId": project.id,
            "readyState": self.state,
            "state": self.state,
            "target": self.target,
            "createdAt": _ms(self.created),
            "created": _ms(self.created),
            "buildingAt": _ms(self.created),
            "ready": _ms(self.ready) if self.ready else None,
            "errorCode": self.error_code,
            "errorMessage": self.error_message,
            "inspectorUrl": f"https://vercel.com/sandbox/{project.name}/{self.id[4:]}",
            "creator": {"uid": "sandbox", "username": "sandbox"},
            "meta": {
                "githubCommitSha": self.commit_sha,
                "githubCommitRef": "main",
                "githubCommitMessage": self.message,
            },
        }


@dataclass
class SandboxProject:
    id: str = "prj_sandboxshop0001"
    name: str = "shop"
    production: str | None = None


class SandboxVercel:
    """The team's state, the HTTP app that serves it, and the webhooks it owes the agent."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        token: str = "sandbox-token",  # noqa: S107 (the sandbox is local and fake)
        project: str = "shop",
        build_seconds: float = 90,
    ) -> None:
        self.now = clock
        self.token = token
        self.project = SandboxProject(name=project)
        self.build_seconds = build_seconds
        self.deployments: dict[str, SandboxDeployment] = {}
        self.outbox: list[dict[str, Any]] = []  # webhook envelopes not yet delivered
        self._seq = 0
        self._salt = uuid.uuid4().hex  # ids unique to this sandbox, whatever ran before
        self.healthy = True  # what the shop's /health says; the flapping scenario toggles it
        self.app = self._build_app()

    # --- what a developer does ---

    def push(self, message: str, behaviour: Behaviour = HEALTHY, *, sha: str | None = None) -> str:
        """A push to the production branch: Vercel starts a production deployment."""
        sha = sha or hashlib.sha256(f"{self._salt}{message}{self._seq}".encode()).hexdigest()[:40]
        return self._create(sha, message, "production", behaviour).id

    def live(self) -> SandboxDeployment | None:
        """The deployment serving production now."""
        return self.deployments.get(self.project.production or "")

    # --- time passes ---

    def advance(self) -> None:
        """Finish the builds whose time has come, as of the clock, and queue their webhooks."""
        now = self.now()
        for d in list(self.deployments.values()):
            if d.state != "BUILDING" or now - d.created < timedelta(seconds=self.build_seconds):
                continue
            done_at = d.created + timedelta(seconds=self.build_seconds)
            fails = d.behaviour.build == "code" or (
                d.behaviour.build == "transient" and d.redeploy_of is None
            )
            if fails:
                d.state = "ERROR"
                transient = d.behaviour.build == "transient"
                d.error_code = "BUILD_FAILED"
                d.error_message = (
                    "npm ERR! network request to https://registry.npmjs.org/next failed, "
                    "reason: read ECONNRESET"
                    if transient
                    else "Type error: Property 'price' does not exist on type 'Item'."
                )
                d.log += [*d.behaviour.build_log, d.error_message, "Error: Command exited with 1"]
                self._emit("deployment.error", d, done_at)
            else:
                d.state, d.ready = "READY", done_at
                d.log.append("Build Completed in /vercel/output")
                self._emit("deployment.succeeded", d, done_at)
                if d.target == "production":
                    self.project.production = d.id
                    self._emit("deployment.promoted", d, done_at)

    # --- internals ---

    def _create(
        self,
        sha: str,
        message: str,
        target: str | None,
        behaviour: Behaviour,
        of: str | None = None,
    ) -> SandboxDeployment:
        self._seq += 1
        digest = hashlib.sha256(f"{self._salt}{sha}{self._seq}".encode()).hexdigest()[:24]
        d = SandboxDeployment(
            id=f"dpl_{digest}",
            commit_sha=sha,
            message=message,
            target=target,
            behaviour=behaviour,
            created=self.now(),
            redeploy_of=of,
            log=["Cloning github.com/sandbox/shop (Branch: main)", 'Running "npm run build"'],
        )
        self.deployments[d.id] = d
        self._emit("deployment.created", d, d.created)
        return d

    def _emit(self, type_: str, d: SandboxDeployment, at: datetime) -> None:
        self.outbox.append(
            {
                "id": f"uev_{type_.replace('.', '_')}_{d.id}",
                "type": type_,
                "createdAt": _ms(at),
                "region": "iad1",
                "payload": {
                    "team": {"id": "team_sandbox"},
                    "user": {"id": "sandbox"},
                    "deployment": {
                        "id": d.id,
                        "name": self.project.name,
                        "url": d.as_json(self.project)["url"],
                        "meta": d.as_json(self.project)["meta"],
                    },
                    "links": {
                        "deployment": d.as_json(self.project)["inspectorUrl"],
                        "project": f"https://vercel.com/sandbox/{self.project.name}",
                    },
                    "target": d.target,
                    "project": {"id": self.project.id},
                    "plan": "hobby",
                    "regions": ["iad1"],
                },
            }
        )

    def _project_json(self) -> dict[str, Any]:
        live = self.live()
        return {
            "id": self.project.id,
            "name": self.project.name,
            "link": {
                "type": "github",
                "repo": "shop",
                "org": "sandbox",
                "repoId": 424242,
                "productionBranch": "main",
            },
            "targets": {"production": live.as_json(self.project) if live else None},
        }

    def _build_app(self) -> FastAPI:
        app = FastAPI(title="Vercel sandbox", openapi_url=None, docs_url=None, redoc_url=None)

        def error(status: int, code: str, message: str) -> JSONResponse:
            return JSONResponse({"error": {"code": code, "message": message}}, status)

        @app.middleware("http")
        async def auth(request: Request, call_next: Any) -> Any:
            if request.url.path == "/health":
                return await call_next(request)
            if request.headers.get("authorization") != f"Bearer {self.token}":
                return error(403, "forbidden", "Not authorized")
            return await call_next(request)

        def project_or_404(id_or_name: str) -> SandboxProject | None:
            return self.project if id_or_name in (self.project.id, self.project.name) else None

        def find(id_or_url: str) -> SandboxDeployment | None:
            for d in self.deployments.values():
                if id_or_url in (d.id, d.as_json(self.project)["url"]):
                    return d
            return None

        @app.get("/v9/projects/{id_or_name}")
        async def get_project(id_or_name: str) -> Any:
            if project_or_404(id_or_name) is None:
                return error(404, "not_found", "Project not found")
            return self._project_json()

        @app.post("/v13/deployments")
        async def create(request: Request) -> Any:
            body = await request.json()
            target = body.get("target")
            if body.get("deploymentId"):
                source = find(body["deploymentId"])
                if source is None:
                    return error(404, "not_found", "Deployment not found")
                d = self._create(
                    source.commit_sha, source.message, target, source.behaviour, of=source.id
                )
            elif body.get("gitSource"):
                ref = body["gitSource"].get("ref") or "main"
                head = max(self.deployments.values(), key=lambda x: x.created, default=None)
                behaviour = head.behaviour if head else HEALTHY
                sha = head.commit_sha if head else hashlib.sha256(ref.encode()).hexdigest()[:40]
                d = self._create(sha, f"deploy {ref}", target, behaviour)
            else:
                return error(400, "bad_request", "gitSource or deploymentId is required")
            return d.as_json(self.project)

        @app.get("/v13/deployments/{id_or_url}")
        async def get_deployment(id_or_url: str) -> Any:
            d = find(id_or_url)
            return (
                error(404, "not_found", "Deployment not found")
                if d is None
                else d.as_json(self.project)
            )

        @app.get("/v6/deployments")
        async def list_deployments(request: Request) -> Any:
            q = request.query_params
            rows = sorted(self.deployments.values(), key=lambda d: d.created, reverse=True)
            if q.get("target"):
                rows = [d for d in rows if d.target == q["target"]]
            if q.get("state"):
                rows = [d for d in rows if d.state in q["state"].split(",")]
            if q.get("until"):
                rows = [d for d in rows if _ms(d.created) < int(q["until"])]
            limit = int(q.get("limit") or 20)
            page = rows[:limit]
            more = len(rows) > limit
            return {
                "deployments": [d.as_json(self.project) for d in page],
                "pagination": {
                    "count": len(page),
                    "next": _ms(page[-1].created) if more and page else None,
                    "prev": None,
                },
            }

        @app.get("/v3/deployments/{id_or_url}/events")
        async def events(id_or_url: str) -> Any:
            d = find(id_or_url)
            if d is None:
                return error(404, "not_found", "Deployment not found")
            return [
                {"type": "stdout", "created": _ms(d.created) + i, "payload": {"text": line}}
                for i, line in enumerate(d.log)
            ]

        @app.get("/v2/deployments/{id}/aliases")
        async def aliases(id: str) -> Any:
            return {"aliases": []}

        @app.patch("/v12/deployments/{id}/cancel")
        async def cancel(id: str) -> Any:
            d = find(id)
            if d is None:
                return error(404, "not_found", "Deployment not found")
            if d.state == "BUILDING":
                d.state = "CANCELED"
                self._emit("deployment.canceled", d, self.now())
            return d.as_json(self.project)

        async def move(project: str, deployment: str) -> Any:
            d = find(deployment)
            if project_or_404(project) is None or d is None:
                return error(404, "not_found", "Not found")
            if d.state != "READY" or d.target != "production":
                return error(400, "bad_request", "only READY production deployments")
            self.project.production = d.id
            self._emit("deployment.promoted", d, self.now())
            return JSONResponse({}, 201)

        @app.post("/v1/projects/{project}/rollback/{deployment}")
        async def rollback(project: str, deployment: str) -> Any:
            return await move(project, deployment)

        @app.post("/v10/projects/{project}/promote/{deployment}")
        async def promote(project: str, deployment: str) -> Any:
            return await move(project, deployment)

        @app.get("/health")
        async def health() -> Any:
            # Not Vercel's: the shop's own health endpoint, which the flapping scenario toggles.
            up = self.healthy
            return JSONResponse({"status": "UP" if up else "DOWN"}, 200 if up else 503)

        return app
