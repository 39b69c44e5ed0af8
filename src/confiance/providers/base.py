"""The provider seam: one protocol every vendor adapter implements, and a registry of kinds.

Adapters speak the OpenAI chat-completions shape to the gateway and their vendor's wire format to
the vendor. Failures are raised as :mod:`confiance.errors` ``Provider*`` errors so the pipeline can
decide on retries and fallbacks without knowing the vendor.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol

import aiohttp

from confiance.config.schema import ProviderConfig
from confiance.domain.chat import ChatRequest, ChatResult, EmbeddingRequest, EmbeddingResult
from confiance.domain.types import JSONObject, ProviderKind

__all__ = ["Provider", "ProviderContext", "ProviderFactory", "ProviderRegistry", "registry"]


@dataclass(frozen=True, slots=True)
class ProviderContext:
    """What an adapter is given: its name and config, the shared HTTP session, and the secret
    resolved from the environment (never logged, never stored)."""

    name: str
    config: ProviderConfig
    session: aiohttp.ClientSession
    api_key: str | None


class Provider(Protocol):
    name: str

    async def chat(self, request: ChatRequest, timeout: float) -> ChatResult:
        """One whole chat completion. Raises ``ProviderError`` subclasses."""
        ...

    def stream(self, request: ChatRequest, timeout: float) -> AsyncIterator[JSONObject]:
        """OpenAI ``chat.completion.chunk`` objects, in order. ``timeout`` bounds the wait for
        the first chunk and each gap between chunks. The last chunk carries ``usage`` when the
        vendor reports it."""
        ...

    async def embed(self, request: EmbeddingRequest, timeout: float) -> EmbeddingResult:
        """OpenAI-shaped embeddings. Raises ``UsageError`` when the vendor has none."""
        ...


ProviderFactory = Callable[[ProviderContext], Provider]


class ProviderRegistry:
    """Maps a provider kind to the factory building its adapter. Built-ins register here too."""

    def __init__(self) -> None:
        self._factories: dict[ProviderKind, ProviderFactory] = {}

    def register(self, kind: ProviderKind, factory: ProviderFactory) -> None:
        self._factories[kind] = factory

    def create(self, context: ProviderContext) -> Provider:
        try:
            factory = self._factories[context.config.kind]
        except KeyError:
            kind = context.config.kind
            raise LookupError(f"no provider adapter registered for kind {kind!r}") from None
        return factory(context)

    def kinds(self) -> list[ProviderKind]:
        return sorted(self._factories)


registry = ProviderRegistry()
