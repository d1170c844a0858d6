"""What a notification is, and what sending one did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ops_agent.results import Indexable
from ops_agent.ssrf import http_url

ChannelName = Literal["email", "smtp", "slack", "webhook"]
CHANNELS: tuple[ChannelName, ...] = ("email", "smtp", "slack", "webhook")


def email_address(value: str) -> str:
    """`a@b.c` or `Name <a@b.c>`, as given; ValueError for anything else."""
    _, email = parseaddr(value)
    local, _, domain = email.rpartition("@")
    if len(value) > 320 or not local or not domain or any(c.isspace() for c in email):
        raise ValueError(f"not an email address: {value[:80]!r}")
    return value


class Severity(StrEnum):
    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    RESOLVED = "resolved"


class Link(BaseModel):
    text: str = Field(max_length=200)
    url: str = Field(max_length=2000)


class Notification(BaseModel):
    """One message for one channel. Channel-specific fields are ignored by the others."""

    model_config = ConfigDict(extra="forbid")

    channel: ChannelName
    subject: str | None = Field(default=None, max_length=998)
    body: str = Field(default="", max_length=100_000)
    html: str | None = Field(default=None, max_length=500_000)
    severity: Severity | None = None
    title: str | None = Field(default=None, max_length=150)
    fields: dict[str, str] = Field(default_factory=dict)
    links: list[Link] = Field(default_factory=list)
    # email and smtp
    to: list[Annotated[str, AfterValidator(email_address)]] = Field(
        default_factory=list, max_length=50
    )
    category: str | None = Field(default=None, max_length=255)
    # slack
    slack_channel: str | None = Field(default=None, max_length=80)
    blocks: list[dict[str, Any]] | None = None
    # slack (override of SLACK_WEBHOOK_URL) and webhook
    url: Annotated[str, AfterValidator(http_url)] | None = Field(default=None, max_length=2000)
    payload: dict[str, Any] | None = None
    event_type: str | None = Field(default=None, max_length=100)
    # delivery
    dedup_key: str | None = Field(default=None, max_length=300)
    dedup_window: float | None = Field(default=None, gt=0, le=7 * 86400)
    fallbacks: list[ChannelName] = Field(default_factory=list, max_length=3)
    alert_id: str | None = Field(default=None, max_length=200)
    kind: str | None = Field(default=None, max_length=100)


class Status(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    RATE_LIMITED = "rate_limited"
    DEDUPLICATED = "deduplicated"
    DISABLED = "disabled"


class AttemptRecord(BaseModel):
    at: datetime
    ok: bool
    status_code: int | None = None
    error: str | None = None
    latency_ms: float


class DeliveryResult(BaseModel, Indexable):
    """What happened to one notification on one channel."""

    channel: ChannelName
    destination: str = Field(description="Where it went, with secrets masked.")
    status: Status
    attempts: int = 0
    message_id: str | None = None
    error: str | None = None
    permanent: bool = Field(
        default=False, description="Retrying will not help: the channel needs fixing."
    )
    latency_ms: float = 0.0
    retry_after: float | None = None
    fallback_of: ChannelName | None = None
    primary: DeliveryResult | None = Field(
        default=None, description="When this is a fallback: the primary channel's failure."
    )
    attempt_log: list[AttemptRecord] = Field(default_factory=list)
    id: int | None = Field(default=None, description="The row in the notifications table.")

    @property
    def delivered(self) -> bool:
        return self.status is Status.DELIVERED


@dataclass(frozen=True)
class Delivery:
    """One notification's identity across its attempts: the id receivers dedupe on, and
    when the first attempt began."""

    msg_id: str
    created_at: datetime


@dataclass(frozen=True)
class Outcome:
    """What one attempt on a channel gave: sent, or why not and whether trying again helps."""

    ok: bool
    message_id: str | None = None
    error: str | None = None
    status_code: int | None = None
    retryable: bool = False
    retry_after: float | None = None
    disable: bool = False  # the endpoint is gone or must be fixed; stop using it
    extra: dict[str, Any] = field(default_factory=dict)
