"""The KV contract, run against both transports (RESP and Upstash REST) on a real Redis."""

from __future__ import annotations

import asyncio

import pytest

from ops_agent.kv import KV, LockHeld


async def test_get_set_delete(kv: KV) -> None:
    assert await kv.get("a") is None
    await kv.set("a", "1")
    assert await kv.get("a") == "1"
    assert await kv.delete("a", "missing") == 1
    assert await kv.get("a") is None


async def test_ttl_expires(kv: KV) -> None:
    await kv.set("short", "x", ttl=0.15)
    assert await kv.set_if_absent("dedup", 0.15)
    await asyncio.sleep(0.3)
    assert await kv.get("short") is None
    assert await kv.set_if_absent("dedup", 0.15)


async def test_incr_sets_ttl_once(kv: KV) -> None:
    assert await kv.incr("n", ttl=60) == 1
    assert await kv.incr("n", 5, ttl=60) == 6
    ttl = await kv.command("PTTL", kv.prefix + "n")
    assert 0 < int(ttl) <= 60_000


async def test_set_if_absent_has_exactly_one_winner_among_50(kv: KV) -> None:
    results = await asyncio.gather(*(kv.set_if_absent("webhook:evt_1", 60) for _ in range(50)))
    assert results.count(True) == 1


async def test_rate_limit_admits_exactly_n_in_a_burst(kv: KV) -> None:
    verdicts = await asyncio.gather(*(kv.rate_limit("slack", 10, 30) for _ in range(25)))
    allowed = [v for v in verdicts if v.allowed]
    denied = [v for v in verdicts if not v.allowed]
    assert len(allowed) == 10 and len(denied) == 15
    assert sorted(v.remaining for v in allowed) == list(range(10))
    assert all(0 < v.retry_after <= 30 for v in denied)


async def test_rate_limit_window_slides(kv: KV) -> None:
    assert (await kv.rate_limit("w", 1, 0.2)).allowed
    assert not (await kv.rate_limit("w", 1, 0.2)).allowed
    await asyncio.sleep(0.3)
    assert (await kv.rate_limit("w", 1, 0.2)).allowed


async def test_lock_is_exclusive_and_released(kv: KV) -> None:
    async with kv.lock("tick", ttl=10) as held:
        assert await kv.try_lock("tick", ttl=10) is None
        with pytest.raises(LockHeld):
            async with kv.lock("tick", ttl=10, wait=0.05):
                pass
        assert held.token
    again = await kv.try_lock("tick", ttl=10)
    assert again is not None
    await again.release()


async def test_expired_lock_holder_cannot_release_the_next_holder(kv: KV) -> None:
    first = await kv.try_lock("job", ttl=0.1)
    assert first is not None
    await asyncio.sleep(0.2)
    second = await kv.try_lock("job", ttl=10)
    assert second is not None
    assert not await first.release()  # compare-and-delete: not ours any more
    assert not await first.extend()
    assert await kv.try_lock("job", ttl=10) is None
    assert await second.extend(20)
    assert await second.release()


async def test_lock_waits_for_release(kv: KV) -> None:
    first = await kv.try_lock("w", ttl=10)
    assert first is not None

    async def release_soon() -> None:
        await asyncio.sleep(0.1)
        await first.release()

    task = asyncio.create_task(release_soon())
    async with kv.lock("w", ttl=10, wait=5):
        pass
    await task


async def test_ping(kv: KV) -> None:
    await kv.ping()
