"""Run an ASGI app on a real socket on 127.0.0.1 in a background thread, for tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp


@contextmanager
def serve_in_thread(app: ASGIApp, **options: object) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 (a free port) until the block ends; yield its base URL.

    `options` go to uvicorn.Config (ssl_certfile and ssl_keyfile serve HTTPS)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", **options)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"{'https' if options.get('ssl_certfile') else 'http'}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def live_processes(under: str, *, servers_only: bool = False) -> list[str]:
    """Live (not zombie) processes whose command line or working folder mentions `under`;
    with `servers_only`, only postgres and redis-server. For tests that a process stopped
    what it started."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().split()[2]
            cwd = str((proc / "cwd").resolve())
        except OSError:
            continue
        if servers_only and "postgres" not in cmdline and "redis-server" not in cmdline:
            continue
        if state != "Z" and (under in cmdline or under in cwd):
            found.append(f"{proc.name}: {cmdline[:120]}")
    return found
