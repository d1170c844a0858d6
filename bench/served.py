"""A server process of our own for the HTTP benches: started on a free 127.0.0.1 port, ready
once /api/health answers 200, stopped with SIGTERM (which stops its embedded Postgres and
Redis too)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def served(
    command: list[str], folder: Path, env: dict[str, str]
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run `command` + `--port N` in `folder`; yield the process and its base URL."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 (our own commands)
        [*command, "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(command)} did not come up")
            time.sleep(0.5)
        yield server, url
    finally:
        server.terminate()  # SIGTERM
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
