"""``confiance apply`` and ``config validate`` enforce the same ``api_key_env`` rule as the API:
never ``CONFIANCE_*``, and only the operator's ``CONFIANCE_KEY_ENV_ALLOW`` list when set."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from confiance.app import open_services
from confiance.settings import Settings

from .test_config_cli import Cli


def _stored_revisions(cli: Cli) -> int:
    async def count() -> int:
        services = await open_services(Settings(database_url=cli.env["CONFIANCE_DATABASE_URL"]))
        try:
            return await services.store.revisions.latest_number()
        finally:
            await services.close()

    return asyncio.run(count())


def test_apply_refuses_a_confiance_variable_with_one_located_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.edit("api_key_env: CF_TEST_KEY", "api_key_env: CONFIANCE_SECRET_KEY")
    result = cli("apply", "-y")
    assert result.exit_code == 2
    line = (
        f"{cli.config}:3:78: providers.openai.api_key_env: CONFIANCE_SECRET_KEY may not hold a "
        "provider key"
    )
    assert line in result.stderr
    assert result.stderr.count("may not hold") == 1
    assert _stored_revisions(cli) == 0


def test_apply_and_validate_follow_the_operator_list(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.env["CONFIANCE_KEY_ENV_ALLOW"] = "OPENAI_API_KEY,ANTHROPIC_*"
    refused = cli("apply", "-y")
    assert refused.exit_code == 2
    assert "providers.openai.api_key_env: CF_TEST_KEY is not among the variables allowed" in (
        refused.stderr
    )
    validate = cli("config", "validate", "--json")
    assert validate.exit_code == 2
    (problem,) = json.loads(validate.stdout)["error"]["problems"]
    assert (problem["line"], problem["column"], problem["path"]) == (
        3,
        78,
        "providers.openai.api_key_env",
    )
    assert _stored_revisions(cli) == 0
    cli.env["CONFIANCE_KEY_ENV_ALLOW"] = "OPENAI_API_KEY,CF_TEST_*"
    applied = cli("apply", "-y")
    assert applied.exit_code == 0, applied.output
    assert _stored_revisions(cli) == 1


def test_a_malformed_operator_list_is_a_one_line_error(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.env["CONFIANCE_KEY_ENV_ALLOW"] = "openai_api_key"
    result = cli("config", "validate")
    assert result.exit_code == 2
    assert "CONFIANCE_KEY_ENV_ALLOW: 'openai_api_key' is not a variable name or pattern" in (
        result.stderr
    )
    assert len(result.stderr.strip().splitlines()) == 1
