"""store.keys on both backends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta, timezone

import pytest

from confiance.domain.keys import ApiKey, Role
from confiance.errors import Conflict, NotFound
from confiance.store import AuditDraft, Store

from .support import at

PARIS = timezone(timedelta(hours=1))


def make_key(n: int, **changes: object) -> ApiKey:
    key = ApiKey(
        id=f"key_{n}",
        name=f"service {n}",
        prefix=f"cf-{n:08d}",
        secret_hash=f"{n:064x}",
        role=Role.APP,
        routes=("support-bot", "summariser"),
        created_at=at(n),
    )
    return replace(key, **changes)  # type: ignore[arg-type]


async def test_add_get_list_round_trip(store: Store) -> None:
    expiring = make_key(1, expires_at=at(3600).astimezone(PARIS), role=Role.ADMIN, routes=())
    await store.keys.add(expiring)
    await store.keys.add(make_key(2))
    got = await store.keys.get("key_1")
    assert got == replace(expiring, expires_at=at(3600))
    assert got.expires_at is not None
    assert got.expires_at.tzinfo == UTC
    assert got.routes == ()
    assert got.role is Role.ADMIN
    assert [k.id for k in await store.keys.list()] == ["key_1", "key_2"]
    assert await store.keys.by_prefix("cf-00000002") == make_key(2)


async def test_unknown_key_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="key_9"):
        await store.keys.get("key_9")
    with pytest.raises(NotFound, match="cf-x"):
        await store.keys.by_prefix("cf-x")
    with pytest.raises(NotFound, match="key_9"):
        await store.keys.revoke("key_9", at(5))


async def test_duplicate_id_or_prefix_conflicts(store: Store) -> None:
    await store.keys.add(make_key(1))
    with pytest.raises(Conflict, match="key_1"):
        await store.keys.add(make_key(1, prefix="cf-other"))
    with pytest.raises(Conflict, match="cf-00000001"):
        await store.keys.add(make_key(2, prefix="cf-00000001"))
    assert [k.id for k in await store.keys.list()] == ["key_1"]


async def test_revoke_hides_key_and_twice_conflicts(store: Store) -> None:
    await store.keys.add(make_key(1))
    await store.keys.add(make_key(2))
    revoked = await store.keys.revoke("key_1", at(100).astimezone(PARIS))
    assert revoked.revoked_at == at(100)
    assert not revoked.is_active(at(101))
    assert [k.id for k in await store.keys.list()] == ["key_2"]
    assert [k.id for k in await store.keys.list(include_revoked=True)] == ["key_1", "key_2"]
    assert (await store.keys.get("key_1")).revoked_at == at(100)
    with pytest.raises(Conflict, match="already revoked"):
        await store.keys.revoke("key_1", at(200))
    assert (await store.keys.get("key_1")).revoked_at == at(100)


async def test_version_changes_on_every_add_and_revoke_only(store: Store) -> None:
    seen = [await store.keys.version()]
    await store.keys.add(make_key(1))
    seen.append(await store.keys.version())
    await store.keys.add(make_key(2))
    seen.append(await store.keys.version())
    await store.keys.revoke("key_2", at(9))
    seen.append(await store.keys.version())
    assert len(set(seen)) == 4
    with pytest.raises(Conflict):
        await store.keys.revoke("key_2", at(10))
    with pytest.raises(Conflict):
        await store.keys.add(make_key(1))
    await store.keys.list()
    assert await store.keys.version() == seen[-1]


async def test_key_changes_are_audited_in_the_same_transaction(store: Store) -> None:
    await store.keys.add(make_key(1), audit=AuditDraft("admin", "key.create", "key_1", {"n": 1}))
    await store.keys.revoke("key_1", at(50), audit=AuditDraft("admin", "key.revoke", "key_1", {}))
    events = await store.audit.list()
    assert [(e.seq, e.action, e.at) for e in events] == [
        (1, "key.create", at(1)),
        (2, "key.revoke", at(50)),
    ]
    bad = AuditDraft("admin", "key.create", "key_2", {"bad": {1, 2}})
    with pytest.raises(ValueError, match="JSON"):
        await store.keys.add(make_key(2), audit=bad)
    with pytest.raises(NotFound):
        await store.keys.get("key_2")
