"""OpsAgentOODA: the agent's public face, where its loop lives. The loop is the tick
(observe, orient, decide, act; `tick.py`), run by Vercel Cron or by `run_forever` elsewhere;
tasks from people and agents are carried out by the `TaskExecutor` it extends."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from pydantic import SecretStr

from ops_agent.agent.executor import TaskExecutor
from ops_agent.runtime import Runtime
from ops_agent.settings import Settings, get_settings


class OpsAgentOODA(TaskExecutor):
    """The agent: tasks from people and agents, and the tick (observe, orient, decide, act)."""

    def __init__(
        self,
        vercel_token: str | None = None,
        enable_monitoring: bool = True,
        *,
        settings: Settings | None = None,
        runtime: Runtime | None = None,
        actor: str = "agent",
    ) -> None:
        s = settings or (runtime.settings if runtime else get_settings())
        if vercel_token:
            # model_copy does not validate: wrap the token as the settings would.
            s = s.model_copy(update={"vercel_token": SecretStr(vercel_token)})
        super().__init__(runtime or Runtime(s), actor=actor)
        self.settings = s
        self.enable_monitoring = enable_monitoring

    async def aclose(self) -> None:
        await self.runtime.close()

    async def tick(self) -> dict[str, Any]:
        """One observe-orient-decide-act pass, as the cron runs it (skipped while another
        tick holds the lock). Without `enable_monitoring`, health checks and log anomaly
        detection are left out."""
        # Imported here: the tasks function builds this class to run tasks, never a tick.
        from ops_agent.agent.tick import run_tick

        report = await run_tick(self.runtime, monitoring=self.enable_monitoring)
        return report.as_dict()

    async def run_forever(
        self, interval: float = 60.0, *, stop: asyncio.Event | None = None
    ) -> None:
        """Tick every `interval` seconds until `stop` is set: the loop for a host that is not
        Vercel (on Vercel, the cron calls /api/cron/tick)."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            started = time.monotonic()
            await self.tick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    stop.wait(), max(0.0, interval - (time.monotonic() - started))
                )
