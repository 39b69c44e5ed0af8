"""Every configuration example in docs/providers.md is valid and builds its adapter."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest

from confiance.config.load import parse_config
from confiance.providers.base import ProviderContext, registry
from confiance.providers.builtin import builtin_registry
from confiance.providers.http import create_session

PAGE = Path(__file__).resolve().parents[2] / "docs" / "providers.md"
EXAMPLES = re.findall(r"```yaml\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)


def test_the_page_has_an_example_for_every_documented_server() -> None:
    text = "\n".join(EXAMPLES)
    for needle in (
        "api.openai.com",
        "openai.azure.com",
        "11434",
        "8080",
        "mistral.ai",
        "groq.com",
        "openrouter.ai",
        "api.anthropic.com",
        "googleapis.com",
        "kind: simulated",
    ):
        assert needle in text, f"docs/providers.md lost its {needle} example"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.split("\n")[2].strip(" :"))
async def test_example_is_valid_and_builds_its_adapters(example: str) -> None:
    config = parse_config(example, "docs/providers.md").config
    registry = builtin_registry()
    assert config.providers
    for name, provider in config.providers.items():
        async with create_session(provider) as session:
            assert isinstance(session, aiohttp.ClientSession)
            adapter = registry.create(ProviderContext(name, provider, session, "sk-test"))
            assert adapter.name == name


def test_builtins_are_registered_in_the_process_registry() -> None:
    assert [str(kind) for kind in registry.kinds()] == [
        str(kind) for kind in builtin_registry().kinds()
    ]
    assert {"openai", "anthropic", "gemini", "simulated"} <= {str(k) for k in registry.kinds()}
