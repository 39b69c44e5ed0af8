from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from confiance.domain.keys import ApiKey, Role, hash_secret
from confiance.errors import AuthenticationError
from confiance.gateway.auth import KeyCache, extract_secret

SECRET = "cf-0123abcd-" + "A" * 43


def stored(**changes: object) -> ApiKey:
    base = ApiKey(
        id="k",
        name="n",
        prefix="cf-0123abcd",
        secret_hash=hash_secret(SECRET),
        role=Role.APP,
        routes=(),
        created_at=datetime.now(UTC),
    )
    return ApiKey(**{**{f: getattr(base, f) for f in base.__slots__}, **changes})  # type: ignore[arg-type]


def test_valid_key_authenticates() -> None:
    cache = KeyCache()
    cache.replace([stored()], "v1")
    assert cache.authenticate(SECRET).id == "k"


@pytest.mark.parametrize(
    ("secret", "fragment"),
    [
        (None, "no API key"),
        ("", "no API key"),
        ("sk-not-ours", "invalid API key"),
        ("cf-0123abcd-" + "B" * 43, "invalid API key"),
        ("cf-ffffffff-" + "A" * 43, "invalid API key"),
    ],
)
def test_bad_keys_are_rejected(secret: str | None, fragment: str) -> None:
    cache = KeyCache()
    cache.replace([stored()], "v1")
    with pytest.raises(AuthenticationError, match=fragment):
        cache.authenticate(secret)


def test_revoked_and_expired_keys_are_rejected() -> None:
    now = datetime.now(UTC)
    cache = KeyCache()
    cache.replace([stored(revoked_at=now)], "v1")
    with pytest.raises(AuthenticationError, match="revoked"):
        cache.authenticate(SECRET)
    cache.replace([stored(expires_at=now - timedelta(seconds=1))], "v2")
    with pytest.raises(AuthenticationError, match="expired"):
        cache.authenticate(SECRET)


def test_secret_is_read_from_each_header_style() -> None:
    assert extract_secret({"Authorization": "Bearer abc"}) == "abc"
    assert extract_secret({"Authorization": "Basic abc"}) is None
    assert extract_secret({"x-api-key": "abc"}) == "abc"
    assert extract_secret({"api-key": "abc"}) == "abc"
    assert extract_secret({}) is None
