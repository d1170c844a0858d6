"""Structured JSON logs on stdout, one object a line, with secrets redacted."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from ops_agent.redact import redactor
from ops_agent.settings import Settings

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

_RESERVED = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object; extra fields become keys; secrets are masked."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        clean = redactor.value(entry)
        return json.dumps(clean, default=str, separators=(",", ":"))


def configure_logging(settings: Settings) -> None:
    """Send every log line through the JSON formatter, registering the configured secrets."""
    secrets = [
        value.get_secret_value()
        for value in vars(settings).values()
        if hasattr(value, "get_secret_value")
    ]
    redactor.add(*secrets)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for noisy in ("httpx", "httpcore", "uvicorn.access", "psycopg.pool", "hpack"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
