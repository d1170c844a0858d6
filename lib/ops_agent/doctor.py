"""`ops-agent doctor`: configuration and connectivity checks that say what is wrong."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from ops_agent.redact import redactor
from ops_agent.settings import KVBackend, Settings, StoreBackend

Level = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    name: str
    level: Level
    message: str


def effective_settings(settings: Settings) -> list[tuple[str, str, bool]]:
    """Every setting as (VARIABLE, value, is the default), secrets masked: a secret shows only
    whether it is set, and any other value goes through the redactor (passwords in URLs)."""
    defaults = Settings.model_construct()
    out = []
    for name, field in sorted(Settings.model_fields.items()):
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            shown = "set (hidden)"
        elif value is None:
            shown = "-"
        else:
            shown = redactor.text(str(value.value if hasattr(value, "value") else value))
        default = value == getattr(defaults, name, field.default)
        out.append((name.upper(), shown, default))
    return out


def configuration_checks(settings: Settings) -> list[Check]:
    """Checks that need no network: what the settings select and what they are missing."""
    checks = [
        Check("store", "ok", f"{settings.store_backend.value} transport selected"),
        Check("kv", "ok", f"{settings.kv_backend.value} transport selected"),
    ]
    production = settings.ops_agent_env == "production"
    if production and settings.store_backend is StoreBackend.EMBEDDED:
        checks.append(
            Check(
                "store",
                "fail",
                "production needs SUPABASE_URL + "
                "SUPABASE_SERVICE_ROLE_KEY or DATABASE_URL, not the embedded Postgres",
            )
        )
    if production and settings.kv_backend is KVBackend.EMBEDDED:
        checks.append(
            Check(
                "kv",
                "fail",
                "production needs UPSTASH_REDIS_REST_URL/_TOKEN "
                "(or KV_REST_API_URL/_TOKEN) or REDIS_URL, not the embedded Redis",
            )
        )
    if settings.cron_secret is None:
        level: Level = "fail" if production else "warn"
        checks.append(
            Check(
                "cron",
                level,
                "CRON_SECRET is not set: Vercel Cron cannot authenticate to /api/cron/tick",
            )
        )
    elif len(settings.cron_secret.get_secret_value()) < 16:
        checks.append(Check("cron", "warn", "CRON_SECRET is shorter than 16 characters"))
    else:
        checks.append(Check("cron", "ok", "CRON_SECRET is set"))
    checks += schedule_checks(settings, Path("vercel.json"))
    return checks


def schedule_checks(settings: Settings, vercel_json: Path) -> list[Check]:
    """vercel.json's crons against VERCEL_PLAN (Hobby: at most daily), and where the minute
    tick comes from. Nothing when there is no vercel.json here."""
    from ops_agent.http.crons import load_crons, plan_problems, tick_advice

    if not vercel_json.exists():
        return []
    try:
        crons = load_crons(vercel_json)
    except ValueError as exc:
        return [Check("schedule", "fail", str(exc))]
    plan = settings.vercel_plan
    checks = [Check("schedule", "fail", p) for p in plan_problems(crons, plan or "hobby")]
    qstash = settings.qstash_current_signing_key is not None
    advice = tick_advice(crons, plan, qstash=qstash, cron_secret=settings.cron_secret is not None)
    checks += [Check("schedule", "warn", a) for a in advice]
    if not checks:
        source = "QStash" if qstash else "vercel.json"
        checks.append(Check("schedule", "ok", f"the tick runs every minute ({source})"))
    return checks


async def _timed(name: str, probe: asyncio.Task[str], timeout: float) -> Check:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            detail = await probe
    except TimeoutError:
        return Check(name, "fail", f"no answer within {timeout:.0f}s")
    except Exception as exc:
        return Check(name, "fail", redactor.text(f"{type(exc).__name__}: {exc}")[:400])
    return Check(name, "ok", f"{detail} ({(time.perf_counter() - started) * 1000:.0f} ms)")


async def _store_probe(settings: Settings) -> str:
    from ops_agent.store import migration_url, open_store
    from ops_agent.store import migrations as m

    store = await open_store(settings)
    try:
        await store.ping()
    finally:
        await store.close()
    url = await migration_url(settings)
    if url is None:
        return "reachable, schema present (migration status needs DATABASE_URL)"
    states = await m.status(url, m.migrations_dir(settings.ops_agent_migrations_dir))
    pending = [f"{mig.version}_{mig.name}" for mig, applied in states if not applied]
    if pending:
        raise RuntimeError(f"pending migrations: {', '.join(pending)} (run `ops-agent migrate`)")
    return f"reachable, {len(states)} migration(s) applied"


async def _kv_probe(settings: Settings) -> str:
    from ops_agent.kv import open_kv

    kv = await open_kv(settings)
    try:
        key = f"doctor:{secrets.token_hex(4)}"
        if not await kv.set_if_absent(key, 10):
            raise RuntimeError("SET NX did not take a fresh key")
        await kv.rate_limit(key + ":rl", 1, 1)  # proves EVAL (Lua) works
        await kv.delete(key, key + ":rl")
    finally:
        await kv.close()
    return "reachable, SET NX and EVAL work"


async def run_checks(settings: Settings, timeout: float = 15.0) -> list[Check]:
    """Every check, configuration first, then the store and KV probed concurrently."""
    checks = configuration_checks(settings)
    store_task = asyncio.create_task(_store_probe(settings))
    kv_task = asyncio.create_task(_kv_probe(settings))
    checks += await asyncio.gather(
        _timed("store connectivity", store_task, timeout),
        _timed("kv connectivity", kv_task, timeout),
    )
    return checks
