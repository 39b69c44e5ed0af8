"""The ``confiance`` command. Each command group lives in its own module and registers here."""

from __future__ import annotations

import importlib
import sys

import typer

from confiance import __version__
from confiance.cli._help import hide_flag_types

hide_flag_types()

app = typer.Typer(
    name="confiance",
    help="Confiance: the production layer for LLM applications.\n\n"
    "Run `confiance serve --demo` to see the gateway work with no vendor keys.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)


@app.callback(invoke_without_command=True)
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit(0)


# The module that registers each top-level command. `config` also adds `apply` and `routes`.
_OWNERS = {
    "serve": "serve",
    "simulate": "simulate",
    "apply": "config",
    "config": "config",
    "routes": "config",
    "keys": "keys",
    "traces": "traces",
    "audit": "audit",
    "db": "db",
    "scan": "scan",
    "eval": "evals",
}
_ALL = ("serve", "simulate", "config", "keys", "traces", "audit", "db", "scan", "evals")


def _modules_for(argv: list[str]) -> tuple[str, ...]:
    """The command modules to load for the command line ``argv``: when the program is
    ``confiance`` and its first word names a command, only that command's module, so
    ``confiance scan`` does not import the gateway, the store and scipy (seconds of start-up in
    a pre-commit hook); every module otherwise (``--help``, ``--version``, a typo, tests that
    invoke ``app`` in-process)."""
    program = argv[0].replace("\\", "/") if argv else ""
    ours = program.rsplit("/", 1)[-1] == "confiance" or program.endswith("confiance/__main__.py")
    if ours and len(argv) > 1 and argv[1] in _OWNERS:
        return (_OWNERS[argv[1]],)
    return _ALL


def _register(modules: tuple[str, ...]) -> None:
    for name in modules:
        importlib.import_module(f"confiance.cli.{name}").register(app)


_register(_modules_for(sys.argv))
