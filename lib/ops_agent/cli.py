"""The `ops-agent` command: serve, migrate, doctor, keys."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from ops_agent import __version__
from ops_agent.settings import Settings, SettingsError, StoreBackend, load_settings
from ops_agent.severity import PRIORITIES

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


def _err(message: str) -> None:
    print(f"ops-agent: {message}", file=sys.stderr)


def _cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no passwd entry in some containers
        return "cli"


# --- serve ---


def serve(args: argparse.Namespace, settings: Settings) -> int:
    try:
        import uvicorn
    except ImportError:
        _err("the local server needs uvicorn: pip install 'ops-agent[local]'")
        return 2
    from ops_agent.http.local import local_app

    if args.sandbox:
        from ops_agent.sandbox.live import sandbox_app

        app = sandbox_app(settings)
    else:
        app = local_app(crons=not args.no_crons)
    print(
        f"Ops Agent {__version__} on http://{args.host}:{args.port}  "
        f"(store: {settings.store_backend.value}, kv: {settings.kv_backend.value}; "
        f"docs at /api/docs; dashboard at /)",
        file=sys.stderr,
    )
    _exit_on_sigterm()
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


def _exit_on_sigterm() -> None:
    """Make SIGTERM (supervisors, containers, CI) end the process like SIGINT does: through a
    normal exit, so the embedded Postgres and Redis it started are stopped at exit. uvicorn
    re-raises the signal once it has shut down; the default action would kill the process
    before any exit hook ran."""
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))


# --- sandbox vercel ---


def sandbox_vercel(args: argparse.Namespace, settings: Settings) -> int:
    """The local Vercel double on its own, until interrupted."""
    try:
        import uvicorn
    except ImportError:
        _err("the Vercel double needs uvicorn: pip install 'ops-agent[local]'")
        return 2
    from ops_agent.sandbox.standalone import standalone

    if bool(args.webhook_url) != bool(args.webhook_secret):
        _err("--webhook-url and --webhook-secret go together")
        return 2
    sandbox, app = standalone(
        args.project or ["shop"],
        token=args.token,
        plan=args.plan,
        link_type=None if args.link == "none" else args.link,
        build_seconds=args.build_seconds,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
    )
    names = ", ".join(p.name for p in sandbox.projects.values())
    print(
        f"Vercel double on http://{args.host}:{args.port} ({args.plan} plan; projects: {names})\n"
        f"  VERCEL_API_URL=http://{args.host}:{args.port} VERCEL_TOKEN={args.token}",
        file=sys.stderr,
    )
    _exit_on_sigterm()
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


# --- env ---


async def env_command(args: argparse.Namespace, settings: Settings) -> int:
    """List, set or remove a project's environment variables through Vercel's API. A value is
    read from stdin (never from the command line, where shells and `ps` keep it)."""
    from ops_agent.deployments import DeploymentTool
    from ops_agent.store import open_store

    store = await open_store(settings)
    tool = DeploymentTool(store=store, settings=settings, actor=_cli_actor())
    try:
        if args.env_command == "list":
            if args.environments:
                for env in await tool.list_environments(args.project):
                    print(f"{env.slug}\t{env.kind}\t{env.id or ''}")
                return 0
            for v in await tool.get_env_vars(args.project, args.environment):
                targets = ",".join(v.targets + v.custom_environment_ids)
                print(f"{v.key}\t{v.type or ''}\t{targets}")
            return 0
        if args.env_command == "set":
            value = sys.stdin.read().rstrip("\n")
            if not value:
                _err("give the value on stdin: echo -n VALUE | ops-agent env set PROJECT KEY")
                return 2
            where = args.environment or ["production"]
            variable = await tool.set_env_var(args.project, args.key, value, where, type=args.type)
            print(f"set {variable.key} ({variable.type}) in {', '.join(where)}")
            return 0
        removed = await tool.remove_env_var(args.project, args.key, args.environment)
        print(f"removed {args.key} ({removed})")
        return 0
    finally:
        await tool.aclose()
        await store.close()


# --- schedule qstash ---


async def schedule_qstash(args: argparse.Namespace, settings: Settings) -> int:
    """Create or update the QStash schedule that calls the tick (idempotent, by its id)."""
    from qstash import AsyncQStash

    from ops_agent.durations import parse_seconds
    from ops_agent.http.crons import cron_every

    if settings.qstash_token is None:
        _err("set QSTASH_TOKEN (Upstash console, QStash tab) to manage schedules")
        return 2
    seconds = parse_seconds(args.every)
    try:
        if seconds is None:
            raise ValueError(f"--every {args.every!r} is not a duration such as 1m or 5m")
        cron = cron_every(seconds)
    except ValueError as exc:
        _err(str(exc))
        return 2
    if not args.url.startswith("https://") and not args.allow_http:
        _err("--url must be https:// (QStash calls it from the internet)")
        return 2
    client = AsyncQStash(settings.qstash_token.get_secret_value(), base_url=settings.qstash_url)
    schedule_id = await client.schedule.create(
        destination=args.url,
        cron=cron,
        method="GET",
        schedule_id=args.id,
        retries=0,  # a missed tick is followed by the next one
        timeout="60s",
    )
    print(f"QStash schedule {schedule_id}: GET {args.url} on {cron!r}")
    if settings.qstash_current_signing_key is None:
        print(
            "now set QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY on the deployment "
            "so the tick accepts QStash's signed calls",
            file=sys.stderr,
        )
    return 0


# --- migrate ---


async def migrate(args: argparse.Namespace, settings: Settings) -> int:
    from ops_agent.store import migration_url
    from ops_agent.store import migrations as m

    url = await migration_url(settings)
    if url is None:
        _err(
            "migrations need a Postgres URL: set DATABASE_URL (Supabase: the direct or "
            "session connection string), or run `supabase db push`"
        )
        return 2
    directory = m.migrations_dir(settings.ops_agent_migrations_dir)
    if args.status:
        for migration, applied in await m.status(url, directory):
            print(f"{'applied' if applied else 'pending'}  {migration.version}_{migration.name}")
        return 0
    applied_now = await m.migrate(url, directory)
    print(
        f"applied {len(applied_now)} migration(s)"
        + (": " + ", ".join(applied_now) if applied_now else "; the schema is up to date")
    )
    return 0


# --- keys ---


async def keys_create(args: argparse.Namespace, settings: Settings) -> int:
    from ops_agent.apikeys import issue_key
    from ops_agent.store import Role, StoreConflict, open_store
    from ops_agent.store.audit import record

    store = await open_store(settings)
    try:
        try:
            key, key_row = await issue_key(
                store, name=args.name, role=Role(args.role), created_by=_cli_actor()
            )
        except StoreConflict:
            _err(f"an active key named {args.name!r} already exists (revoke it first)")
            return 1
        await record(
            store,
            "keys.create",
            key_row.name,
            actor=_cli_actor(),
            role=key_row.role.value,
            prefix=key_row.prefix,
        )
    finally:
        await store.close()
    print(key)  # alone on stdout, so `KEY=$(ops-agent keys create ...)` captures it
    print(
        f"created {key_row.role.value} key {key_row.name!r} ({key_row.prefix}); "
        "it is shown once and cannot be read again",
        file=sys.stderr,
    )
    return 0


async def keys_list(args: argparse.Namespace, settings: Settings) -> int:
    from ops_agent.store import open_store

    store = await open_store(settings)
    try:
        keys = await store.list_api_keys(include_revoked=args.all)
    finally:
        await store.close()
    if args.json:
        print(json.dumps([k.model_dump(mode="json") for k in keys], indent=2))
        return 0
    print(f"{'PREFIX':<12} {'NAME':<24} {'ROLE':<9} {'CREATED':<20} {'LAST USED':<20} REVOKED")
    for k in keys:
        print(
            f"{k.prefix:<12} {k.name:<24} {k.role.value:<9} {_when(k.created_at):<20} "
            f"{_when(k.last_used_at):<20} {_when(k.revoked_at)}"
        )
    return 0


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


async def keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from ops_agent.store import open_store
    from ops_agent.store.audit import record

    store = await open_store(settings)
    try:
        revoked = await store.revoke_api_key(args.key)
        outcome = "ok" if revoked else "rejected"
        await record(store, "keys.revoke", args.key, outcome=outcome, actor=_cli_actor())
    finally:
        await store.close()
    if revoked is None:
        _err(f"no active key matches {args.key!r}")
        return 1
    print(f"revoked {revoked.name!r} ({revoked.prefix})", file=sys.stderr)
    return 0


# --- report ---


def _seconds(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    value = text.strip()
    if value[-1:] in units:
        return float(value[:-1]) * units[value[-1]]
    return float(value)


async def report(args: argparse.Namespace, settings: Settings) -> int:
    """Push this host's system metrics to an Ops Agent, every `--every`, `--count` times
    (0: until interrupted)."""
    import httpx

    from ops_agent.monitoring.system import system_metrics

    key = args.key or os.environ.get("OPS_AGENT_KEY")
    if not key:
        _err("an operator key is needed: --key or OPS_AGENT_KEY")
        return 2
    every = _seconds(args.every)
    if every < 1:
        _err("--every must be at least 1s")
        return 2
    url = args.url.rstrip("/") + "/api/metrics/ingest"
    sent = 0
    async with httpx.AsyncClient(timeout=10, headers={"authorization": f"Bearer {key}"}) as client:
        while args.count == 0 or sent < args.count:
            figures = system_metrics()
            host, at = figures.pop("host"), figures.pop("at")
            samples = [
                {"name": f"system_{name}", "value": value, "labels": {"host": host}, "ts": at}
                for name, value in figures.items()
                if isinstance(value, int | float)
            ]
            try:
                response = await client.post(url, json={"samples": samples})
                response.raise_for_status()
                print(f"{at} pushed {len(samples)} samples for {host}", file=sys.stderr)
            except httpx.HTTPError as exc:
                # A monitoring agent keeps going when its target hiccups; the next push retries.
                print(f"{at} push failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            sent += 1
            if args.count == 0 or sent < args.count:
                await asyncio.sleep(every)
    return 0


# --- task ---


async def task(args: argparse.Namespace, settings: Settings) -> int:
    """Parse a task (and, without --dry-run, carry it out on this configuration)."""
    from ops_agent.agent.language import TaskNotUnderstood, describe, parse_task
    from ops_agent.agent.ooda import OpsAgentOODA

    try:
        intent = parse_task(args.text)
    except TaskNotUnderstood as exc:
        _err(exc.message)
        if exc.would:
            _err(f"understood: {exc.would}")
        return 2
    if args.dry_run:
        out: dict[str, Any] = {**intent.as_dict(), "would": describe(intent)}
    else:
        agent = OpsAgentOODA(settings=settings, actor=_cli_actor())
        try:
            out = await agent.execute_task(args.text, args.priority)
        except TaskNotUnderstood as exc:  # understood, but not complete here
            _err(exc.message)
            return 2
        finally:
            await agent.aclose()
    if args.json:
        print(json.dumps(out, default=str))
    else:
        for key, value in out.items():
            print(
                f"{key}: {json.dumps(value, default=str) if not isinstance(value, str) else value}"
            )
    return 0 if out.get("status") != "failed" else 1


# --- demo ---


async def demo(args: argparse.Namespace, settings: Settings) -> int:
    """Stage scenarios against the agent on a throwaway embedded store; 1 if one missed."""
    from ops_agent.sandbox.demo import run_demo
    from ops_agent.sandbox.scenarios import SCENARIOS

    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        _err(f"unknown scenario {unknown[0]!r}; known: {', '.join(SCENARIOS)}, all")
        return 2
    return await run_demo(settings, names, as_json=args.json, plan=args.plan)


# --- doctor ---


async def doctor(args: argparse.Namespace, settings: Settings) -> int:
    from ops_agent.doctor import effective_settings, run_checks

    print("settings (secrets hidden; * = set, not the default):")
    for name, value, is_default in effective_settings(settings):
        print(f"  {'' if is_default else '*'}{name}={value}")
    failures = 0
    for check in await run_checks(settings):
        mark = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}[check.level]
        print(f"[{mark}] {check.name}: {check.message}")
        failures += check.level == "fail"
    print("all checks passed" if not failures else f"{failures} check(s) failed")
    return 1 if failures else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ops-agent", description="Ops Agent for Vercel apps")
    parser.add_argument("--version", action="version", version=f"ops-agent {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="serve every api/ function locally, with crons")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-crons", action="store_true", help="do not run vercel.json crons")
    p.add_argument(
        "--sandbox",
        action="store_true",
        help="feed the agent from a live local Vercel sandbox (traffic, deploys, incidents)",
    )

    sandbox = sub.add_parser("sandbox", help="local doubles of outside services").add_subparsers(
        dest="sandbox_command", required=True
    )
    p = sandbox.add_parser(
        "vercel", help="run the local Vercel double alone (point VERCEL_API_URL at it)"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8100)
    p.add_argument(
        "--project", action="append", help="a project to seed (repeatable; default: shop)"
    )
    p.add_argument("--token", default="sandbox-token", help="the bearer token it accepts")
    p.add_argument("--plan", choices=("hobby", "pro", "enterprise"), default="pro")
    p.add_argument(
        "--link",
        choices=("github", "github-limited", "gitlab", "bitbucket", "none"),
        default="github",
        help="the Git provider the projects are linked to",
    )
    p.add_argument("--build-seconds", type=float, default=20.0)
    p.add_argument("--webhook-url", help="deliver Vercel's webhooks here, signed")
    p.add_argument("--webhook-secret", help="the secret webhooks are signed with")
    p.set_defaults(sync_handler=sandbox_vercel)

    env = sub.add_parser("env", help="a project's environment variables").add_subparsers(
        dest="env_command", required=True
    )
    p = env.add_parser("list", help="list variables (never values), or --environments")
    p.add_argument("project")
    p.add_argument("--environment", help="only this environment's")
    p.add_argument("--environments", action="store_true", help="list the environments instead")
    p.set_defaults(handler=env_command)
    p = env.add_parser("set", help="create or overwrite a variable; the value comes on stdin")
    p.add_argument("project")
    p.add_argument("key")
    p.add_argument(
        "--environment", action="append", help="production (default), preview, a custom one"
    )
    p.add_argument("--type", choices=("encrypted", "plain", "sensitive"), default="encrypted")
    p.set_defaults(handler=env_command)
    p = env.add_parser("rm", help="remove a variable")
    p.add_argument("project")
    p.add_argument("key")
    p.add_argument("--environment", help="only where it applies to this environment")
    p.set_defaults(handler=env_command)

    schedule = sub.add_parser("schedule", help="the tick's outside scheduler").add_subparsers(
        dest="schedule_command", required=True
    )
    p = schedule.add_parser(
        "qstash", help="create or update the Upstash QStash schedule that calls the tick"
    )
    p.add_argument("--url", required=True, help="https://YOUR-APP/api/cron/tick")
    p.add_argument("--every", default="1m", help="how often: 1m (default), 5m, 1h, ...")
    p.add_argument("--id", default="ops-agent-tick", help="the schedule id (updates in place)")
    p.add_argument("--allow-http", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(handler=schedule_qstash)

    p = sub.add_parser("demo", help="stage an incident end to end and print its timeline")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument(
        "--plan",
        choices=("pro", "hobby"),
        default="pro",
        help="pro: drains and webhooks deliver; hobby: none, the tick reads Vercel's API",
    )
    p.add_argument(
        "--scenario",
        default="bad_deploy",
        help="a scenario name, or 'all' (default: bad_deploy)",
    )
    p.set_defaults(handler=demo)

    p = sub.add_parser("migrate", help="apply pending SQL migrations")
    p.add_argument("--status", action="store_true", help="list migrations and whether applied")
    p.set_defaults(handler=migrate)

    sub.add_parser("doctor", help="check configuration and connectivity").set_defaults(
        handler=doctor
    )

    p = sub.add_parser("report", help="push this host's system metrics to an Ops Agent")
    p.add_argument("--url", required=True, help="the agent's base URL")
    p.add_argument("--key", help="an operator API key (default: $OPS_AGENT_KEY)")
    p.add_argument("--every", default="15s", help="interval: 15s, 1m, ...")
    p.add_argument("--count", type=int, default=0, help="pushes before exiting (0: forever)")
    p.set_defaults(handler=report)

    p = sub.add_parser("task", help="give the agent a task in plain words")
    p.add_argument("text", help='e.g. "Deploy latest changes to production"')
    p.add_argument("--dry-run", action="store_true", help="print the parsed intent; do nothing")
    p.add_argument("--json", action="store_true")
    p.add_argument("--priority", default="normal", choices=PRIORITIES)
    p.set_defaults(handler=task)

    keys = sub.add_parser("keys", help="manage API keys").add_subparsers(
        dest="keys_command", required=True
    )
    p = keys.add_parser("create", help="create a key and print it once on stdout")
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=["viewer", "operator", "admin"])
    p.set_defaults(handler=keys_create)
    p = keys.add_parser("list", help="list keys (never the keys themselves)")
    p.add_argument("--all", action="store_true", help="include revoked keys")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=keys_list)
    p = keys.add_parser("revoke", help="revoke a key by id, name or prefix")
    p.add_argument("key")
    p.set_defaults(handler=keys_revoke)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        _err(str(exc))
        return 2
    if args.command == "serve":
        return serve(args, settings)
    if getattr(args, "sync_handler", None) is not None:  # runs its own event loop (uvicorn)
        sync: Callable[[argparse.Namespace, Settings], int] = args.sync_handler
        return sync(args, settings)
    handler: Command = args.handler
    try:
        return asyncio.run(handler(args, settings))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from ops_agent.redact import redactor

        _err(redactor.text(f"{type(exc).__name__}: {exc}"))
        if settings.store_backend is StoreBackend.EMBEDDED:
            _err(f"(embedded data folder: {settings.ops_agent_data_dir.resolve()})")
        return 1


if __name__ == "__main__":
    sys.exit(main())
