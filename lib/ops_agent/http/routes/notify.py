"""/api/notify: send notifications (operator), read the delivery log (viewer), manage
disabled endpoints (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator

from ops_agent.http.auth import Principal, require
from ops_agent.http.deps import RuntimeDep, StoreDep, audit
from ops_agent.http.errors import ApiError, error_response
from ops_agent.notify import KINDS, ChannelName, Notification, NotificationLog, Status, render
from ops_agent.notify.records import Endpoint, NotificationRow
from ops_agent.store import Role

router = APIRouter(prefix="/api/notify", tags=["notify"])

Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]


class TemplateRequest(BaseModel):
    kind: str = Field(description=f"one of {', '.join(KINDS)}")
    context: dict[str, Any] = Field(default_factory=dict)
    channels: list[ChannelName] = Field(min_length=1, max_length=4)
    to: list[str] = Field(default_factory=list, max_length=50)
    dedup_key: str | None = Field(default=None, max_length=300)
    alert_id: str | None = Field(default=None, max_length=200)


class NotifyRequest(BaseModel):
    """Either explicit `notifications`, or a `template` rendered for each of its channels."""

    notifications: list[Notification] = Field(default_factory=list, max_length=10)
    template: TemplateRequest | None = None

    @model_validator(mode="after")
    def _one_form(self) -> NotifyRequest:
        if bool(self.notifications) == (self.template is not None):
            raise ValueError("send either notifications (1 to 10) or a template")
        if self.template is not None and self.template.kind not in KINDS:
            raise ValueError(f"unknown template kind; known: {', '.join(KINDS)}")
        return self

    def messages(self) -> list[Notification]:
        if self.template is None:
            return self.notifications
        t = self.template
        rendered = render(t.kind, t.context)
        return [
            rendered.notification(
                c,
                kind=t.kind,
                to=t.to,
                dedup_key=f"{t.dedup_key}:{c}" if t.dedup_key else None,
                alert_id=t.alert_id,
            )
            for c in t.channels
        ]


OK_STATUSES = (Status.DELIVERED, Status.DEDUPLICATED)


@router.post(
    "",
    summary="Send notifications on one or more channels",
    responses={
        207: {"description": "some delivered, some not: see each result"},
        429: {"description": "every channel is rate limited"},
        502: {"description": "nothing was delivered"},
    },
)
async def notify(
    body: NotifyRequest, request: Request, principal: Operator, runtime: RuntimeDep
) -> JSONResponse:
    messages = body.messages()
    audit(request, action="notify.send", target=",".join(m.channel for m in messages))
    service = await runtime.notifier()
    results = await service.send_many(messages)
    payload = [r.model_dump(mode="json", exclude={"attempt_log"}) for r in results]
    ok = sum(r.status in OK_STATUSES or (r.primary is not None and r.delivered) for r in results)
    audit(request, delivered=ok, total=len(results), ids=[r.id for r in results])
    summary = {"results": payload, "delivered": ok, "total": len(results)}
    if ok == len(results):
        return JSONResponse(summary, status_code=200)
    if ok:
        return JSONResponse(summary, status_code=207)
    if all(r.status is Status.RATE_LIMITED for r in results):
        wait = max(r.retry_after or 1 for r in results)
        return error_response(
            429,
            "rate_limited",
            "every channel is over its rate limit",
            summary,
            headers={"Retry-After": str(max(1, round(wait)))},
        )
    return error_response(502, "not_delivered", "no notification was delivered", summary)


@router.get("/log", summary="The delivery log, newest first")
async def delivery_log(
    _: Viewer,
    store: StoreDep,
    alert_id: str | None = None,
    channel: ChannelName | None = None,
    status: Status | None = None,
    before_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NotificationRow]:
    return await NotificationLog(store).list(
        alert_id=alert_id,
        channel=channel,
        status=status.value if status else None,
        before_id=before_id,
        limit=limit,
    )


@router.get("/endpoints", summary="Endpoints the agent stopped using (410 Gone, dead webhook)")
async def disabled_endpoints(_: Viewer, store: StoreDep) -> list[Endpoint]:
    return await NotificationLog(store).disabled_endpoints()


@router.post("/endpoints/{endpoint_key}/enable", summary="Use a disabled endpoint again")
async def enable_endpoint(
    endpoint_key: str, request: Request, _: Admin, store: StoreDep
) -> Endpoint:
    audit(request, action="notify.endpoint.enable", target=endpoint_key)
    endpoint = await NotificationLog(store).enable_endpoint(endpoint_key)
    if endpoint is None:
        raise ApiError(404, "not_found", f"no disabled endpoint {endpoint_key}")
    return endpoint
