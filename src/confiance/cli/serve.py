"""``confiance serve``: run the gateway (and the management API under /api)."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from confiance.errors import ConfianceError, ConfigError
from confiance.settings import Settings

console = Console(stderr=True)

EXIT_CODES = (
    "Exit codes: 0 stopped by SIGINT/SIGTERM after draining, 2 nothing started: invalid config, "
    "store missing, unreadable or read-only, or the port unavailable (in use, no permission)."
)


def register(app: typer.Typer) -> None:
    @app.command(help=_HELP)
    def serve(
        config: Path | None = typer.Option(
            None,
            "--config",
            "-c",
            help="Apply this confiance.yaml as a new revision (if it changed) before serving.",
        ),
        host: str | None = typer.Option(None, help="Address to bind (env CONFIANCE_HOST)."),
        port: int | None = typer.Option(None, help="Port (env CONFIANCE_PORT, default 8080)."),
        workers: int = typer.Option(1, min=1, max=64, help="Processes sharing the port."),
        database_url: str | None = typer.Option(
            None,
            help="Store URL (env CONFIANCE_DATABASE_URL, default SQLite ./confiance.db; "
            "with --demo, default ./confiance-demo.db).",
        ),
        demo: bool = typer.Option(
            False, "--demo", help="Run against the built-in simulated vendor: no vendor keys."
        ),
    ) -> None:
        try:
            settings = _settings(host, port, database_url, config, demo)
            _serve(settings, config, workers, demo)
        except ConfianceError as error:
            console.print(f"[red]error:[/red] {escape(error.message)}", soft_wrap=True)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None


_HELP = f"""Run the gateway: OpenAI- and Anthropic-compatible endpoints under /v1, the management
API under /api, health at /healthz and /readyz, Prometheus metrics at /metrics.

Example: [bold]confiance serve --config confiance.yaml --port 8080[/bold]

Apps then call it with their usual SDK, changing only the base URL and key:
OpenAI(base_url="http://127.0.0.1:8080/v1", api_key="cf-...").

It fails safe: the port is bound and the store checked writable before a config is applied or
a key created, so a failed start changes nothing. --demo uses its own store (./confiance-demo.db,
not CONFIANCE_DATABASE_URL) unless --database-url names one; its keys are revoked when it stops.

{EXIT_CODES}
"""


def _settings(
    host: str | None, port: int | None, database_url: str | None, config: Path | None, demo: bool
) -> Settings:
    try:
        settings = Settings.from_env()
    except ValueError as error:
        raise ConfigError(str(error)) from error
    if demo and not database_url:
        from confiance.gateway.demo import demo_database_url

        database_url = demo_database_url(Path.cwd())
        if os.environ.get("CONFIANCE_DATABASE_URL"):
            console.print(
                "note: the demo ignores CONFIANCE_DATABASE_URL and keeps its own store; "
                "pass --database-url to use another",
                soft_wrap=True,
            )
    return replace(
        settings,
        host=host or settings.host,
        port=settings.port if port is None else port,
        database_url=database_url or settings.database_url,
        config_path=str(config) if config is not None else settings.config_path,
    )


def _serve(settings: Settings, config: Path | None, workers: int, demo: bool) -> None:
    # Order matters (fail safe): bind, then probe the store, then change it.
    from confiance.gateway.listener import bind_listener
    from confiance.gateway.runner import prepare_store, run_server

    with bind_listener(settings.host, settings.port) as sock:
        if demo:
            from confiance.gateway.demo import run_demo_blocking

            run_demo_blocking(settings, sock, lambda text: console.print(text, soft_wrap=True))
            return
        applied = asyncio.run(prepare_store(settings, config))
        if applied is not None:
            console.print(escape(applied), soft_wrap=True)
        run_server(
            settings, sock, workers, on_ready=lambda url: console.print(f"Listening on {url}")
        )
