"""Starting the simulator as a program: the options shared by ``python -m
confiance.providers.simulated`` and ``confiance simulate``, and the banner both print."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from confiance.errors import ConfigError
from confiance.providers.simulated.config import SimulatorConfig
from confiance.providers.simulated.config_file import load_config
from confiance.providers.simulated.directives import DIRECTIVES
from confiance.providers.simulated.server import RunningSimulator, run_simulator

__all__ = ["LaunchOptions", "banner", "directive_lines", "launch", "prepare"]

_ENV_NAME = "^[A-Za-z_][A-Za-z0-9_]*$"


@dataclass(frozen=True, slots=True)
class LaunchOptions:
    host: str = "127.0.0.1"
    port: int = 9000
    config_path: Path | None = None
    api_key_env: str | None = None
    seed: int | None = None


def prepare(options: LaunchOptions) -> tuple[SimulatorConfig, str | None]:
    """The config and API key ``options`` name. Raises ``ConfigError`` (exit 2) for a bad file,
    a bad port, or an API key variable that is unset or empty."""
    if not 0 <= options.port <= 65535:
        raise ConfigError(f"--port must be between 0 and 65535, got {options.port}")
    config = SimulatorConfig() if options.config_path is None else load_config(options.config_path)
    if options.seed is not None:
        config = config.model_copy(update={"seed": options.seed})
    api_key = None
    if options.api_key_env is not None:
        api_key = os.environ.get(options.api_key_env)
        if not api_key:
            raise ConfigError(
                f"--api-key-env {options.api_key_env}: that environment variable is unset or "
                "empty; export the key there, or drop the option to accept any key"
            )
    return config, api_key


def launch(options: LaunchOptions, on_ready: Callable[[RunningSimulator], None]) -> None:
    """Serve until SIGINT/SIGTERM. Raises ``ConfigError`` before binding when options are bad."""
    config, api_key = prepare(options)
    run_simulator(config, host=options.host, port=options.port, api_key=api_key, on_ready=on_ready)


def banner(sim: RunningSimulator, *, keyed: bool) -> list[str]:
    """What a person starting the simulator needs: where it listens and how to point SDKs at
    it. The first line is stable for scripts: ``confiance simulator listening on URL``."""
    lines = [
        f"confiance simulator listening on {sim.base_url}",
        f"  OpenAI     base_url={sim.openai_base_url}",
        f"  Anthropic  base_url={sim.base_url}",
        f"  Gemini     {sim.base_url}/v1beta/models/MODEL:generateContent",
        "  API key    " + ("required (from the environment)" if keyed else "any key is accepted"),
    ]
    configured = list(sim.config.models)
    if configured:
        lines.append("  configured models: " + ", ".join(configured))
    return lines


def directive_lines() -> list[tuple[str, str, str]]:
    """(syntax, example, effect) for every model-name directive."""
    return [(spec.syntax, spec.example, spec.effect) for spec in DIRECTIVES]
