"""The Store contract, run against both transports (psycopg and Supabase RPC) on real Postgres."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from ops_agent.apikeys import generate_key, issue_key
from ops_agent.store import AuditEntry, Role, Store, StoreConflict, StoreError
from ops_agent.store.errors import StoreRefusedValue, error_for


async def test_ping_answers(store: Store) -> None:
    await store.ping()


async def test_key_lifecycle(store: Store) -> None:
    key, record = await issue_key(store, name="deployer", role=Role.OPERATOR, created_by="test")
    found = await store.authenticate_api_key(generate_key().key_hash)
    assert found is None
    from ops_agent.apikeys import hash_key

    found = await store.authenticate_api_key(hash_key(key))
    assert found is not None and found.id == record.id and found.role is Role.OPERATOR
    listed = await store.list_api_keys()
    assert [k.name for k in listed] == ["deployer"]
    assert listed[0].last_used_at is not None  # authentication marked it used

    revoked = await store.revoke_api_key(record.prefix)
    assert revoked is not None and revoked.revoked_at is not None
    assert await store.authenticate_api_key(hash_key(key)) is None
    assert await store.list_api_keys() == []
    assert len(await store.list_api_keys(include_revoked=True)) == 1
    assert await store.revoke_api_key("deployer") is None  # already revoked


async def test_active_key_names_are_unique(store: Store) -> None:
    await issue_key(store, name="ci", role=Role.VIEWER, created_by="test")
    with pytest.raises(StoreConflict) as caught:
        await issue_key(store, name="ci", role=Role.ADMIN, created_by="test")
    assert caught.value.code == "23505"
    await store.revoke_api_key("ci")
    await issue_key(store, name="ci", role=Role.ADMIN, created_by="test")  # free again


async def test_concurrent_creates_of_one_name_admit_exactly_one(store: Store) -> None:
    results = await asyncio.gather(
        *(issue_key(store, name="race", role=Role.VIEWER, created_by=f"w{i}") for i in range(20)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, StoreConflict) for r in results if isinstance(r, BaseException))


async def test_audit_batch_append_list_and_paginate(store: Store) -> None:
    entries = [
        AuditEntry(
            actor="alice" if i % 2 else "bob",
            action=f"keys.create.{i}",
            outcome="ok",
            target=f"t{i}",
            status_code=201,
            request_id=f"r{i}",
            details={"i": i},
        )
        for i in range(25)
    ]
    assert await store.append_audit(*entries) == 25
    first = await store.list_audit(limit=10)
    assert [e.target for e in first] == [f"t{i}" for i in range(24, 14, -1)]
    second = await store.list_audit(limit=10, before_id=first[-1].id)
    assert [e.target for e in second] == [f"t{i}" for i in range(14, 4, -1)]
    alice = await store.list_audit(actor="alice", limit=100)
    assert {e.actor for e in alice} == {"alice"} and len(alice) == 12
    assert first[0].details == {"i": 24} and first[0].at is not None


async def test_audit_purge_is_bounded(store: Store) -> None:
    old = datetime.now(UTC) - timedelta(days=400)
    await store.append_audit(
        *(AuditEntry(actor="a", action="x", outcome="ok", at=old) for _ in range(7))
    )
    await store.append_audit(AuditEntry(actor="a", action="fresh", outcome="ok"))
    cutoff = datetime.now(UTC) - timedelta(days=365)
    assert await store.purge_audit(cutoff, batch=5) == 5
    assert await store.purge_audit(cutoff, batch=5) == 2
    assert await store.purge_audit(cutoff, batch=5) == 0
    assert [e.action for e in await store.list_audit()] == ["fresh"]


async def test_unknown_function_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError):
        await store.rpc("ops_does_not_exist", {})
    with pytest.raises(ValueError, match="not an ops_"):
        await store.rpc("pg_sleep", {"seconds": 1})


async def test_bad_argument_value_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError) as caught:
        await store.rpc(
            "ops_api_key_create",
            {"p_name": "x", "p_role": "overlord", "p_prefix": "p", "p_key_hash": "h"},
        )
    assert caught.value.code == "23514"  # the role check constraint


@pytest.mark.parametrize(
    ("function", "args", "status", "code"),
    [
        ("ops_alert_get", {"p_id": "0" * 36}, 400, "invalid_value"),  # not a UUID
        ("ops_audit_list", {"p_before_id": str(2**70)}, 400, "invalid_value"),  # past bigint
        ("ops_audit_purge", {"p_older_than": "2026-01-01T00:00:00+20:00"}, 400, "invalid_value"),
    ],
)
async def test_values_postgres_refuses_are_the_requests_fault(
    store: Store, function: str, args: dict[str, str], status: int, code: str
) -> None:
    """What Postgres refuses as data (SQLSTATE class 22) is a 4xx saying what kind of value,
    on both transports, and never quotes the value back."""
    with pytest.raises(StoreRefusedValue) as caught:
        await store.rpc(function, args)
    problem = caught.value.problem()
    assert (problem.status, problem.code) == (status, code)
    assert "0000" not in problem.message and str(2**70) not in problem.message


@pytest.mark.parametrize(
    ("sqlstate", "status"),
    [
        ("54001", 422),
        ("54000", 422),
        ("57014", 503),
        ("22P02", 400),
        ("23505", 409),
        ("XX000", 500),
    ],
)
def test_each_sqlstate_class_has_its_answer(sqlstate: str, status: int) -> None:
    """Too complex (54) is the request's fault; a statement timeout (57014) is the store's,
    worth retrying; what is not understood stays an internal error."""
    assert error_for(sqlstate, "m").problem().status == status
