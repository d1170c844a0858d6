"""An async client for the parts of Vercel's REST API the agent needs.

Every call is scoped to the configured team, retried with backoff on 429 and 5xx (honouring
`Retry-After` and `X-RateLimit-Reset`), bounded by a timeout, and turns Vercel's error body
into a typed `VercelError`. Calls that are not safe to repeat (creating a deployment) are
retried only when Vercel certainly did not act on them: 429, or a connection that never opened.
Request bodies are never logged, so environment variable values cannot leak through logs.
"""

from __future__ import annotations

import asyncio
import json as json_lib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Self
from urllib.parse import quote

import httpx

from ops_agent.errors import NotConfigured
from ops_agent.retry import RETRY_STATUSES, backoff_delay, server_delay
from ops_agent.vercel.errors import EnvWriteFailed, VercelError, VercelRateLimited, error_class
from ops_agent.vercel.models import (
    Alias,
    AliasJob,
    BuildEvent,
    CustomEnvironment,
    Deployment,
    DeploymentPage,
    EnvType,
    EnvVar,
    Project,
    RuntimeLog,
    to_ms,
)

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.vercel.com"
_IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "PATCH"})
# What the SDK sends for build events: JSON preferred, NDJSON accepted.
EVENTS_ACCEPT = "application/json;q=1, application/stream+json;q=0"
Sleep = Callable[[float], Awaitable[None]]


def _segment(value: str) -> str:
    """A path segment, escaped so that an id can never change the path."""
    return quote(value, safe="")


class VercelClient:
    """Vercel REST API client. Use as an async context manager, or call `aclose()`."""

    def __init__(
        self,
        token: str,
        *,
        team_id: str | None = None,
        team_slug: str | None = None,
        base_url: str = DEFAULT_API_URL,
        timeout: float = 15.0,
        max_retries: int = 3,
        max_retry_wait: float = 20.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not token:
            raise NotConfigured(
                "a Vercel token is required (VERCEL_TOKEN)", code="vercel_not_configured"
            )
        self._scope: dict[str, str] = {}
        if team_id:
            self._scope["teamId"] = team_id
        elif team_slug:
            self._scope["slug"] = team_slug
        self._max_retries = max_retries
        self._max_retry_wait = max_retry_wait
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "User-Agent": "ops-agent"},
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- transport ---

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        accept: str = "application/json",
    ) -> Any:
        """Send one API call (with retries) and return its decoded body, or None. A JSON body
        is decoded; an `application/stream+json` (NDJSON) body becomes a list of its values."""
        safe_to_repeat = method in _IDEMPOTENT if idempotent is None else idempotent
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        query.update(self._scope)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._http.request(
                    method, path, params=query, json=json, headers={"Accept": accept}
                )
            except httpx.TimeoutException as exc:
                # A request that timed out may have been acted on; only repeat safe ones.
                error: VercelError = error_class(0)(
                    f"timed out: {type(exc).__name__}", code="timeout", method=method, path=path
                )
                if not safe_to_repeat or attempt > self._max_retries:
                    raise error from exc
                await self._sleep(backoff_delay(attempt))
                continue
            except httpx.TransportError as exc:
                error = error_class(0)(
                    f"could not reach Vercel: {type(exc).__name__}",
                    code="unreachable",
                    method=method,
                    path=path,
                )
                never_sent = isinstance(exc, httpx.ConnectError)
                if not (safe_to_repeat or never_sent) or attempt > self._max_retries:
                    raise error from exc
                await self._sleep(backoff_delay(attempt))
                continue
            log.debug("vercel %s %s -> %s", method, path, response.status_code)
            if response.is_success:
                return _decode(response)
            error = _error_from(response, method, path)
            retryable = response.status_code == 429 or (
                safe_to_repeat and response.status_code in RETRY_STATUSES
            )
            if not retryable or attempt > self._max_retries:
                raise error
            wait = server_delay(response.headers, time.time())
            if wait is not None and wait > self._max_retry_wait:
                # Waiting that long would outlive the function; tell the caller when to come back.
                raise VercelRateLimited(
                    f"{error.message} (Vercel asks to wait {wait:.0f}s)",
                    status=response.status_code,
                    code=error.code,
                    method=method,
                    path=path,
                ) from None
            delay = backoff_delay(attempt, server=wait)
            log.info(
                "vercel %s %s answered %s; retry %d in %.1fs",
                method,
                path,
                response.status_code,
                attempt,
                delay,
            )
            await self._sleep(delay)

    # --- deployments ---

    async def create_deployment(
        self,
        *,
        name: str,
        project: str | None = None,
        target: str | None = None,
        git_source: dict[str, Any] | None = None,
        deployment_id: str | None = None,
        custom_environment: str | None = None,
        meta: dict[str, str] | None = None,
    ) -> Deployment:
        """`POST /v13/deployments`: build `git_source`, or redeploy `deployment_id`.

        `target` is "production" or None (preview); a custom environment goes by slug or id.
        """
        if (git_source is None) == (deployment_id is None):
            raise ValueError("pass exactly one of git_source and deployment_id")
        body: dict[str, Any] = {"name": name}
        if project:
            body["project"] = project
        if target:
            body["target"] = target
        if custom_environment:
            body["customEnvironmentSlugOrId"] = custom_environment
        if git_source is not None:
            body["gitSource"] = git_source
        if deployment_id is not None:
            body["deploymentId"] = deployment_id
        if meta:
            body["meta"] = meta
        data = await self.request(
            "POST", "/v13/deployments", params={"forceNew": 1}, json=body, idempotent=False
        )
        return Deployment.model_validate(data)

    async def get_deployment(self, id_or_url: str) -> Deployment:
        """`GET /v13/deployments/{idOrUrl}`."""
        data = await self.request("GET", f"/v13/deployments/{_segment(id_or_url)}")
        return Deployment.model_validate(data)

    async def list_deployments(
        self,
        *,
        project_id: str | None = None,
        target: str | None = None,
        state: str | Sequence[str] | None = None,
        since: datetime | None = None,
        until: datetime | int | None = None,
        branch: str | None = None,
        limit: int = 20,
    ) -> DeploymentPage:
        """`GET /v6/deployments`: one page, newest first. `until` takes a `pagination.next`."""
        states = ",".join(state) if isinstance(state, list | tuple) else state
        params = {
            "projectId": project_id,
            "target": target,
            "state": states,
            "since": to_ms(since) if since else None,
            "until": to_ms(until) if isinstance(until, datetime) else until,
            "branch": branch,
            "limit": max(1, min(limit, 100)),
        }
        data = await self.request("GET", "/v6/deployments", params=params)
        return DeploymentPage.model_validate(data)

    async def iter_deployments(
        self, *, max_items: int = 1000, page_size: int = 100, **filters: Any
    ) -> AsyncIterator[Deployment]:
        """Every deployment matching `filters`, newest first, following `pagination.next`."""
        until = filters.pop("until", None)
        seen = 0
        while seen < max_items:
            page = await self.list_deployments(
                until=until, limit=min(page_size, max_items - seen), **filters
            )
            for deployment in page.deployments:
                yield deployment
                seen += 1
            if page.pagination.next is None or not page.deployments:
                return
            until = page.pagination.next

    async def cancel_deployment(self, deployment_id: str) -> Deployment:
        """`PATCH /v12/deployments/{id}/cancel`."""
        data = await self.request("PATCH", f"/v12/deployments/{_segment(deployment_id)}/cancel")
        return Deployment.model_validate(data)

    async def build_events(
        self,
        id_or_url: str,
        *,
        since: datetime | None = None,
        limit: int = -1,
        direction: str = "forward",
    ) -> list[BuildEvent]:
        """`GET /v3/deployments/{idOrUrl}/events` without following: the build log so far."""
        params = {
            "follow": 0,
            "limit": limit,
            "direction": direction,
            "since": to_ms(since) if since else None,
        }
        data = await self.request(
            "GET",
            f"/v3/deployments/{_segment(id_or_url)}/events",
            params=params,
            accept=EVENTS_ACCEPT,
        )
        items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        # The SDK types items as nullable: a null is a gap in the stream, not an event.
        return [BuildEvent.model_validate(item) for item in items if isinstance(item, dict)]

    async def runtime_logs(
        self,
        project_id: str,
        deployment_id: str,
        *,
        max_rows: int = 10_000,
        max_seconds: float = 10.0,
    ) -> list[RuntimeLog]:
        """`GET /v1/projects/{projectId}/deployments/{deploymentId}/runtime-logs`: the rows
        Vercel streams (`application/stream+json`), read until the stream ends, `max_rows`
        rows or `max_seconds` (Vercel may hold the stream open to follow new rows). Lines are
        split on "\\n" only; a row that does not parse is skipped."""
        path = (
            f"/v1/projects/{_segment(project_id)}/deployments/{_segment(deployment_id)}"
            "/runtime-logs"
        )
        rows: list[RuntimeLog] = []
        pending = b""
        deadline = time.monotonic() + max_seconds
        try:
            async with self._http.stream(
                "GET",
                path,
                params=dict(self._scope),
                headers={"Accept": "application/stream+json"},
            ) as response:
                if not response.is_success:
                    await response.aread()
                    raise _error_from(response, "GET", path)
                async for chunk in response.aiter_bytes():
                    pending += chunk
                    *lines, pending = pending.split(b"\n")
                    rows += _runtime_rows(lines)
                    if len(rows) >= max_rows or time.monotonic() > deadline:
                        return rows[:max_rows]
        except httpx.TimeoutException:
            return rows  # a followed stream that went quiet: what came is what there is
        except httpx.TransportError as exc:
            raise error_class(0)(
                f"could not reach Vercel: {type(exc).__name__}",
                code="unreachable",
                method="GET",
                path=path,
            ) from exc
        return (rows + _runtime_rows([pending]))[:max_rows]

    async def list_aliases(self, deployment_id: str) -> list[Alias]:
        """`GET /v2/deployments/{id}/aliases`."""
        data = await self.request("GET", f"/v2/deployments/{_segment(deployment_id)}/aliases")
        return [Alias.model_validate(a) for a in (data or {}).get("aliases", [])]

    # --- projects: rollback, promote, env, custom environments ---

    async def get_project(self, id_or_name: str) -> Project:
        """`GET /v9/projects/{idOrName}`."""
        data = await self.request("GET", f"/v9/projects/{_segment(id_or_name)}")
        return Project.model_validate(data)

    async def rollback(
        self, project_id: str, deployment_id: str, *, description: str | None = None
    ) -> None:
        """`POST /v1/projects/{projectId}/rollback/{deploymentId}`: ask Vercel to point
        production at an earlier production deployment without rebuilding (instant rollback).
        Vercel answers 201 or 202 and does the job asynchronously: `wait_for_alias_job`."""
        await self.request(
            "POST",
            f"/v1/projects/{_segment(project_id)}/rollback/{_segment(deployment_id)}",
            params={"description": description[:500] if description else None},
            idempotent=True,  # pointing production at the same deployment twice is harmless
        )

    async def promote(self, project_id: str, deployment_id: str) -> None:
        """`POST /v10/projects/{projectId}/promote/{deploymentId}`: ask Vercel to serve this
        production deployment on production without rebuilding it (201 or 202; the job runs
        asynchronously: `wait_for_alias_job`). A non-production deployment must be rebuilt for
        production instead (`create_deployment(deployment_id=..., target="production")`)."""
        await self.request(
            "POST",
            f"/v10/projects/{_segment(project_id)}/promote/{_segment(deployment_id)}",
            idempotent=True,
        )

    async def wait_for_alias_job(
        self,
        project_id: str,
        deployment_id: str,
        *,
        timeout: float = 120.0,
        poll_interval: float = 2.0,
    ) -> tuple[Project, AliasJob | None]:
        """Poll the project until its `lastAliasRequest` for `deployment_id` has finished, or
        `timeout` seconds of polling have passed; return the project as last read and the job
        (None when Vercel shows no job for that deployment)."""
        waited = 0.0
        while True:
            project = await self.get_project(project_id)
            job = project.last_alias_request
            if job is not None and job.to_deployment_id != deployment_id:
                job = None
            if job is None or job.finished or waited >= timeout:
                return project, job
            await self._sleep(poll_interval)
            waited += poll_interval

    async def list_env(
        self,
        project: str,
        *,
        git_branch: str | None = None,
        custom_environment_id: str | None = None,
    ) -> list[EnvVar]:
        """`GET /v10/projects/{idOrName}/env`, without values (the `decrypt` flag is
        deprecated): read one value with `get_env_value`."""
        params = {"gitBranch": git_branch, "customEnvironmentId": custom_environment_id}
        data = await self.request("GET", f"/v10/projects/{_segment(project)}/env", params=params)
        return [EnvVar.model_validate(e) for e in (data or {}).get("envs", [])]

    async def get_env_value(self, project: str, env_id: str) -> EnvVar:
        """`GET /v1/projects/{idOrName}/env/{id}`: one variable with its decrypted value (as a
        SecretStr). Sensitive variables never come back with a value."""
        data = await self.request("GET", f"/v1/projects/{_segment(project)}/env/{_segment(env_id)}")
        return EnvVar.model_validate(data)

    async def upsert_env(
        self,
        project: str,
        *,
        key: str,
        value: str,
        targets: Sequence[str] = (),
        type: EnvType = "encrypted",
        git_branch: str | None = None,
        custom_environment_ids: Sequence[str] = (),
        comment: str | None = None,
    ) -> EnvVar:
        """`POST /v10/projects/{idOrName}/env?upsert=true`: create or overwrite one variable.

        Vercel answers 201 even when it could not write the variable: `failed[]` then says
        why. Raises `EnvWriteFailed` when anything failed or nothing was created."""
        if not targets and not custom_environment_ids:
            raise ValueError("a variable needs targets or custom environment ids")
        body: dict[str, Any] = {"key": key, "value": value, "type": type}
        if targets:
            body["target"] = list(targets)
        if custom_environment_ids:
            body["customEnvironmentIds"] = list(custom_environment_ids)
        if git_branch:
            body["gitBranch"] = git_branch
        if comment:
            body["comment"] = comment
        data = await self.request(
            "POST",
            f"/v10/projects/{_segment(project)}/env",
            params={"upsert": "true"},
            json=body,
            idempotent=True,
        )
        body_out = data if isinstance(data, dict) else {}
        failed = [f for f in body_out.get("failed") or [] if isinstance(f, dict)]
        created = body_out.get("created")
        if isinstance(created, list):
            created = created[0] if created else None
        if failed or not isinstance(created, dict) or not created:
            reasons = "; ".join(
                str((f.get("error") or {}).get("message") or (f.get("error") or {}).get("code"))
                for f in failed
            )
            code = (
                str((failed[0].get("error") or {}).get("code") or "env_failed")
                if failed
                else ("env_not_created")
            )
            raise EnvWriteFailed(
                f"Vercel did not write {key}: {reasons or 'nothing was created'}",
                status=201,
                code=code,
                method="POST",
                path=f"/v10/projects/{project}/env",
            )
        result = EnvVar.model_validate({"key": key, "type": type, **created})
        return result.model_copy(update={"value": None})

    async def remove_env(
        self, project: str, env_id: str, *, custom_environment_id: str | None = None
    ) -> None:
        """`DELETE /v9/projects/{idOrName}/env/{id}`: remove one variable."""
        await self.request(
            "DELETE",
            f"/v9/projects/{_segment(project)}/env/{_segment(env_id)}",
            params={"customEnvironmentId": custom_environment_id},
        )

    async def list_custom_environments(self, project: str) -> list[CustomEnvironment]:
        """`GET /v9/projects/{idOrName}/custom-environments`."""
        data = await self.request("GET", f"/v9/projects/{_segment(project)}/custom-environments")
        items = (data or {}).get("environments", [])
        return [CustomEnvironment.model_validate(e) for e in items]


def _decode(response: httpx.Response) -> Any:
    if not response.content:
        return None
    if "stream+json" in response.headers.get("content-type", ""):
        # NDJSON: one value per line; only "\n" separates lines (U+2028 may sit in a string).
        return [json_lib.loads(line) for line in response.text.split("\n") if line.strip()]
    return response.json()


def _runtime_rows(lines: list[bytes]) -> list[RuntimeLog]:
    out = []
    for line in lines:
        if not line.strip():
            continue
        try:
            out.append(RuntimeLog.model_validate(json_lib.loads(line)))
        except ValueError:
            log.warning("skipped a runtime log row that does not parse")
    return out


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return "1" if value else "0"
    return value


def _error_from(response: httpx.Response, method: str, path: str) -> VercelError:
    code = f"http_{response.status_code}"
    message = response.reason_phrase or "error"
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        err = body.get("error") or body.get("err")
        if isinstance(err, dict):
            code = str(err.get("code") or code)
            message = str(err.get("message") or message)
        elif isinstance(err, str):
            message = err
    elif response.text:
        message = response.text[:300]
    return error_class(response.status_code)(
        message, status=response.status_code, code=code, method=method, path=path
    )
