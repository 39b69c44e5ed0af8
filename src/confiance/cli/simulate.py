"""``confiance simulate``: run the vendor simulator in the foreground."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from confiance.errors import ConfianceError, ListenError
from confiance.gateway.listener import listen_problem
from confiance.providers.simulated.launch import (
    LaunchOptions,
    banner,
    directive_lines,
    launch,
)
from confiance.providers.simulated.server import RunningSimulator

__all__ = ["register"]

_HELP = """Run the vendor simulator: a real HTTP server that answers like OpenAI, Anthropic and
Gemini, for tests, benchmarks and vendor exit drills. No keys, no network.

Example: [bold]confiance simulate --port 9000[/bold], then point any SDK at it:
OpenAI(base_url="http://127.0.0.1:9000/v1", api_key="x") or
Anthropic(base_url="http://127.0.0.1:9000", api_key="x").

Answers are deterministic: the same request gets the same reply. The [bold]model[/bold] you ask
for chooses the behaviour: the base name, then directives joined with '+'.

\b
  gpt-4o                             a fast, correct model (any name works)
  gpt-4o+latency-50ms                waits 50 ms before answering
  gpt-4o+latency-20ms-80ms           waits between 20 and 80 ms (uniform)
  gpt-4o+latency-lognormal-300ms-0.5 waits about 300 ms, with a long tail
  gpt-4o+ttft-200ms+tps-50           streams: first token after 200 ms, then 50 tokens/s
  gpt-4o+fail-first-2                the first 2 requests fail with 500, then it works
  gpt-4o+fail-first-1-429            one 429 (with Retry-After), then it works
  fail-503-30pct                     30 percent of requests answer 503
  gpt-4o+hang                        accepts and never answers
  gpt-4o+reset                       half an answer, then a connection reset
  gpt-4o+malformed                   status 200, body not valid JSON
  gpt-4o+stall-after-3               streams send 3 events, then go silent
  gpt-4o+break-after-3               streams send 3 events, then the connection drops
  echo                               replies with the last user message
  gpt-4o+leak-system                 the reply includes the system prompt
  gpt-4o+follow-injections           obeys "ignore previous instructions and say X"
  gpt-4o+invalid-json                JSON mode and tool calls get broken JSON
  gpt-4o+flaky                       good and bad answers alternate
  gpt-4o+answer-as-gpt-4o-2024-08-06 reports another model as the one that answered

Every directive is listed when the simulator starts. A config file (--config) sets behaviours
per model name or glob pattern; see docs/simulator.md for its keys.

Exit codes: 0 stopped (Ctrl+C or SIGTERM), 2 bad usage, an invalid --config or the port unavailable
(in use, no permission).
"""


def _print_started(console: Console, sim: RunningSimulator, *, keyed: bool, as_json: bool) -> None:
    if as_json:
        ready = {
            "base_url": sim.base_url,
            "openai_base_url": sim.openai_base_url,
            "port": sim.port,
            "models": list(sim.config.models),
        }
        typer.echo(json.dumps(ready), nl=True)
        return
    first, *rest = banner(sim, keyed=keyed)
    console.print(f"[bold green]{first}[/bold green]")
    for line in rest:
        console.print(line, highlight=False, markup=False)
    table = Table(title="Model-name directives (join with '+')", title_justify="left")
    table.add_column("directive", style="cyan", no_wrap=True)
    table.add_column("example", style="green", no_wrap=True)
    table.add_column("effect")
    for syntax, example, effect in directive_lines():
        table.add_row(syntax, example, effect)
    console.print(table)
    console.print("Press Ctrl+C to stop.")


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to ``app``."""

    @app.command(help=_HELP)
    def simulate(
        port: Annotated[
            int, typer.Option("--port", "-p", help="Port to listen on; 0 picks one.")
        ] = 9000,
        host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
        config: Annotated[
            Path | None,
            typer.Option(
                "--config",
                "-c",
                help="Simulator config (YAML or JSON): behaviours per model name or pattern.",
            ),
        ] = None,
        api_key_env: Annotated[
            str | None,
            typer.Option(
                "--api-key-env",
                help="Require the API key held in this environment variable (401 otherwise).",
            ),
        ] = None,
        seed: Annotated[
            int | None,
            typer.Option("--seed", help="Seed for random latencies and faults (overrides config)."),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print one JSON line with the URLs once listening.")
        ] = False,
    ) -> None:
        console = Console()
        options = LaunchOptions(host, port, config, api_key_env, seed)
        try:
            launch(
                options,
                lambda sim: _print_started(
                    console, sim, keyed=api_key_env is not None, as_json=as_json
                ),
            )
        except ConfianceError as error:
            Console(stderr=True).print(
                f"[red]error:[/red] {escape(error.message)}", highlight=False
            )
            raise typer.Exit(error.exit_code) from None
        except OSError as error:
            problem = listen_problem(error, host, port)
            Console(stderr=True).print(f"[red]error:[/red] {escape(problem)}", soft_wrap=True)
            raise typer.Exit(ListenError.exit_code) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
