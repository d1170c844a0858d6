"""Vercel payloads as pydantic models.

Every model ignores fields it does not know, so a field Vercel adds tomorrow breaks nothing.
Timestamps arrive as epoch milliseconds and leave as aware datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, SecretStr


def _from_ms(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    return value


Millis = Annotated[datetime, BeforeValidator(_from_ms)]


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds, as Vercel's query parameters take them."""
    return int(moment.timestamp() * 1000)


class VercelModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)


class DeploymentState(StrEnum):
    QUEUED = "QUEUED"
    INITIALIZING = "INITIALIZING"
    BUILDING = "BUILDING"
    READY = "READY"
    ERROR = "ERROR"
    CANCELED = "CANCELED"
    BLOCKED = "BLOCKED"
    DELETED = "DELETED"

    @property
    def final(self) -> bool:
        """Whether the deployment can no longer change state."""
        return self in FINAL_STATES


FINAL_STATES = frozenset(
    {
        DeploymentState.READY,
        DeploymentState.ERROR,
        DeploymentState.CANCELED,
        DeploymentState.DELETED,
        # Blocked (by checks, a seat block, a protection rule) stays so until a person acts:
        # nothing the agent waits for will change it.
        DeploymentState.BLOCKED,
    }
)


class Creator(VercelModel):
    uid: str | None = None
    username: str | None = None
    email: str | None = None

    @property
    def name(self) -> str | None:
        """Who created it, spelled as webhooks spell it (`payload.user.id` is the uid), so a
        fact reads the same whichever way it came."""
        return self.uid or self.username


class ProjectRef(VercelModel):
    """`project` on the short (public) form of `GET /v13/deployments/{id}`."""

    id: str
    name: str | None = None


class Deployment(VercelModel):
    """A deployment, from `GET /v13/deployments/{id}` (long or short form) or an item of
    `GET /v6/deployments` (`uid`, `created`, `state`)."""

    id: str = Field(validation_alias=AliasChoices("id", "uid"))
    name: str | None = None
    url: str | None = None
    state: DeploymentState | None = Field(
        default=None, validation_alias=AliasChoices("readyState", "state")
    )
    target: str | None = None
    project_id_field: str | None = Field(default=None, validation_alias="projectId")
    project: ProjectRef | None = None
    created_at: Millis | None = Field(
        default=None, validation_alias=AliasChoices("createdAt", "created")
    )
    building_at: Millis | None = Field(default=None, validation_alias="buildingAt")
    ready_at: Millis | None = Field(default=None, validation_alias="ready")
    error_code: str | None = Field(default=None, validation_alias="errorCode")
    error_message: str | None = Field(default=None, validation_alias="errorMessage")
    inspector_url: str | None = Field(default=None, validation_alias="inspectorUrl")
    alias: list[str] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)
    creator: Creator | None = None
    ready_substate: str | None = Field(default=None, validation_alias="readySubstate")
    custom_environment: dict[str, Any] | None = Field(
        default=None, validation_alias="customEnvironment"
    )
    build_error_at: Millis | None = Field(default=None, validation_alias="buildErrorAt")
    canceled_at: Millis | None = Field(default=None, validation_alias="canceledAt")
    is_rollback_candidate: bool | None = Field(default=None, validation_alias="isRollbackCandidate")

    @property
    def project_id(self) -> str | None:
        """`projectId` on the long form and list items; `project.id` on the short form."""
        return self.project_id_field or (self.project.id if self.project else None)

    @property
    def custom_environment_id(self) -> str | None:
        value = (self.custom_environment or {}).get("id")
        return value if isinstance(value, str) and value else None

    @property
    def custom_environment_slug(self) -> str | None:
        """The slug, when Vercel sent one: a deployment may carry only `customEnvironment.id`."""
        value = (self.custom_environment or {}).get("slug")
        return value if isinstance(value, str) and value else None

    @property
    def ended_at(self) -> datetime | None:
        """When the deployment reached its final state, by Vercel's own clock."""
        if self.state is DeploymentState.READY:
            return self.ready_at
        if self.state is DeploymentState.ERROR:
            return self.build_error_at
        if self.state is DeploymentState.CANCELED:
            return self.canceled_at
        return None

    @property
    def branch(self) -> str | None:
        """The git branch it was built from, when Vercel knows it."""
        return _git_meta(self.meta, "CommitRef")

    @property
    def commit_sha(self) -> str | None:
        return _git_meta(self.meta, "CommitSha")

    @property
    def commit_message(self) -> str | None:
        return _git_meta(self.meta, "CommitMessage")


def _git_meta(meta: dict[str, Any], suffix: str) -> str | None:
    for provider in ("github", "gitlab", "bitbucket"):
        value = meta.get(provider + suffix)
        if isinstance(value, str) and value:
            return value
    return None


class Pagination(VercelModel):
    count: int = 0
    next: int | None = None
    prev: int | None = None


class DeploymentPage(VercelModel):
    deployments: list[Deployment] = Field(default_factory=list)
    pagination: Pagination = Field(default_factory=Pagination)


class BuildEvent(VercelModel):
    """One line or state change of a build, from `GET /v3/deployments/{id}/events`: nested
    (`{type, created, payload: {text, ...}}`) or flat (`{type, created, text, ...}`)."""

    type: str
    created: Millis | None = None
    payload: dict[str, Any] = Field(default_factory=dict)
    text_field: str | None = Field(default=None, validation_alias="text")
    info: dict[str, Any] = Field(default_factory=dict)

    @property
    def text(self) -> str:
        """The log line, wherever this version of the API put it."""
        value = self.payload.get("text") or self.text_field or ""
        return str(value)


GitProvider = Literal["github", "github-limited", "github-custom-host", "gitlab", "bitbucket"]


class GitLink(VercelModel):
    """A project's `link`, one variant per provider (SDK `GetProjectsLink*`): GitHub and
    github-limited carry `org`, `repo`, `repoId`; GitLab `projectId`, `projectNamespace`;
    Bitbucket `owner`, `slug`, `uuid` (the repository's), `workspaceUuid`."""

    type: str | None = None
    repo: str | None = None
    repo_id: int | str | None = Field(default=None, validation_alias="repoId")
    org: str | None = None
    gitlab_project_id: str | int | None = Field(default=None, validation_alias="projectId")
    owner: str | None = None
    slug: str | None = None
    uuid: str | None = None
    workspace_uuid: str | None = Field(default=None, validation_alias="workspaceUuid")
    production_branch: str | None = Field(default=None, validation_alias="productionBranch")


class AliasJob(VercelModel):
    """`lastAliasRequest`: the promote or rollback Vercel is carrying out, or last did."""

    from_deployment_id: str | None = Field(default=None, validation_alias="fromDeploymentId")
    to_deployment_id: str = Field(validation_alias="toDeploymentId")
    job_status: Literal["succeeded", "failed", "skipped", "pending", "in-progress"] = Field(
        validation_alias="jobStatus"
    )
    requested_at: Millis = Field(validation_alias="requestedAt")
    type: Literal["promote", "rollback"]

    @property
    def finished(self) -> bool:
        return self.job_status in ("succeeded", "failed", "skipped")


class Project(VercelModel):
    """The parts of `GET /v9/projects/{idOrName}` the agent uses."""

    id: str
    name: str
    link: GitLink | None = None
    targets: dict[str, Deployment | None] = Field(default_factory=dict)
    last_alias_request: AliasJob | None = Field(default=None, validation_alias="lastAliasRequest")
    last_rollback_target: dict[str, Any] | None = Field(
        default=None, validation_alias="lastRollbackTarget"
    )

    @property
    def production_deployment_id(self) -> str | None:
        """The deployment currently serving production, as far as Vercel's project says."""
        prod = self.targets.get("production")
        return prod.id if prod else None

    @property
    def production_pinned(self) -> bool:
        """Whether an instant rollback left production pinned: Vercel then stops assigning
        production domains to new production builds until something is promoted. Vercel
        exposes this only as the last alias job being a rollback (the SDK documents no flag
        of its own), which is what its dashboard and CLI read too."""
        job = self.last_alias_request
        return job is not None and job.type == "rollback" and job.job_status != "failed"


EnvType = Literal["system", "encrypted", "plain", "sensitive"]


class EnvVar(VercelModel):
    """A project environment variable. `value` is a SecretStr: it never prints or logs."""

    id: str | None = None
    key: str
    value: SecretStr | None = None
    type: str | None = None
    target: list[str] | str | None = None
    git_branch: str | None = Field(default=None, validation_alias="gitBranch")
    custom_environment_ids: list[str] = Field(
        default_factory=list, validation_alias="customEnvironmentIds"
    )
    comment: str | None = None
    updated_at: Millis | None = Field(default=None, validation_alias="updatedAt")

    @property
    def targets(self) -> list[str]:
        if self.target is None:
            return []
        return [self.target] if isinstance(self.target, str) else list(self.target)


class CustomEnvironment(VercelModel):
    id: str
    slug: str
    type: str | None = None
    description: str | None = None
    branch_matcher: dict[str, Any] | None = Field(default=None, validation_alias="branchMatcher")


class Alias(VercelModel):
    uid: str | None = None
    alias: str
    created: Millis | None = None
    redirect: str | None = None


class WebhookEvent(VercelModel):
    """The envelope of every Vercel webhook delivery."""

    id: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=200)
    created_at: Millis = Field(validation_alias="createdAt")
    region: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict)


class RuntimeLog(VercelModel):
    """One row of a deployment's runtime logs (`GET /v1/projects/{projectId}/deployments/
    {deploymentId}/runtime-logs`): what every plan can read without drains."""

    level: str
    message: str = ""
    row_id: str = Field(validation_alias="rowId")
    source: str
    timestamp: Millis = Field(validation_alias="timestampInMs")
    domain: str | None = None
    message_truncated: bool = Field(default=False, validation_alias="messageTruncated")
    request_method: str | None = Field(default=None, validation_alias="requestMethod")
    request_path: str | None = Field(default=None, validation_alias="requestPath")
    response_status_code: int | None = Field(default=None, validation_alias="responseStatusCode")
