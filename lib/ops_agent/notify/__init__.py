"""NotificationService: Mailtrap, SMTP, Slack and signed webhooks; retries, dedup, rate
limits, failover and a delivery log."""

from ops_agent.notify.models import (
    CHANNELS,
    ChannelName,
    DeliveryResult,
    Link,
    Notification,
    Severity,
    Status,
)
from ops_agent.notify.records import NotificationLog
from ops_agent.notify.service import NotificationService
from ops_agent.notify.templates import KINDS, render

__all__ = [
    "CHANNELS",
    "KINDS",
    "ChannelName",
    "DeliveryResult",
    "Link",
    "Notification",
    "NotificationLog",
    "NotificationService",
    "Severity",
    "Status",
    "render",
]
