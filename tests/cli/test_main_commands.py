"""`confiance CMD` loads only CMD's module; everything else loads every command."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from confiance.cli.main import _ALL, _OWNERS, _modules_for, app


def command_names() -> set[str]:
    commands: dict[str, object] = getattr(typer.main.get_command(app), "commands", {})
    return set(commands)


PROBE = """\
import sys
sys.argv = {argv!r}
import confiance.cli.main
heavy = ("scipy", "confiance.gateway.server", "confiance.store", "sqlalchemy")
print(",".join(name for name in heavy if name in sys.modules))
"""


def loaded_after(argv: list[str]) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True, text=True, check=True
    )
    return {name for name in result.stdout.strip().split(",") if name}


def test_confiance_scan_starts_without_the_gateway_store_or_scipy() -> None:
    assert loaded_after(["/usr/local/bin/confiance", "scan", "src"]) == set()
    assert loaded_after(["/x/site-packages/confiance/__main__.py", "scan", "src"]) == set()


def test_help_and_unknown_words_load_every_command() -> None:
    everything = {"scipy", "confiance.gateway.server", "confiance.store", "sqlalchemy"}
    assert loaded_after(["confiance", "--help"]) >= everything - {"confiance.gateway.server"}
    assert _modules_for(["confiance", "--help"]) == _ALL
    assert _modules_for(["confiance", "scna"]) == _ALL
    assert _modules_for(["pytest", "scan"]) == _ALL  # not our program: load all


@pytest.mark.parametrize("word", sorted(_OWNERS))
def test_every_registered_top_level_command_has_its_owner(word: str) -> None:
    (module,) = _modules_for(["confiance", word])
    assert module in _ALL
    assert word in command_names(), f"{word} is mapped to {module} but nothing registers it"


def test_no_command_is_missing_from_the_map() -> None:
    assert command_names() == set(_OWNERS)
