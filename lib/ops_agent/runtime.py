"""The process-wide handles a function needs: settings, the store and the KV, opened lazily.

A serverless instance serves many requests; opening the store and KV once per instance, on
first use, keeps warm requests cheap and cold starts free of work a route never needs.
A failed open is not cached: the next request tries again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ops_agent.kv import KV, open_kv
from ops_agent.settings import Settings
from ops_agent.store import Store, open_store

if TYPE_CHECKING:
    from ops_agent.alerts import AlertManagementTool
    from ops_agent.deployments import DeploymentTool
    from ops_agent.logs import LogAnalysisTool
    from ops_agent.monitoring import MonitoringTool
    from ops_agent.notify import NotificationService


class Runtime:
    """Lazily opened store and KV for one set of settings, and the clock the tools share.

    `clock` is real time unless given: the sandbox passes scenario time, which can run faster.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        store: Store | None = None,
        kv: KV | None = None,
        clock: Callable[[], datetime] | None = None,
    ):
        self.settings = settings
        self.now: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._store = store
        self._kv = kv
        self._deployments: DeploymentTool | None = None
        self._notifier: NotificationService | None = None
        self._logs: LogAnalysisTool | None = None
        self._monitoring: MonitoringTool | None = None
        self._alerts: AlertManagementTool | None = None
        self._store_lock = asyncio.Lock()
        self._kv_lock = asyncio.Lock()

    async def store(self) -> Store:
        """The store, opened (and migrated, when allowed) on first use."""
        if self._store is None:
            async with self._store_lock:
                if self._store is None:
                    self._store = await open_store(self.settings)
        return self._store

    async def kv(self) -> KV:
        """The KV, opened on first use."""
        if self._kv is None:
            async with self._kv_lock:
                if self._kv is None:
                    self._kv = await open_kv(self.settings)
        return self._kv

    async def deployments(self) -> DeploymentTool:
        """The DeploymentTool over this runtime's store; its Vercel client opens on first use."""
        if self._deployments is None:
            from ops_agent.deployments import DeploymentTool

            self._deployments = DeploymentTool(
                store=await self.store(), settings=self.settings, clock=self.now
            )
        return self._deployments

    async def notifier(self) -> NotificationService:
        """The NotificationService with this runtime's store (delivery log) and KV (dedup,
        rate limits)."""
        if self._notifier is None:
            from ops_agent.notify import NotificationService

            self._notifier = NotificationService(
                store=await self.store(), kv=await self.kv(), settings=self.settings
            )
        return self._notifier

    async def logs(self) -> LogAnalysisTool:
        """The LogAnalysisTool over this runtime's store. Kept for the instance's life, so its
        template miner stays warm between deliveries."""
        if self._logs is None:
            from ops_agent.logs import LogAnalysisTool

            self._logs = LogAnalysisTool(await self.store(), clock=self.now)
        return self._logs

    async def monitoring(self) -> MonitoringTool:
        """The MonitoringTool over this runtime's store and the config file's services."""
        if self._monitoring is None:
            from ops_agent.monitoring import MonitoringTool

            self._monitoring = MonitoringTool(
                await self.store(), settings=self.settings, clock=self.now
            )
        return self._monitoring

    async def alerts(self) -> AlertManagementTool:
        """The AlertManagementTool: this runtime's store, KV and NotificationService, and the
        config file's rules."""
        if self._alerts is None:
            from ops_agent.alerts import AlertManagementTool

            s = self.settings
            self._alerts = AlertManagementTool(
                await self.notifier(),
                s.notify_email_to.split(",")[0].strip() if s.notify_email_to else None,
                s.alert_slack_channel,
                store=await self.store(),
                kv=await self.kv(),
                available_channels=[c.strip() for c in s.alert_channels.split(",") if c.strip()],
                config_path=s.monitor_config,
                clock=self.now,
            )
        return self._alerts

    async def close_tools(self) -> None:
        """Close the tools (their HTTP clients), keeping the store and KV open."""
        self._alerts = None
        monitoring, self._monitoring = self._monitoring, None
        if monitoring is not None:
            await monitoring.aclose()
        tool, self._deployments = self._deployments, None
        if tool is not None:
            await tool.aclose()
        self._logs = None
        notifier, self._notifier = self._notifier, None
        if notifier is not None:
            await notifier.aclose()

    async def close(self) -> None:
        """Close whatever was opened."""
        await self.close_tools()
        store, kv, self._store, self._kv = self._store, self._kv, None, None
        if store is not None:
            await store.close()
        if kv is not None:
            await kv.close()
