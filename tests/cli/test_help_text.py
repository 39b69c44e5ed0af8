"""Every command's ``--help`` reads right: on/off flags show no value type, other options do."""

from __future__ import annotations

from typing import Any

import click
import typer
from typer.testing import CliRunner

from confiance.cli.main import app


def every_command() -> list[list[str]]:
    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        found.append(path)
        if hasattr(command, "list_commands"):  # a group (Typer's own Group class)
            context = click.Context(command)
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                if sub is not None and not sub.hidden:
                    walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def test_no_flag_reads_as_if_it_took_a_value() -> None:
    commands = every_command()
    assert ["traces", "tail"] in commands and ["config", "rollback"] in commands
    for path in commands:
        result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "160"})
        assert result.exit_code == 0, (path, result.output)
        assert "<bool>" not in result.output, path
    tail = CliRunner().invoke(app, ["traces", "tail", "--help"], env={"COLUMNS": "160"})
    assert "<int range>" in tail.output  # options that take a value still say which
    line = next(line for line in tail.output.splitlines() if "│ --follow" in line)
    assert "-f " in line and "<" not in line
