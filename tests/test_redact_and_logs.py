"""Secrets never reach the logs."""

from __future__ import annotations

import json
import logging

from ops_agent.jsonlog import JsonFormatter, request_id_var
from ops_agent.redact import Redactor, redactor


def test_redactor_masks_known_values_and_credential_shapes() -> None:
    r = Redactor(["s3cr3t-value-xyz"])
    text = (
        "token s3cr3t-value-xyz; Authorization: Bearer abc.def.ghi; "
        "postgresql://postgres.ref:pa55word@db.supabase.co:6543/postgres; "
        "https://hooks.example/x?token=zzz&x=1; key oa_abcd1234_Zm9vYmFyYmF6cXV4MTIzNDU2"
    )
    out = r.text(text)
    for leaked in ("s3cr3t-value-xyz", "abc.def.ghi", "pa55word", "zzz", "Zm9vYmFy"):
        assert leaked not in out
    assert "db.supabase.co" in out and "x=1" in out  # the useful parts stay


def test_redactor_masks_secret_named_fields() -> None:
    clean = Redactor().value(
        {"headers": {"Authorization": "x", "accept": "json"}, "service_role_key": "k", "count": 3}
    )
    assert clean == {
        "headers": {"Authorization": "***", "accept": "json"},
        "service_role_key": "***",
        "count": 3,
    }


def test_json_log_lines_carry_request_id_and_hide_secrets() -> None:
    redactor.add("registered-secret-123")
    record = logging.LogRecord(
        "t",
        logging.INFO,
        __file__,
        1,
        "calling with Bearer tok.en.value and %s",
        ("registered-secret-123",),
        None,
    )
    record.webhook_secret = "whsec_abc"
    token = request_id_var.set("req-1")
    try:
        line = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)
    entry = json.loads(line)
    assert entry["request_id"] == "req-1" and entry["level"] == "info"
    assert "tok.en.value" not in line and "registered-secret-123" not in line
    assert entry["webhook_secret"] == "***"
