"""Registers the built-in provider kinds, the same way a plugin registers its own.

``openai`` covers every OpenAI-compatible server (and Azure OpenAI with ``azure: true``);
``simulated`` is the project's own simulator, which speaks the OpenAI wire format and so uses the
OpenAI adapter.
"""

from __future__ import annotations

from confiance.domain.types import ProviderKind
from confiance.providers.anthropic import AnthropicProvider
from confiance.providers.base import ProviderRegistry, registry
from confiance.providers.gemini import GeminiProvider
from confiance.providers.openai import OpenAIProvider

__all__ = ["builtin_registry", "register_builtins"]


def register_builtins(target: ProviderRegistry = registry) -> ProviderRegistry:
    """Adds the built-in kinds to ``target`` (the process registry by default) and returns it.
    Calling it again is harmless: a kind's factory is simply set again."""
    target.register(ProviderKind.OPENAI, OpenAIProvider)
    target.register(ProviderKind.ANTHROPIC, AnthropicProvider)
    target.register(ProviderKind.GEMINI, GeminiProvider)
    target.register(ProviderKind.SIMULATED, OpenAIProvider)
    return target


def builtin_registry() -> ProviderRegistry:
    """A fresh registry holding the built-in kinds only (for composition roots and tests that
    must not see plugins registered process-wide)."""
    return register_builtins(ProviderRegistry())


register_builtins()
