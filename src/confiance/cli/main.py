"""The ``confiance`` command. Each command group lives in its own module and registers here."""

from __future__ import annotations

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


def _register_all() -> None:
    from confiance.cli import audit, config, db, evals, keys, scan, serve, simulate, traces

    # config.register adds `apply`, `config` and `routes`.
    for module in (serve, simulate, config, keys, traces, audit, db, scan, evals):
        module.register(app)


_register_all()
