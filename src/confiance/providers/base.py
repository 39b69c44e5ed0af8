"""The provider seam: one protocol every vendor adapter implements, and a registry of kinds.

Adapters speak the OpenAI chat-completions shape to the gateway and their vendor's wire format to
the vendor. Failures are raised as :mod:`confiance.errors` ``Provider*`` errors so the pipeline can
decide on retries and fallbacks without knowing the vendor.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol, TypeAlias, cast

import aiohttp

from confiance.config.schema import ProviderConfig
from confiance.domain.chat import ChatRequest, ChatResult, EmbeddingRequest, EmbeddingResult
from confiance.domain.types import JSONObject, ProviderKind

__all__ = [
    "BatchStreaming",
    "Provider",
    "ProviderContext",
    "ProviderFactory",
    "ProviderRegistry",
    "StreamItem",
    "registry",
    "stream_batches",
]

StreamItem: TypeAlias = JSONObject | bytes
"""One chunk of a stream: an OpenAI chunk, parsed; or, only when the caller asked for ``raw``
from a vendor that speaks the OpenAI wire format, OpenAI server-sent events (one or several
whole ``data: {...}`` events) that hold nothing the gateway reads (no usage, error or finish
reason), to be relayed as they came."""


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


class BatchStreaming(Protocol):
    """What the built-in adapters add to :class:`Provider` for the gateway's relay."""

    def stream_batches(
        self, request: ChatRequest, timeout: float, *, raw: bool = False
    ) -> AsyncIterator[list[StreamItem]]:
        """The chunks of :meth:`Provider.stream`, one non-empty list per read from the network,
        so the relay writes them to its client at once. With ``raw``, events that the gateway
        need not read may come as ``bytes`` (see :data:`StreamItem`)."""
        ...


async def _one_by_one(chunks: AsyncIterator[JSONObject]) -> AsyncIterator[list[StreamItem]]:
    try:
        async for chunk in chunks:
            yield [chunk]
    finally:
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()


def stream_batches(
    provider: Provider, request: ChatRequest, timeout: float, *, raw: bool = False
) -> AsyncIterator[list[StreamItem]]:
    """``provider``'s stream in batches: its own when it has them (:class:`BatchStreaming`),
    else its chunks one at a time (an adapter registered by a plugin)."""
    if hasattr(provider, "stream_batches"):
        return cast(BatchStreaming, provider).stream_batches(request, timeout, raw=raw)
    return _one_by_one(provider.stream(request, timeout))


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
