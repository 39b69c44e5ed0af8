"""``confiance apply``, ``config diff|validate`` and ``routes ...`` through the real CLI."""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from confiance.cli import config as config_cli
from confiance.store import Store

CONFIG = textwrap.dedent(
    """\
    providers:
      sim: {kind: simulated, base_url: "http://127.0.0.1:9000/v1"}
      openai: {kind: openai, base_url: "https://api.openai.com/v1", api_key_env: CF_TEST_KEY}
    routes:
      bot:
        target: openai/gpt-4o-mini
        fallbacks: [backup]
        params: {temperature: 0.2}
      backup: {target: sim/echo}
    """
)


class Cli:
    """The CLI with the config commands registered, a config file and a SQLite store."""

    def __init__(self, tmp_path: Path) -> None:
        self.app = typer.Typer()
        config_cli.register(self.app)
        self.config = tmp_path / "confiance.yaml"
        self.config.write_text(CONFIG, encoding="utf-8")
        self.env = {
            "CONFIANCE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cf.db'}",
            "CONFIANCE_CONFIG": str(self.config),
            "CF_TEST_KEY": "set",
            "COLUMNS": "200",
        }

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(self.app, list(args), env=self.env, input=input)

    def json(self, *args: str) -> object:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def edit(self, old: str, new: str) -> None:
        self.config.write_text(self.config.read_text().replace(old, new), encoding="utf-8")


def _with_store(url: str, work: object) -> object:
    async def main() -> object:
        async with await Store.open(url) as store:
            return await work(store)  # type: ignore[operator]

    return asyncio.run(main())


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def test_validate_valid_file(cli: Cli) -> None:
    result = cli("config", "validate")
    assert result.exit_code == 0, result.output
    assert f"{cli.config} is valid: 2 providers, 2 routes" in result.stdout
    data = cli.json("config", "validate", "-c", str(cli.config))
    assert data["valid"] is True
    assert data["routes"] == ["backup", "bot"]


def test_validate_invalid_file_lists_every_problem_and_exits_2(cli: Cli) -> None:
    cli.edit("target: sim/echo", "target: sim/echo, retry: {max_attempts: 0}, oops: 1")
    result = cli("config", "validate")
    assert result.exit_code == 2
    assert f"{cli.config}:9:52: routes.backup.retry.max_attempts: Input should be" in result.stderr
    assert f"{cli.config}:9:56: routes.backup.oops: unknown key 'oops'" in result.stderr
    assert result.stdout == ""


def test_validate_json_error(cli: Cli) -> None:
    cli.edit("kind: simulated", "kind: simulatd")
    result = cli("config", "validate", "--json")
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "config_error"
    [problem] = error["problems"]
    assert (problem["line"], problem["column"], problem["path"]) == (2, 15, "providers.sim.kind")


def test_missing_file_exits_2(cli: Cli, tmp_path: Path) -> None:
    result = cli("config", "validate", "-c", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "config file not found" in result.stderr


def test_unset_key_variable_is_a_warning(cli: Cli) -> None:
    del cli.env["CF_TEST_KEY"]
    result = cli("config", "validate")
    assert result.exit_code == 0
    assert "warning: provider 'openai': environment variable CF_TEST_KEY is not set" in (
        result.stderr
    )


def test_apply_then_no_op(cli: Cli) -> None:
    result = cli("apply", "--yes", "-m", "first")
    assert result.exit_code == 0, result.output
    assert "+ bot" in result.stdout
    assert "applied revision 1" in result.stdout
    again = cli("apply", "--yes")
    assert again.exit_code == 0
    assert "No changes: revision 1 already holds this config." in again.stdout
    [version] = cli.json("routes", "history", "bot")
    assert version["message"] == "first"


def test_apply_json(cli: Cli) -> None:
    data = cli.json("apply", "--yes")
    assert data["applied"] is True
    assert data["revision"] == 1
    assert data["diff"]["summary"]["added"]["routes"] == ["backup", "bot"]
    refused = cli("apply", "--json")
    assert refused.exit_code == 2
    assert "--json needs --yes or --dry-run" in refused.output


def test_apply_dry_run_stores_nothing(cli: Cli) -> None:
    result = cli("apply", "--dry-run")
    assert result.exit_code == 0
    assert "Dry run: nothing stored." in result.stdout
    assert cli.json("routes", "list") == {}


def test_apply_asks_and_can_be_declined(cli: Cli) -> None:
    declined = cli("apply", input="n\n")
    assert declined.exit_code == 1
    assert "Nothing stored." in declined.stderr
    assert cli.json("routes", "list") == {}
    accepted = cli("apply", input="y\n")
    assert accepted.exit_code == 0
    assert set(cli.json("routes", "list")) == {"backup", "bot"}  # type: ignore[arg-type]


def test_apply_invalid_config_stores_nothing(cli: Cli) -> None:
    cli.edit("fallbacks: [backup]", "fallbacks: [missing]")
    result = cli("apply", "--yes")
    assert result.exit_code == 2
    assert (
        f"{cli.config}:7:17: routes.bot.fallbacks[0]: 'missing' is neither provider/model nor "
        "a known route" in result.stderr
    )
    # Not even the store was created: the file was checked before anything was opened.
    assert not Path(cli.env["CONFIANCE_DATABASE_URL"].split("///", 1)[1]).exists()
    assert "no Confiance store here" in cli("routes", "list").stderr


def test_config_diff_and_exit_code(cli: Cli) -> None:
    cli("apply", "--yes")
    unchanged = cli("config", "diff", "--exit-code")
    assert unchanged.exit_code == 0
    assert "No changes." in unchanged.stdout
    cli.edit("temperature: 0.2", "temperature: 0.9")
    changed = cli("config", "diff")
    assert changed.exit_code == 0
    assert "~ bot" in changed.stdout
    assert "params.temperature: 0.2 → 0.9" in changed.stdout
    assert cli("config", "diff", "--exit-code").exit_code == 1
    data = cli.json("config", "diff")
    assert data["base_revision"] == 1
    [change] = data["changes"]
    assert change["fields"] == [{"path": "params.temperature", "old": 0.2, "new": 0.9}]


def test_routes_list_show_history(cli: Cli) -> None:
    _with_store(cli.env["CONFIANCE_DATABASE_URL"], lambda store: store.keys.version())
    empty = cli("routes", "list")
    assert "No config applied yet" in empty.stdout
    cli("apply", "--yes")
    cli.edit("temperature: 0.2", "temperature: 0.5")
    cli("apply", "--yes", "-m", "warmer")
    listing = cli("routes", "list")
    assert listing.exit_code == 0
    assert "openai/gpt-4o-mini" in listing.stdout
    shown = cli("routes", "show", "bot")
    assert "1. openai/gpt-4o-mini" in shown.stdout
    assert "2. sim/echo" in shown.stdout
    assert cli.json("routes", "show", "bot")["chain"] == ["openai/gpt-4o-mini", "sim/echo"]
    history = cli("routes", "history", "bot")
    assert "params.temperature: 0.2 → 0.5" in history.stdout
    assert "warmer" in history.stdout
    missing = cli("routes", "show", "nope")
    assert missing.exit_code == 2
    assert "route 'nope' is not in revision 2" in missing.stderr
    assert cli("routes", "history", "nope").exit_code == 2


def test_routes_rollback(cli: Cli) -> None:
    cli("apply", "--yes")
    cli.edit("temperature: 0.2", "temperature: 0.5")
    cli("apply", "--yes")
    declined = cli("routes", "rollback", "bot", "--to", "1", input="n\n")
    assert declined.exit_code == 1
    assert "params.temperature: 0.5 → 0.2" in declined.stdout
    data = cli.json("routes", "rollback", "bot", "--to", "1", "--yes")
    assert data["revision"] == 3
    assert cli.json("routes", "show", "bot")["definition"]["params"] == {"temperature": 0.2}
    again = cli("routes", "rollback", "bot", "--to", "1", "--yes")
    assert again.exit_code == 0
    assert "no changes" in again.stdout
    missing = cli("routes", "rollback", "bot", "--to", "9", "--yes")
    assert missing.exit_code == 2
    assert "config revision 9 does not exist" in missing.stderr


def test_rollback_to_an_invalid_state_exits_2(cli: Cli) -> None:
    cli("apply", "--yes")
    cli.config.write_text(
        "providers:\n  sim: {kind: simulated, base_url: 'http://127.0.0.1:9000/v1'}\n"
        "routes:\n  bot: {target: sim/x}\n",
        encoding="utf-8",
    )
    cli("apply", "--yes")
    result = cli("routes", "rollback", "bot", "--to", "1", "--yes")
    assert result.exit_code == 2
    assert "routes.bot.target: unknown provider 'openai'" in result.stderr


def test_help_teaches_with_examples(cli: Cli) -> None:
    for command in (
        ["apply"],
        ["config", "diff"],
        ["config", "validate"],
        ["routes", "list"],
        ["routes", "show"],
        ["routes", "history"],
        ["routes", "rollback"],
    ):
        result = cli(*command, "--help")
        assert result.exit_code == 0
        assert "Example: confiance" in result.stdout, command
