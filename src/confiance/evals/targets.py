"""What an eval run calls: targets, and the judge and embedder built on the same endpoints.

A target is a model name sent to an OpenAI-compatible base URL:

* through the Confiance gateway (``--target support-bot`` with ``--gateway-url``): a *route*
  (its keys, fallbacks, guards and traces apply), or ``provider/model`` through the gateway's
  direct-model path;
* any vendor or server speaking the OpenAI API (``--base-url``): a *url* target.

The API key is held only in memory: it is never part of a stored run or a printed report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from confiance.domain.evaluation import TargetKind
from confiance.domain.types import JSONObject
from confiance.errors import UsageError
from confiance.evals.client import Answer, ChatEndpoint

__all__ = ["EndpointEmbedder", "EndpointJudge", "RecordingTarget", "TargetSpec"]


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """``name`` is sent as the body's ``model``; ``base_url`` ends before ``/chat/...``."""

    name: str
    kind: TargetKind
    base_url: str
    api_key: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def through_gateway(cls, target: str, gateway_url: str, api_key: str | None) -> TargetSpec:
        """A route, or ``provider/model`` (the direct-model path), at the gateway."""
        if not target:
            raise UsageError("the target is empty: name a route or provider/model")
        kind = TargetKind.MODEL if "/" in target else TargetKind.ROUTE
        return cls(target, kind, _v1(gateway_url), api_key)

    @classmethod
    def at_url(cls, model: str, base_url: str, api_key: str | None) -> TargetSpec:
        """A model at any OpenAI-compatible ``base_url`` (e.g. ``https://api.openai.com/v1``)."""
        if not model:
            raise UsageError("the target is empty: name the model to call at the base URL")
        if not base_url.startswith(("http://", "https://")):
            raise UsageError(f"base URL {base_url!r} must start with http:// or https://")
        return cls(model, TargetKind.URL, base_url.rstrip("/"), api_key)

    def sibling(self, name: str) -> TargetSpec:
        """Another model or route on the same endpoint with the same key (judge, embedder)."""
        kind = (
            self.kind
            if self.kind is TargetKind.URL
            else (TargetKind.MODEL if "/" in name else TargetKind.ROUTE)
        )
        return TargetSpec(name, kind, self.base_url, self.api_key)


def _v1(gateway_url: str) -> str:
    if not gateway_url.startswith(("http://", "https://")):
        raise UsageError(f"gateway URL {gateway_url!r} must start with http:// or https://")
    url = gateway_url.rstrip("/")
    return url if url.endswith("/v1") else f"{url}/v1"


class RecordingTarget:
    """Sends to ``endpoint`` and counts which model and route revision answered."""

    def __init__(self, endpoint: ChatEndpoint) -> None:
        self._endpoint = endpoint
        self.models: Counter[str] = Counter()
        self.revisions: Counter[int] = Counter()

    async def chat(self, body: JSONObject) -> Answer:
        answer = await self._endpoint.chat(body)
        if answer.model:
            self.models[answer.model] += 1
        if answer.revision is not None:
            self.revisions[answer.revision] += 1
        return answer

    @property
    def resolved_model(self) -> str | None:
        """The model that answered most often."""
        return self.models.most_common(1)[0][0] if self.models else None

    @property
    def revision(self) -> int | None:
        """The newest route revision that answered."""
        return max(self.revisions) if self.revisions else None


class EndpointJudge:
    """The judge: a chat model or route reached through an endpoint."""

    def __init__(self, endpoint: ChatEndpoint, model: str) -> None:
        self._endpoint = endpoint
        self._model = model

    @property
    def name(self) -> str:
        return self._model

    async def chat_text(self, messages: list[JSONObject], params: JSONObject) -> str:
        answer = await self._endpoint.chat({"model": self._model, "messages": messages, **params})
        return answer.text


class EndpointEmbedder:
    """Embeddings from a model or route reached through an endpoint."""

    def __init__(self, endpoint: ChatEndpoint, model: str) -> None:
        self._endpoint = endpoint
        self._model = model

    async def embed(self, texts: list[str]) -> list[list[float]]:
        return await self._endpoint.embed(self._model, texts)
