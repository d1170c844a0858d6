"""Environment variables by task, against the Vercel double: listing (never values) and
removing work; setting is refused with where to do it, since a task's words are stored."""

from __future__ import annotations

import uuid

import pytest
from pydantic import SecretStr

from ops_agent.agent.executor import TaskExecutor
from ops_agent.agent.language import TaskNotUnderstood
from ops_agent.kv.redis import RedisKV
from ops_agent.runtime import Runtime
from ops_agent.sandbox import SandboxVercel, ScenarioClock
from ops_agent.sandbox.servers import Served
from ops_agent.sandbox.vercel import SandboxEnv
from ops_agent.settings import Settings
from ops_agent.store.postgres import PostgresStore
from tests.conftest import ALL_TABLES, clean_tables


async def test_env_tasks(settings: Settings, pg_url: str, redis_socket: str) -> None:
    clean_tables(pg_url, *ALL_TABLES)
    sandbox = SandboxVercel(ScenarioClock().now)
    sandbox.project.envs.append(
        SandboxEnv(
            "env_1",
            "SENTRY_DSN",
            "https://secret@sentry.io/1",
            "encrypted",
            ["production", "preview"],
            [],
            0,
            0,
        )
    )
    async with Served(sandbox.app) as vercel:
        s = settings.model_copy(
            update={
                "vercel_token": SecretStr(sandbox.token),
                "vercel_api_url": vercel.url,
                "vercel_team_id": None,
            }
        )
        runtime = Runtime(
            s,
            store=PostgresStore(pg_url),
            kv=RedisKV(unix_socket_path=redis_socket, prefix=f"e{uuid.uuid4().hex[:6]}:"),
        )
        executor = TaskExecutor(runtime, actor="test")
        try:
            listed = await executor.execute_task("list the env vars of shop in preview")
            assert listed["status"] == "ok"
            assert listed["variables"] == [
                {"key": "SENTRY_DSN", "type": "encrypted", "targets": ["production", "preview"]}
            ]
            assert "secret@" not in str(listed)
            with pytest.raises(TaskNotUnderstood, match="ops-agent env set") as refused:
                await executor.execute_task("set env var SENTRY_DSN on shop")
            assert refused.value.problem().status == 422
            removed = await executor.execute_task("remove the env var SENTRY_DSN from shop")
            assert removed["status"] == "removed" and removed["removed"] == 1
            assert sandbox.project.envs == []
            again = await executor.execute_task("remove the env var SENTRY_DSN from shop")
            assert again["status"] == "failed" and "no variable" in again["error"]
        finally:
            await runtime.close()
    assert sandbox.violations == []
