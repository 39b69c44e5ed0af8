"""What a run costs: prices per model, an estimate before running, the actual cost after.

Prices come from the ``prices:`` section of ``confiance.yaml`` (US dollars per million tokens,
keyed by ``provider/model``). The estimate counts about four characters per prompt token and,
for the answer, the case's ``max_tokens`` or :data:`DEFAULT_COMPLETION_TOKENS`; the actual cost
uses the usage every answer reports.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import orjson

from confiance.config.references import resolve_chain
from confiance.config.schema import ConfianceConfig
from confiance.evals.cases import EvalCase

__all__ = [
    "DEFAULT_COMPLETION_TOKENS",
    "CostEstimate",
    "Price",
    "PriceTable",
    "estimate_cost",
    "estimate_tokens",
    "primary_model",
]

DEFAULT_COMPLETION_TOKENS = 256
_CHARS_PER_TOKEN = 4
_MESSAGE_OVERHEAD = 4


@dataclass(frozen=True, slots=True)
class Price:
    """US dollars per million input and output tokens."""

    input: float
    output: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1_000_000


class PriceTable:
    """Prices by model. A lookup tries the exact name, then the name after ``provider/``, so
    both ``openai/gpt-4o-mini`` and the bare ``gpt-4o-mini`` a vendor reports are found."""

    def __init__(self, prices: Mapping[str, Price] | None = None) -> None:
        self._exact = dict(prices or {})
        self._bare = {key.partition("/")[2] or key: price for key, price in self._exact.items()}

    @classmethod
    def from_config(cls, config: ConfianceConfig) -> PriceTable:
        return cls({key: Price(p.input, p.output) for key, p in config.prices.items()})

    def __bool__(self) -> bool:
        return bool(self._exact)

    def lookup(self, model: str | None) -> Price | None:
        if not model:
            return None
        return self._exact.get(model) or self._bare.get(model.partition("/")[2] or model)

    def cost(self, model: str | None, prompt_tokens: int, completion_tokens: int) -> float | None:
        """The cost of one call, or ``None`` when the model has no price."""
        price = self.lookup(model)
        return None if price is None else price.cost(prompt_tokens, completion_tokens)


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """Expected calls, tokens and cost (``None`` when the model's price is unknown)."""

    calls: int
    prompt_tokens: int
    completion_tokens: int
    model: str | None
    cost_usd: float | None


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / _CHARS_PER_TOKEN)


def _case_tokens(case: EvalCase) -> tuple[int, int]:
    prompt = sum(
        estimate_tokens(str(m.get("content") or "")) + _MESSAGE_OVERHEAD for m in case.messages
    )
    if case.tools:
        prompt += estimate_tokens(orjson.dumps(list(case.tools)).decode())
    limit = case.params.get("max_tokens") or case.params.get("max_completion_tokens")
    completion = limit if isinstance(limit, int) and limit > 0 else DEFAULT_COMPLETION_TOKENS
    return prompt, completion


def estimate_cost(
    work: Iterable[tuple[EvalCase, int]], model: str | None, prices: PriceTable
) -> CostEstimate:
    """The estimate for ``work`` (each case with how many calls it will make) on ``model``."""
    calls = prompt = completion = 0
    for case, count in work:
        case_prompt, case_completion = _case_tokens(case)
        calls += count
        prompt += case_prompt * count
        completion += case_completion * count
    return CostEstimate(calls, prompt, completion, model, prices.cost(model, prompt, completion))


def primary_model(config: ConfianceConfig, target: str) -> str | None:
    """The ``provider/model`` a route sends to first, ``target`` itself for ``provider/model``,
    ``None`` for a name the config does not define."""
    if "/" in target:
        return target
    if target not in config.routes:
        return None
    chain = resolve_chain(config, target)
    return str(chain[0]) if chain else None
