"""Vercel's published contract for every answer the agent reads, as one checker.

Transcribed from Vercel's official SDK (`vercel/sdk`, generated from Vercel's OpenAPI spec):
`src/funcs/*.ts` for each operation's method, path and success statuses, `src/models/*.ts` for
the bodies. Each model lists a subset of the SDK's fields (the ones this project produces or
reads), with the SDK's required fields required and its enums closed, and forbids every other
field: the local double (`ops_agent.sandbox.vercel`) is checked against it on every answer and
so cannot answer in a shape Vercel never uses, and the test fixtures are checked against it
before the client reads them. Real Vercel answers carry many more fields; the client's own
models (`ops_agent.vercel.models`) ignore what they do not know.

Where the SDK is silent (how long a promote job takes, what a double's ids look like), the
double says so where it decides.
"""

# ruff: noqa: N815 (the field names are Vercel's wire names: the contract itself)

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

Ms = Annotated[StrictInt, Field(ge=0)]
ReadyState = Literal["QUEUED", "BUILDING", "ERROR", "INITIALIZING", "READY", "CANCELED", "BLOCKED"]
ReadySubstate = Literal["STAGED", "ROLLING", "PROMOTED"]
Target = Literal["production", "staging"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# --- deployments (src/models/getdeploymentop.ts, createdeploymentop.ts) ---


class Creator(Strict):
    uid: StrictStr
    username: StrictStr | None = None
    avatar: StrictStr | None = None


class CustomEnvironmentRef(Strict):
    """`customEnvironment` on a deployment: `{id}` alone, or with the environment's details."""

    id: StrictStr
    slug: StrictStr | None = None
    type: Literal["production", "preview", "development"] | None = None
    description: StrictStr | None = None
    createdAt: Ms | None = None
    updatedAt: Ms | None = None


class ProjectPublic(Strict):
    id: StrictStr
    name: StrictStr
    framework: StrictStr | None = None


class DeploymentShort(Strict):
    """`GetDeploymentResponseBody2`: the deployment with only public information."""

    alias: list[StrictStr] | None = None
    aliasAssigned: StrictBool
    bootedAt: Ms
    buildingAt: Ms
    buildSkipped: StrictBool
    creator: Creator
    public: StrictBool
    ready: Ms | None = None
    status: ReadyState
    customEnvironment: CustomEnvironmentRef | None = None
    id: StrictStr
    createdAt: Ms
    readyState: ReadyState
    name: StrictStr
    type: Literal["LAMBDAS"]
    buildErrorAt: Ms | None = None
    canceledAt: Ms | None = None
    errorCode: StrictStr | None = None
    errorMessage: StrictStr | None = None
    meta: dict[StrictStr, StrictStr]
    project: ProjectPublic | None = None
    readySubstate: ReadySubstate | None = None
    regions: list[StrictStr]
    source: StrictStr | None = None
    target: Target | None = None
    url: StrictStr
    version: Literal[2]


class DeploymentLong(DeploymentShort):
    """`GetDeploymentResponseBody1`: public and private information (what a token with access
    to the project gets, and what `POST /v13/deployments` and cancel answer)."""

    build: dict[Literal["env"], list[StrictStr]]
    env: list[StrictStr]
    inspectorUrl: StrictStr | None
    isInConcurrentBuildsQueue: StrictBool
    isInSystemBuildsQueue: StrictBool
    projectSettings: dict[StrictStr, Any]
    projectId: StrictStr
    plan: Literal["pro", "enterprise", "hobby"]
    createdIn: StrictStr
    ownerId: StrictStr
    routes: list[dict[str, Any]] | None


class ListCreator(Strict):
    uid: StrictStr
    email: StrictStr | None = None
    username: StrictStr | None = None
    githubLogin: StrictStr | None = None
    gitlabLogin: StrictStr | None = None


class ListCustomEnvironment(Strict):
    id: StrictStr
    slug: StrictStr | None = None


class DeploymentListItem(Strict):
    """An item of `GET /v6/deployments` (`src/models/getdeploymentsop.ts`, `Deployments`)."""

    uid: StrictStr
    name: StrictStr
    projectId: StrictStr
    url: StrictStr
    created: Ms
    state: (
        Literal[
            "BUILDING", "ERROR", "INITIALIZING", "QUEUED", "READY", "CANCELED", "DELETED", "BLOCKED"
        ]
        | None
    ) = None
    readyState: (
        Literal[
            "BUILDING", "ERROR", "INITIALIZING", "QUEUED", "READY", "CANCELED", "DELETED", "BLOCKED"
        ]
        | None
    ) = None
    type: Literal["LAMBDAS"]
    creator: ListCreator
    meta: dict[StrictStr, StrictStr] | None = None
    target: Target | None = None
    createdAt: Ms | None = None
    buildingAt: Ms | None = None
    ready: Ms | None = None
    readySubstate: ReadySubstate | None = None
    inspectorUrl: StrictStr | None
    errorCode: StrictStr | None = None
    errorMessage: StrictStr | None = None
    isRollbackCandidate: StrictBool | None = None
    customEnvironment: ListCustomEnvironment | None = None


class Pagination(Strict):
    count: StrictInt
    next: Ms | None
    prev: Ms | None


class DeploymentsPage(Strict):
    pagination: Pagination
    deployments: list[DeploymentListItem]


# --- build events (src/models/getdeploymenteventsop.ts) ---

EventType = Literal[
    "delimiter",
    "command",
    "stdout",
    "stderr",
    "exit",
    "deployment-state",
    "middleware",
    "middleware-invocation",
    "edge-function-invocation",
    "metric",
    "report",
    "fatal",
]


class EventInfo(Strict):
    type: StrictStr
    name: StrictStr
    entrypoint: StrictStr | None = None
    path: StrictStr | None = None
    step: StrictStr | None = None
    readyState: StrictStr | None = None


class EventPayload(Strict):
    deploymentId: StrictStr
    info: EventInfo | None = None
    text: StrictStr | None = None
    id: StrictStr
    date: Ms
    serial: StrictStr
    created: Ms | None = None


class BuildEventNested(Strict):
    """`{type, created, payload: {...}}`."""

    type: EventType
    created: Ms
    payload: EventPayload


class BuildEventFlat(Strict):
    """`{type, created, text, ...}` with the payload's fields at the top."""

    created: Ms
    date: Ms
    deploymentId: StrictStr
    id: StrictStr
    info: EventInfo
    serial: StrictStr
    text: StrictStr | None = None
    type: EventType
    level: Literal["error", "warning"] | None = None


BuildEvents = list[BuildEventNested | BuildEventFlat | None]


class AliasItem(Strict):
    uid: StrictStr
    alias: StrictStr
    created: StrictStr
    redirect: StrictStr | None = None


class Aliases(Strict):
    aliases: list[AliasItem]


# --- projects (src/models/getprojectsop.ts, createprojectop.ts) ---


class Link(Strict):
    """What every variant of a project's `link` carries."""

    deployHooks: list[dict[str, Any]]
    gitCredentialId: StrictStr | None = None
    productionBranch: StrictStr | None = None
    createdAt: Ms | None = None
    updatedAt: Ms | None = None
    sourceless: StrictBool | None = None


class LinkGithub(Link):
    type: Literal["github", "github-limited"]
    org: StrictStr | None = None
    repo: StrictStr | None = None
    repoId: StrictInt | None = None
    repoOwnerId: StrictInt | None = None


class LinkGitlab(Link):
    type: Literal["gitlab"]
    projectId: StrictStr | None = None
    projectName: StrictStr | None = None
    projectNameWithNamespace: StrictStr | None = None
    projectNamespace: StrictStr | None = None
    projectUrl: StrictStr | None = None


class LinkBitbucket(Link):
    type: Literal["bitbucket"]
    name: StrictStr | None = None
    slug: StrictStr | None = None
    owner: StrictStr | None = None
    uuid: StrictStr | None = None
    workspaceUuid: StrictStr | None = None


class LastAliasRequest(Strict):
    fromDeploymentId: StrictStr | None
    toDeploymentId: StrictStr
    jobStatus: Literal["succeeded", "failed", "skipped", "pending", "in-progress"]
    requestedAt: Ms
    type: Literal["promote", "rollback"]


class TargetCreator(Strict):
    email: StrictStr
    githubLogin: StrictStr | None = None
    gitlabLogin: StrictStr | None = None
    uid: StrictStr
    username: StrictStr


class ProjectTarget(Strict):
    """An entry of `targets` / `latestDeployments` on a project (SDK `Targets`)."""

    id: StrictStr
    alias: list[StrictStr] | None = None
    aliasAssigned: StrictInt | StrictBool | None = None
    builds: list[dict[str, Any]] | None = None
    createdAt: Ms
    createdIn: StrictStr
    creator: TargetCreator | None
    deploymentHostname: StrictStr
    name: StrictStr
    forced: StrictBool | None = None
    meta: dict[StrictStr, StrictStr] | None = None
    plan: Literal["pro", "enterprise", "hobby"]
    private: StrictBool
    readyState: ReadyState
    readySubstate: ReadySubstate | None = None
    requestedAt: Ms | None = None
    target: StrictStr | None = None
    type: Literal["LAMBDAS"]
    url: StrictStr
    teamId: StrictStr | None = None
    userId: StrictStr
    withCache: StrictBool | None = None
    buildingAt: Ms | None = None
    readyAt: Ms | None = None


class ProjectAnswer(Strict):
    id: StrictStr
    name: StrictStr
    accountId: StrictStr
    createdAt: Ms | None = None
    updatedAt: Ms | None = None
    framework: StrictStr | None = None
    nodeVersion: StrictStr
    link: LinkGithub | LinkGitlab | LinkBitbucket | None = None
    targets: dict[StrictStr, ProjectTarget | None] | None = None
    latestDeployments: list[ProjectTarget] | None = None
    lastAliasRequest: LastAliasRequest | None = None
    autoAssignCustomDomains: StrictBool | None = None
    directoryListing: StrictBool
    live: StrictBool | None = None


# --- environment variables (createprojectenvop.ts, filterprojectenvsop.ts,
#     getprojectenvop.ts) and custom environments ---

EnvKind = Literal["system", "encrypted", "plain", "sensitive"]
EnvTarget = Literal["production", "preview", "development"]


class Env(Strict):
    id: StrictStr
    key: StrictStr
    type: EnvKind
    target: list[EnvTarget] | EnvTarget | None = None
    gitBranch: StrictStr | None = None
    customEnvironmentIds: list[StrictStr] | None = None
    comment: StrictStr | None = None
    createdAt: Ms | None = None
    updatedAt: Ms | None = None
    decrypted: StrictBool | None = None
    value: StrictStr | None = None


class EnvList(Strict):
    envs: list[Env]
    pagination: dict[str, Any] | None = None


class EnvValue(Env):
    """`GET /v1/projects/{idOrName}/env/{id}`: one variable, decrypted unless sensitive."""


class EnvFailure(Strict):
    error: dict[StrictStr, Any]


class EnvCreated(Strict):
    created: Env | list[Env]
    failed: list[EnvFailure]


class CustomEnvironment(Strict):
    id: StrictStr
    slug: StrictStr
    type: Literal["production", "preview", "development"]
    description: StrictStr | None = None
    branchMatcher: dict[str, StrictStr] | None = None
    createdAt: Ms
    updatedAt: Ms


class CustomEnvironments(Strict):
    accountLimit: dict[str, StrictInt] | None = None
    environments: list[CustomEnvironment]


class RuntimeLog(Strict):
    """A row of `GET /v1/projects/{projectId}/deployments/{deploymentId}/runtime-logs`
    (`src/models/getruntimelogsop.ts`), streamed as `application/stream+json`."""

    level: Literal["trace", "debug", "info", "warning", "error", "fatal"]
    message: StrictStr
    rowId: StrictStr
    source: Literal["delimiter", "edge-function", "edge-middleware", "serverless", "request"]
    timestampInMs: Ms
    domain: StrictStr
    messageTruncated: StrictBool
    requestMethod: StrictStr
    requestPath: StrictStr
    responseStatusCode: StrictInt


RuntimeLogs = list[RuntimeLog]


class ErrorBody(Strict):
    """Vercel's error answer: `{"error": {"code", "message"}}`."""

    error: dict[Literal["code", "message"], StrictStr]


# --- the operations ---


@dataclass(frozen=True)
class Operation:
    """One REST operation: its method, path template and the answer for each success
    status (None for an empty body)."""

    name: str
    method: str
    path: str
    answers: dict[int, Any]

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", self.path) + "$")


OPERATIONS: tuple[Operation, ...] = (
    Operation("getProject", "GET", "/v9/projects/{idOrName}", {200: ProjectAnswer}),
    Operation("createDeployment", "POST", "/v13/deployments", {200: DeploymentLong}),
    Operation(
        "getDeployment",
        "GET",
        "/v13/deployments/{idOrUrl}",
        {200: DeploymentLong | DeploymentShort},
    ),
    Operation("getDeployments", "GET", "/v6/deployments", {200: DeploymentsPage}),
    Operation("cancelDeployment", "PATCH", "/v12/deployments/{id}/cancel", {200: DeploymentLong}),
    Operation("getDeploymentEvents", "GET", "/v3/deployments/{idOrUrl}/events", {200: BuildEvents}),
    Operation("listDeploymentAliases", "GET", "/v2/deployments/{id}/aliases", {200: Aliases}),
    Operation(
        "requestRollback",
        "POST",
        "/v1/projects/{projectId}/rollback/{deploymentId}",
        {201: None, 202: None},
    ),
    Operation(
        "requestPromote",
        "POST",
        "/v10/projects/{projectId}/promote/{deploymentId}",
        {201: None, 202: None},
    ),
    Operation("filterProjectEnvs", "GET", "/v10/projects/{idOrName}/env", {200: EnvList}),
    Operation("createProjectEnv", "POST", "/v10/projects/{idOrName}/env", {201: EnvCreated}),
    Operation("getProjectEnv", "GET", "/v1/projects/{idOrName}/env/{id}", {200: EnvValue}),
    Operation(
        "removeProjectEnv", "DELETE", "/v9/projects/{idOrName}/env/{id}", {200: Env | list[Env]}
    ),
    Operation(
        "getRuntimeLogs",
        "GET",
        "/v1/projects/{projectId}/deployments/{deploymentId}/runtime-logs",
        {200: RuntimeLogs},
    ),
    Operation(
        "getCustomEnvironments",
        "GET",
        "/v9/projects/{idOrName}/custom-environments",
        {200: CustomEnvironments},
    ),
)


class ContractViolation(ValueError):
    """An answer Vercel would never give."""


def operation_for(method: str, path: str) -> Operation | None:
    for op in OPERATIONS:
        if op.method == method and op.pattern.match(path):
            return op
    return None


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(schema: Any) -> TypeAdapter[Any]:
    if schema not in _ADAPTERS:
        _ADAPTERS[schema] = TypeAdapter(schema)
    return _ADAPTERS[schema]


def check_answer(method: str, path: str, status: int, body: Any) -> Operation:
    """Raise `ContractViolation` unless `body` with `status` is an answer Vercel's contract
    allows for `method path`; return the operation. Error answers (4xx, 5xx) must have
    Vercel's error shape."""
    op = operation_for(method, path)
    if op is None:
        raise ContractViolation(f"{method} {path} is not an operation this project uses")
    if status >= 400:
        _validate(ErrorBody, body, f"{op.name} {status}")
        return op
    if status not in op.answers:
        allowed = ", ".join(str(s) for s in op.answers)
        raise ContractViolation(f"{op.name} answers {allowed}, not {status}")
    schema = op.answers[status]
    if schema is None:
        if body not in (None, b"", ""):
            raise ContractViolation(f"{op.name} {status} has no body")
        return op
    _validate(schema, body, f"{op.name} {status}")
    return op


def check_body(schema: Any, body: Any) -> None:
    """Validate one body against one contract schema (for fixtures)."""
    _validate(schema, body, getattr(schema, "__name__", str(schema)))


def _validate(schema: Any, body: Any, what: str) -> None:
    try:
        _adapter(schema).validate_python(body)
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '<body>'}: {e['msg']}"
            for e in exc.errors()[:8]
        )
        raise ContractViolation(f"{what}: {problems}") from None
