"""NotificationService: Mailtrap, SMTP, Slack and signed webhooks; retries, dedup, rate
limits, failover and a delivery log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ops_agent.lazy import exports

if TYPE_CHECKING:
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
__getattr__ = exports(
    __name__,
    {
        "CHANNELS": "ops_agent.notify.models",
        "ChannelName": "ops_agent.notify.models",
        "DeliveryResult": "ops_agent.notify.models",
        "KINDS": "ops_agent.notify.templates",
        "Link": "ops_agent.notify.models",
        "Notification": "ops_agent.notify.models",
        "NotificationLog": "ops_agent.notify.records",
        "NotificationService": "ops_agent.notify.service",
        "Severity": "ops_agent.notify.models",
        "Status": "ops_agent.notify.models",
        "render": "ops_agent.notify.templates",
    },
)
