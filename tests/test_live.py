"""Opt-in tests against the real Supabase and Upstash; each runs only when its credentials are set.

    SUPABASE_URL=... SUPABASE_SERVICE_ROLE_KEY=... UPSTASH_REDIS_REST_URL=... \\
    UPSTASH_REDIS_REST_TOKEN=... .venv/bin/pytest -m live

The Supabase project must have the migrations applied (`supabase db push`).
"""

from __future__ import annotations

import secrets

import pytest

from ops_agent.apikeys import generate_key
from ops_agent.kv.upstash import UpstashKV
from ops_agent.store import AuditEntry
from ops_agent.store.supabase import SupabaseStore
from tests.conftest import LIVE_ENV

pytestmark = pytest.mark.live


def live(*names: str) -> pytest.MarkDecorator:
    missing = [n for n in names if n not in LIVE_ENV]
    return pytest.mark.skipif(bool(missing), reason=f"set {', '.join(missing)} to run")


@live("SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY")
async def test_live_supabase_store() -> None:
    store = SupabaseStore(LIVE_ENV["SUPABASE_URL"], LIVE_ENV["SUPABASE_SERVICE_ROLE_KEY"])
    try:
        await store.ping()
        marker = f"live-test-{secrets.token_hex(4)}"
        assert (
            await store.append_audit(AuditEntry(actor="live-test", action=marker, outcome="ok"))
            == 1
        )
        assert [e.action for e in await store.list_audit(action_prefix=marker)] == [marker]
        assert await store.authenticate_api_key(generate_key().key_hash) is None
    finally:
        await store.close()


@live("UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN")
async def test_live_upstash_kv() -> None:
    kv = UpstashKV(
        LIVE_ENV["UPSTASH_REDIS_REST_URL"],
        LIVE_ENV["UPSTASH_REDIS_REST_TOKEN"],
        prefix=f"ops-live-test-{secrets.token_hex(4)}:",
        timeout=10,
    )
    try:
        await kv.ping()
        assert await kv.set_if_absent("d", 30)
        assert not await kv.set_if_absent("d", 30)
        assert (await kv.rate_limit("r", 1, 30)).allowed
        assert not (await kv.rate_limit("r", 1, 30)).allowed
        async with kv.lock("l", 30):
            assert await kv.try_lock("l", 30) is None
        await kv.delete("d", "r")
    finally:
        await kv.close()


@live("VERCEL_TOKEN", "VERCEL_TEST_PROJECT")
async def test_live_vercel_read_only() -> None:
    """Reads only: the project, its latest deployments, one deployment, its build events and
    environments. It never deploys, rolls back or writes an env var."""
    from ops_agent.vercel import VercelClient

    async with VercelClient(
        LIVE_ENV["VERCEL_TOKEN"],
        team_id=LIVE_ENV.get("VERCEL_TEAM_ID"),
        team_slug=LIVE_ENV.get("VERCEL_TEAM_SLUG"),
    ) as client:
        project = await client.get_project(LIVE_ENV["VERCEL_TEST_PROJECT"])
        page = await client.list_deployments(project_id=project.id, limit=5)
        assert page.pagination.count == len(page.deployments)
        await client.list_custom_environments(project.id)
        envs = await client.list_env(project.id)
        assert all(e.value is None or "*" in repr(e.value) for e in envs)
        if page.deployments:
            first = await client.get_deployment(page.deployments[0].id)
            assert first.id == page.deployments[0].id and first.state is not None
            await client.build_events(first.id, limit=20)


@live("MAILTRAP_API_TOKEN", "MAILTRAP_TEST_TO")
async def test_live_mailtrap() -> None:
    """Sends one email; with MAILTRAP_SANDBOX_INBOX_ID it lands in that test inbox instead."""
    from ops_agent.notify import NotificationService
    from ops_agent.settings import Settings

    inbox = LIVE_ENV.get("MAILTRAP_SANDBOX_INBOX_ID")
    async with NotificationService(
        mailtrap_token=LIVE_ENV["MAILTRAP_API_TOKEN"],
        mailtrap_inbox_id=int(inbox) if inbox else None,
        settings=Settings(),
    ) as service:
        result = await service.send_email_mailtrap(
            LIVE_ENV["MAILTRAP_TEST_TO"], "Ops Agent live test", "If you read this, it works."
        )
    assert result.delivered, result.error
    assert result.message_id


@live("SLACK_WEBHOOK_URL")
async def test_live_slack() -> None:
    from ops_agent.notify import NotificationService
    from ops_agent.settings import Settings

    async with NotificationService(
        slack_webhook_url=LIVE_ENV["SLACK_WEBHOOK_URL"], settings=Settings()
    ) as service:
        result = await service.send_slack_message(
            "Ops Agent live test: Block Kit with severity", severity="info", title="Live test"
        )
    assert result.delivered, result.error
