"""What a cold start of each function imports: nothing its routes do not need. Checked in a
fresh interpreter per function (the test process has imported everything already)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Modules no function imports: FastAPI's check for pydantic v1 models (declined).
NOWHERE = ["pydantic.v1"]
# function module -> modules its cold start must not import
NOT_IMPORTED = {
    "api.health": [
        "ops_agent.monitoring.tool",
        "ops_agent.monitoring.metrics",
        "ops_agent.monitoring.checks",
        "ops_agent.alerts.tool",
        "ops_agent.logs.tool",
        "qstash",
    ],
    # QStash and protobuf: on use; the task language: for a queued plain-words task
    "api.cron.tick": ["qstash", "jwt", "google.protobuf", "ops_agent.agent.language.parser"],
    "api.drains.logs": ["google.protobuf", "qstash"],  # protobuf: trace deliveries only
    "api.alerts": ["qstash", "google.protobuf"],
    "api.logs": ["qstash", "google.protobuf", "ops_agent.alerts.tool"],
    "api.metrics": ["qstash", "google.protobuf"],
    "api.deployments": ["qstash", "google.protobuf"],
    "api.tasks": ["google.protobuf", "ops_agent.agent.tick", "ops_agent.agent.act.engine"],
}


@pytest.mark.parametrize("module", sorted(NOT_IMPORTED))
def test_a_cold_start_imports_only_what_its_routes_need(module: str) -> None:
    # a module declined with `sys.modules[name] = None` is not imported
    loaded = "[k for k, v in sys.modules.items() if v]"
    code = f"import sys, json, {module}; print(json.dumps({loaded}))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'lib'}:{ROOT}", "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded = set(json.loads(out.stdout))
    assert not [m for m in [*NOWHERE, *NOT_IMPORTED[module]] if m in loaded]


def test_span_kinds_are_the_protos() -> None:
    from opentelemetry.proto.trace.v1.trace_pb2 import Span

    from ops_agent.logs import traces

    assert dict(Span.SpanKind.items()) == traces._KINDS
