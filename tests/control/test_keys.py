"""KeyService against a real store: secrets shown once, stored hashed, audited, revoked."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from confiance.config.load import parse_config
from confiance.control.clock import Clock
from confiance.control.keys import KeyService, generate_secret, key_json
from confiance.control.revisions import RevisionService
from confiance.domain.keys import Role, hash_secret, parse_prefix
from confiance.errors import Conflict, NotFound, UsageError
from confiance.store import Store

SECRET_RE = re.compile(r"^cf-[0-9a-f]{8}-[A-Za-z0-9_-]{43}$")


@pytest.fixture
def keys(store: Store, clock: Clock) -> KeyService:
    return KeyService(store, clock, audit_actor="cli")


def test_generated_secrets_have_the_format_and_differ() -> None:
    drawn = {generate_secret() for _ in range(50)}
    assert len(drawn) == 50
    assert all(SECRET_RE.match(secret) for secret in drawn)


def test_hash_and_prefix_helpers() -> None:
    secret = generate_secret()
    assert parse_prefix(secret) == secret[:11]
    assert hash_secret(secret) == hash_secret(secret)
    assert hash_secret(secret) != hash_secret(secret + "x")
    assert re.fullmatch(r"[0-9a-f]{64}", hash_secret(secret))
    assert parse_prefix("sk-" + secret[3:]) is None
    assert parse_prefix(secret[:-1]) is None
    assert parse_prefix(secret.upper()) is None
    assert parse_prefix("") is None


async def test_create_stores_only_the_hash(keys: KeyService, store: Store) -> None:
    created = await keys.create("ci", Role.APP, ("bot",), author="alice")
    assert SECRET_RE.match(created.secret)
    assert created.secret not in repr(created)
    stored = await store.keys.get(created.key.id)
    assert stored.secret_hash == hash_secret(created.secret)
    assert stored.prefix == parse_prefix(created.secret)
    assert stored.routes == ("bot",)
    assert stored.role is Role.APP
    assert created.secret not in str(key_json(stored))
    assert stored.secret_hash not in str(key_json(stored))


async def test_create_and_revoke_are_audited_without_secrets(
    keys: KeyService, store: Store
) -> None:
    created = await keys.create("ci", Role.ADMIN, author="alice")
    await keys.revoke(created.key.id, author="bob")
    events = await store.audit.list()
    assert [(e.action, e.actor, e.subject) for e in events] == [
        ("key.create", "cli:alice", f"key:{created.key.id}"),
        ("key.revoke", "cli:bob", f"key:{created.key.id}"),
    ]
    text = repr([e.data for e in events])
    assert created.secret not in text
    assert created.key.secret_hash not in text
    assert events[0].data["prefix"] == created.key.prefix
    assert events[0].data["role"] == "admin"


async def test_list_and_revoke(keys: KeyService, clock: Clock) -> None:
    first = await keys.create("one", Role.APP)
    second = await keys.create("two", Role.REVIEWER)
    assert [k.name for k in await keys.list()] == ["one", "two"]
    revoked = await keys.revoke(first.key.prefix)  # by public prefix
    assert revoked.id == first.key.id
    assert revoked.revoked_at is not None
    assert not revoked.is_active(clock())
    assert [k.id for k in await keys.list()] == [second.key.id]
    assert {k.id for k in await keys.list(include_revoked=True)} == {
        first.key.id,
        second.key.id,
    }
    with pytest.raises(Conflict, match="already revoked"):
        await keys.revoke(first.key.id)
    with pytest.raises(NotFound):
        await keys.revoke("key_missing")
    with pytest.raises(NotFound):
        await keys.revoke("cf-00000000")


async def test_expiry(keys: KeyService, clock: Clock) -> None:
    later = clock() + timedelta(days=30)
    created = await keys.create("temp", Role.APP, expires_at=later)
    assert created.key.expires_at == later
    assert created.key.is_active(later - timedelta(seconds=1))
    assert not created.key.is_active(later)
    with pytest.raises(UsageError, match="in the future"):
        await keys.create("late", Role.APP, expires_at=clock() - timedelta(days=1))
    with pytest.raises(UsageError, match="time-zone aware"):
        await keys.create("naive", Role.APP, expires_at=later.replace(tzinfo=None))


async def test_bad_names_and_routes(keys: KeyService, store: Store) -> None:
    with pytest.raises(UsageError, match="key name"):
        await keys.create("  ", Role.APP)
    with pytest.raises(UsageError, match="key name"):
        await keys.create("x" * 101, Role.APP)
    with pytest.raises(UsageError, match="route name 'a b'"):
        await keys.create("k", Role.APP, ("a b",))
    with pytest.raises(UsageError, match="listed twice"):
        await keys.create("k", Role.APP, ("a", "a"))
    assert await store.keys.list(include_revoked=True) == []


async def test_unknown_routes_against_the_latest_config(
    keys: KeyService, store: Store, clock: Clock
) -> None:
    assert await keys.unknown_routes(["bot"]) == ("bot",)
    text = "providers:\n  s: {kind: simulated, base_url: 'http://127.0.0.1:1'}\n"
    text += "routes:\n  bot: {target: s/m}\n"
    await RevisionService(store, clock).apply(parse_config(text, "c"), "a", "m")
    assert await keys.unknown_routes(["bot", "other"]) == ("other",)


async def test_revoke_with_a_pasted_secret_never_echoes_it(keys: KeyService) -> None:
    created = await keys.create("pasted", Role.APP)
    revoked = await keys.revoke(created.secret)
    assert revoked.id == created.key.id
    unknown = generate_secret()
    with pytest.raises(NotFound) as caught:
        await keys.revoke(unknown)
    assert unknown not in caught.value.message
    assert unknown[:11] in caught.value.message
