"""``confiance keys create|list|revoke`` through the real CLI."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from confiance.cli import keys as keys_cli
from confiance.domain.keys import ApiKey, hash_secret
from confiance.store import Store

SECRET = re.compile(r"cf-[0-9a-f]{8}-[A-Za-z0-9_-]{43}")


class Cli:
    def __init__(self, tmp_path: Path) -> None:
        self.app = typer.Typer()
        keys_cli.register(self.app)
        self.url = f"sqlite+aiosqlite:///{tmp_path / 'cf.db'}"
        self.env = {"CONFIANCE_DATABASE_URL": self.url, "COLUMNS": "200"}

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(self.app, list(args), env=self.env)

    def json(self, *args: str) -> object:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def stored(self) -> list[ApiKey]:
        async def read() -> list[ApiKey]:
            store = await Store.open(self.url)
            try:
                return await store.keys.list(include_revoked=True)
            finally:
                await store.close()

        return asyncio.run(read())


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def test_create_prints_the_secret_once_and_stores_its_hash(cli: Cli) -> None:
    result = cli("keys", "create", "--role", "app", "--name", "checkout", "--routes", "a,b")
    assert result.exit_code == 0, result.output
    [secret] = SECRET.findall(result.stdout)
    assert "cannot be shown again" in result.stderr
    [key] = cli.stored()
    assert key.secret_hash == hash_secret(secret)
    assert (key.name, key.role.value, key.routes) == ("checkout", "app", ("a", "b"))
    assert secret.startswith(key.prefix + "-")
    listing = cli("keys", "list")
    assert key.prefix in listing.stdout
    assert secret not in listing.stdout
    assert key.secret_hash not in listing.stdout
    # routes not in any applied config are allowed, with a warning
    assert "route 'a' is not in the applied config" in result.stderr


def test_create_json(cli: Cli) -> None:
    data = cli.json("keys", "create", "--role", "admin")
    assert SECRET.fullmatch(data["secret"])
    assert data["key"]["role"] == "admin"
    assert data["key"]["name"] == "admin key"
    assert "secret_hash" not in data["key"]
    listed = cli.json("keys", "list")
    assert data["secret"] not in json.dumps(listed)
    assert "secret_hash" not in json.dumps(listed)


def test_expiry_forms(cli: Cli) -> None:
    before = datetime.now(UTC)
    relative = cli.json("keys", "create", "--role", "app", "--expires", "30d")
    expires = datetime.fromisoformat(relative["key"]["expires_at"])
    assert before + timedelta(days=30) <= expires <= datetime.now(UTC) + timedelta(days=30)
    dated = cli.json("keys", "create", "--role", "app", "--expires", "2099-01-01")
    assert dated["key"]["expires_at"] == "2099-01-01T00:00:00+00:00"
    bad = cli("keys", "create", "--role", "app", "--expires", "soon")
    assert bad.exit_code == 2
    assert "'soon' is neither a duration" in bad.output
    past = cli("keys", "create", "--role", "app", "--expires", "2001-01-01")
    assert past.exit_code == 2
    assert "must be a time-zone aware time in the future" in past.stderr
    assert len(cli.stored()) == 2


def test_bad_role_and_bad_route_exit_2(cli: Cli) -> None:
    assert cli("keys", "create", "--role", "root").exit_code == 2
    bad = cli("keys", "create", "--role", "app", "--routes", "ok,not ok")
    assert bad.exit_code == 2
    assert "route name 'not ok'" in bad.stderr
    assert cli.stored() == []


def test_revoke_by_prefix_and_id(cli: Cli) -> None:
    first = cli.json("keys", "create", "--role", "app", "--name", "one")["key"]
    second = cli.json("keys", "create", "--role", "app", "--name", "two")["key"]
    result = cli("keys", "revoke", first["prefix"])
    assert result.exit_code == 0
    assert f"revoked {first['id']}" in result.stdout
    assert cli.json("keys", "revoke", second["id"])["revoked_at"] is not None
    assert cli.json("keys", "list") == []
    assert [k["name"] for k in cli.json("keys", "list", "--all")] == ["one", "two"]
    listing = cli("keys", "list", "--all")
    assert listing.stdout.count("revoked") == 2
    again = cli("keys", "revoke", first["id"])
    assert again.exit_code == 2
    assert "already revoked" in again.stderr
    missing = cli("keys", "revoke", "key_nope")
    assert missing.exit_code == 2
    assert "does not exist" in missing.stderr


def test_help_teaches_with_examples(cli: Cli) -> None:
    for command in ("create", "list", "revoke"):
        result = cli("keys", command, "--help")
        assert result.exit_code == 0
        assert "Example: confiance keys" in result.stdout
