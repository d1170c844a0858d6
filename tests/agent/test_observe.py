"""Evidence joins the open incident of its project; everything observed is consumed once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import yaml

from ops_agent.agent.observe import (
    ANOMALY_CURSOR,
    EVIDENCE_KINDS,
    detect_anomalies,
    rotation,
)
from ops_agent.agent.orient import attach_evidence
from ops_agent.alerts.records import AlertRecords
from ops_agent.kv.redis import RedisKV
from ops_agent.monitoring.config import AnomalyPlaybook
from ops_agent.observations import Observation, ObservationLog
from ops_agent.runtime import Runtime
from ops_agent.settings import Settings
from ops_agent.store.postgres import PostgresStore
from tests.conftest import ALL_TABLES, clean_tables


async def test_evidence_joins_the_open_incident_of_its_project(
    settings: Settings, pg_url: str, redis_socket: str, tmp_path
) -> None:
    clean_tables(pg_url, *ALL_TABLES)
    config = tmp_path / "ops-agent.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "services": [
                    {"name": "shop-web", "url": "https://shop.example.com", "project": "shop"}
                ]
            }
        )
    )
    runtime = Runtime(
        settings.model_copy(update={"monitor_config": config}),
        store=PostgresStore(pg_url),
        kv=RedisKV(unix_socket_path=redis_socket, prefix=f"o{uuid.uuid4().hex[:6]}:"),
    )
    try:
        store = await runtime.store()
        now = datetime.now(UTC)
        incident = await AlertRecords(store).attach_incident(
            str(uuid.uuid4()), "project=shop", "shop-error-rate", "critical", now, now
        )
        log = ObservationLog(store)
        await log.publish(
            Observation(
                kind="service.down",
                subject="shop-web",
                dedup_key="service.down:shop-web:1",
                payload={"service": "shop-web", "error": "HTTP 503"},
            ),
            Observation(
                kind="deployment.production_ready",
                subject="dpl_fix",
                dedup_key="deployment.production_ready:dpl_fix",
                payload={"project_name": "shop", "commit_message": "fix: cart pricing"},
            ),
            Observation(
                kind="deployment.production_ready",
                subject="dpl_other",
                dedup_key="deployment.production_ready:dpl_other",
                payload={"project_name": "blog"},  # another project: not this incident's
            ),
        )
        log = ObservationLog(await runtime.store())
        pending = await log.pending(kinds=EVIDENCE_KINDS)
        assert len(pending) == 3 and await attach_evidence(runtime, pending) == 2
        assert await log.pending(kinds=EVIDENCE_KINDS) == []  # consumed: handled once
        timeline = (await AlertRecords(store).incident(str(incident["id"])))["timeline"]
        added = [e for e in timeline if e["kind"] == "evidence"]
        assert [(e["subject"], e["title"]) for e in added] == [
            ("shop-web", "HTTP 503"),
            ("dpl_fix", "fix: cart pricing"),
        ]
        assert added[1]["deployment_id"] == "dpl_fix" and added[0]["actor"] == "service"
        assert added[0]["observed"] == "service.down"
    finally:
        await runtime.close()


def test_a_sweep_starts_after_the_project_the_last_one_reached() -> None:
    projects: list[str | None] = ["web", "api", None, "shop"]
    assert rotation(projects, None) == [None, "api", "shop", "web"]
    assert rotation(projects, "api") == ["shop", "web", None, "api"]
    assert rotation(projects, "web") == [None, "api", "shop", "web"]
    assert rotation(projects, "gone") == [None, "api", "shop", "web"]


async def test_detection_out_of_time_leaves_the_rest_for_the_next_sweep(
    settings: Settings, pg_url: str, redis_socket: str
) -> None:
    """With no time left a sweep still checks one project, and the next sweep goes on with
    the next one; with time, it reaches every project."""
    clean_tables(pg_url, *ALL_TABLES)
    runtime = Runtime(
        settings,
        store=PostgresStore(pg_url),
        kv=RedisKV(unix_socket_path=redis_socket, prefix=f"s{uuid.uuid4().hex[:6]}:"),
    )
    bindings = [
        AnomalyPlaybook(kind="error_spike", project=p, playbook="rollback") for p in ("a", "b", "c")
    ]
    try:
        first = await detect_anomalies(runtime, bindings, seconds=0.0)
        second = await detect_anomalies(runtime, bindings, seconds=0.0)
        assert (first.checked, first.due, second.checked) == (1, 3, 1)
        kv = await runtime.kv()
        assert await kv.get(ANOMALY_CURSOR) == "b"  # a, then b: c is next
        everything = await detect_anomalies(runtime, bindings, seconds=60.0)
        assert everything.checked == 3 and await kv.get(ANOMALY_CURSOR) == "b"
    finally:
        await runtime.close()
