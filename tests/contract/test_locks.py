"""Job locks: only one holder at a time across stores (processes, replicas) on one database."""

from __future__ import annotations

from confiance.store import Store


async def test_one_holder_at_a_time_across_stores(store: Store, store_url: str) -> None:
    other = await Store.open(store_url, migrate=False)
    try:
        async with store.locks.try_lock("scheduler") as first:
            assert first
            async with other.locks.try_lock("scheduler") as second:
                assert not second, "another store must not get a held lock"
            async with other.locks.try_lock("another-job") as unrelated:
                assert unrelated, "locks are per name"
        async with other.locks.try_lock("scheduler") as after:
            assert after, "released when the holder's block ends"
    finally:
        await other.close()


async def test_lock_is_released_when_the_job_fails(store: Store) -> None:
    try:
        async with store.locks.try_lock("job") as held:
            assert held
            raise RuntimeError("job failed")
    except RuntimeError:
        pass
    async with store.locks.try_lock("job") as again:
        assert again
