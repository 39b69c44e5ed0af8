"""The rule for which environment variables ``api_key_env`` may name: never ``CONFIANCE_*``,
and only the operator's list when ``CONFIANCE_KEY_ENV_ALLOW`` is set."""

from __future__ import annotations

import pytest

from confiance.config.keyenv import KeyEnvPolicy
from confiance.config.load import parse_config
from confiance.config.problems import InvalidConfig
from confiance.settings import Settings

CONFIG = """\
providers:
  ok: {kind: openai, base_url: "https://api.openai.com/v1", api_key_env: OPENAI_API_KEY}
  evil:
    kind: openai
    base_url: "https://attacker.example/v1"
    api_key_env: CONFIANCE_SECRET_KEY
routes:
  bot: {target: ok/gpt-4o}
"""


def _problems(text: str, policy: KeyEnvPolicy | None = None) -> list[str]:
    with pytest.raises(InvalidConfig) as raised:
        parse_config(text, "c.yaml", key_env=policy)
    return [str(problem) for problem in raised.value.problems]


def test_confiance_variables_are_refused_by_default_with_the_line_and_column() -> None:
    assert _problems(CONFIG) == [
        "c.yaml:6:18: providers.evil.api_key_env: CONFIANCE_SECRET_KEY may not hold a provider "
        "key: variables named CONFIANCE_* are the gateway's own settings and secrets (name a "
        "variable of your own, e.g. OPENAI_API_KEY)"
    ]


@pytest.mark.parametrize(
    "variable", ["CONFIANCE_DATABASE_URL", "CONFIANCE_", "CONFIANCE_KEY_ENV_ALLOW"]
)
def test_every_confiance_name_is_refused_even_when_the_operator_allows_everything(
    variable: str,
) -> None:
    text = CONFIG.replace("CONFIANCE_SECRET_KEY", variable)
    (problem,) = _problems(text, KeyEnvPolicy(("*",)))
    assert f"providers.evil.api_key_env: {variable} may not hold a provider key" in problem


def test_names_that_merely_contain_confiance_are_fine_by_default() -> None:
    for variable in ("MY_CONFIANCE_KEY", "CONFIANCEX_KEY", "OPENAI_API_KEY"):
        parse_config(CONFIG.replace("CONFIANCE_SECRET_KEY", variable), "c.yaml")


def test_the_operator_list_allows_names_and_patterns_only() -> None:
    policy = KeyEnvPolicy(("OPENAI_API_KEY", "VENDOR_*_KEY"))
    parse_config(
        CONFIG.replace("CONFIANCE_SECRET_KEY", "VENDOR_ACME_KEY"), "c.yaml", key_env=policy
    )
    (problem,) = _problems(CONFIG.replace("CONFIANCE_SECRET_KEY", "AWS_SECRET_ACCESS_KEY"), policy)
    assert problem == (
        "c.yaml:6:18: providers.evil.api_key_env: AWS_SECRET_ACCESS_KEY is not among the "
        "variables allowed for provider keys (CONFIANCE_KEY_ENV_ALLOW=OPENAI_API_KEY,"
        "VENDOR_*_KEY) (name a variable of your own, e.g. OPENAI_API_KEY, that "
        "CONFIANCE_KEY_ENV_ALLOW allows (the operator sets it))"
    )
    # Matching is exact and case-sensitive: a prefix of an allowed name is not allowed.
    assert _problems(CONFIG.replace("CONFIANCE_SECRET_KEY", "OPENAI_API_KEY_2"), policy)
    assert _problems(CONFIG.replace("CONFIANCE_SECRET_KEY", "VENDOR_KEY"), policy)


def test_every_refused_provider_is_reported_at_once() -> None:
    text = CONFIG.replace("api_key_env: OPENAI_API_KEY", "api_key_env: CONFIANCE_REDIS_URL")
    problems = _problems(text)
    assert [p.split(": ")[1] for p in problems] == [
        "providers.ok.api_key_env",
        "providers.evil.api_key_env",
    ]


def test_the_setting_is_read_from_the_environment() -> None:
    env = {"CONFIANCE_KEY_ENV_ALLOW": "OPENAI_API_KEY, ANTHROPIC_*  GEMINI_API_KEY"}
    settings = Settings.from_env(env)
    assert settings.key_env_allow == ("OPENAI_API_KEY", "ANTHROPIC_*", "GEMINI_API_KEY")
    assert KeyEnvPolicy.of(settings).refusal("ANTHROPIC_API_KEY") is None
    assert KeyEnvPolicy.of(Settings.from_env({})).allowed == ()


@pytest.mark.parametrize("value", ["openai_api_key", "OPENAI-KEY", "A,[B]", "KEY=1"])
def test_a_malformed_setting_is_a_precise_error(value: str) -> None:
    with pytest.raises(ValueError, match=r"^CONFIANCE_KEY_ENV_ALLOW: '.+' is not a variable"):
        Settings.from_env({"CONFIANCE_KEY_ENV_ALLOW": value})
