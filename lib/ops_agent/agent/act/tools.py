"""What acting uses, passed in: the tools, the store and KV they share, the settings and the
clock. The edge (the tick, a route) builds it once from its runtime; the engine, the
playbooks and the announcements receive it instead of building tools themselves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ops_agent.alerts import AlertManagementTool
from ops_agent.deployments import DeploymentTool
from ops_agent.kv import KV
from ops_agent.logs import LogAnalysisTool
from ops_agent.notify import NotificationService
from ops_agent.runtime import Runtime
from ops_agent.settings import Settings
from ops_agent.store import Store


@dataclass(frozen=True)
class Tools:
    settings: Settings
    store: Store
    kv: KV
    deployments: DeploymentTool
    alerts: AlertManagementTool
    logs: LogAnalysisTool
    notifier: NotificationService
    now: Callable[[], datetime]

    @classmethod
    async def of(cls, runtime: Runtime, *, alerts: AlertManagementTool | None = None) -> Tools:
        """The runtime's tools (`alerts` replaces its AlertManagementTool)."""
        return cls(
            runtime.settings,
            await runtime.store(),
            await runtime.kv(),
            await runtime.deployments(),
            alerts or await runtime.alerts(),
            await runtime.logs(),
            await runtime.notifier(),
            runtime.now,
        )
