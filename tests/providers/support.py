"""Shared constants and helpers of the adapter tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from confiance.providers.simulated import RunningSimulator

SIM_KEY = "sk-sim-0123456789abcdef"

MakeAdapter = Callable[..., Any]
"""``await make_adapter(kind, base_url, api_key=SIM_KEY, **provider_config)`` → a Provider."""


def base_url_for(kind: str, sim: RunningSimulator) -> str:
    """The base URL a provider of ``kind`` uses to reach the simulator."""
    return sim.openai_base_url if kind in ("openai", "simulated") else sim.base_url
