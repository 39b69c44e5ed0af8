"""``confiance serve``: run the gateway (and the management API under /api)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from confiance.app import open_services
from confiance.config.keyenv import KeyEnvPolicy
from confiance.config.load import load_config
from confiance.errors import ConfianceError
from confiance.settings import Settings

console = Console(stderr=True)


async def _apply(settings: Settings, path: Path) -> str:
    loaded = load_config(path, key_env=KeyEnvPolicy.of(settings))
    services = await open_services(settings, actor="serve")
    try:
        result = await services.revisions.apply(loaded, "serve", f"confiance serve --config {path}")
    finally:
        await services.close()
    return result.message


def register(app: typer.Typer) -> None:
    @app.command()
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
            None, help="Store URL (env CONFIANCE_DATABASE_URL, default SQLite ./confiance.db)."
        ),
        demo: bool = typer.Option(
            False, "--demo", help="Run against the built-in simulated vendor: no vendor keys."
        ),
    ) -> None:
        """Run the gateway: OpenAI- and Anthropic-compatible endpoints under /v1, the management
        API under /api, health at /healthz and /readyz, Prometheus metrics at /metrics.

        Example: [bold]confiance serve --config confiance.yaml --port 8080[/bold]

        Apps then call it with their usual SDK, changing only the base URL and key:
        OpenAI(base_url="http://127.0.0.1:8080/v1", api_key="cf-...").
        """
        settings = Settings.from_env()
        settings = replace(
            settings,
            host=host or settings.host,
            port=port or settings.port,
            database_url=database_url or settings.database_url,
            config_path=str(config) if config is not None else settings.config_path,
        )
        try:
            if demo:
                from confiance.gateway.demo import run_demo_blocking

                run_demo_blocking(settings, lambda text: console.print(text, soft_wrap=True))
                return
            if config is not None:
                console.print(escape(asyncio.run(_apply(settings, config))), soft_wrap=True)
            from confiance.gateway.runner import run_server

            run_server(settings, workers, on_ready=lambda url: console.print(f"Listening on {url}"))
        except ConfianceError as error:
            console.print(f"[red]error:[/red] {escape(error.message)}", soft_wrap=True)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
