"""The delivery channels. A new channel is one module here: a `Channel` subclass with its
name, its settings (`from_settings`), its provider's rate limit and its addressing, listed in
CHANNEL_TYPES (and its name added to `notify.models.ChannelName`)."""

from ops_agent.notify.channels.base import Channel, ChannelContext, ChannelNotConfigured
from ops_agent.notify.channels.mailtrap import MailtrapChannel
from ops_agent.notify.channels.slack import SlackChannel
from ops_agent.notify.channels.smtp import SmtpChannel
from ops_agent.notify.channels.webhook import WebhookChannel

CHANNEL_TYPES: tuple[type[Channel], ...] = (
    MailtrapChannel,
    SmtpChannel,
    SlackChannel,
    WebhookChannel,
)

__all__ = ["CHANNEL_TYPES", "Channel", "ChannelContext", "ChannelNotConfigured"]
