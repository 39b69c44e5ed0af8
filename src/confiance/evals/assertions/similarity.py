"""Similarity of the answer to a reference: lexical metrics built in, embeddings when configured.

* ``rouge-l``: the F-measure of the longest common subsequence of words (Lin, 2004).
* ``chrf``: the character n-gram F-score (Popović, 2015), n = 1..6, recall weighted by beta = 2;
  robust to morphology, a good default for non-English text.
* ``embedding``: cosine similarity of the two embeddings from the run's embedding route.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import ClassVar, Literal

from pydantic import Field

from confiance.domain.evaluation import AssertionOutcome
from confiance.errors import ConfianceError
from confiance.evals.assertions.base import (
    AssertionParams,
    CheckContext,
    Observation,
    error_outcome,
    outcome,
)

__all__ = ["Similarity", "chrf", "cosine", "rouge_l"]

_TOKENS = re.compile(r"\w+", re.UNICODE)
CHRF_ORDER = 6
CHRF_BETA = 2.0


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 over lower-cased word tokens; 1.0 when both are empty."""
    a = [t.lower() for t in _TOKENS.findall(candidate)]
    b = [t.lower() for t in _TOKENS.findall(reference)]
    if not a or not b:
        return 1.0 if not a and not b else 0.0
    lcs = _lcs_length(a, b)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(b)
    return 2 * precision * recall / (precision + recall)


def _lcs_length(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for token in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if token == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def chrf(candidate: str, reference: str, order: int = CHRF_ORDER, beta: float = CHRF_BETA) -> float:
    """chrF: the F-beta of character n-gram precision and recall averaged over n = 1..order
    (whitespace removed, as in the reference implementation); 1.0 when both are empty."""
    a, b = re.sub(r"\s+", "", candidate), re.sub(r"\s+", "", reference)
    if not a or not b:
        return 1.0 if not a and not b else 0.0
    precisions: list[float] = []
    recalls: list[float] = []
    for n in range(1, order + 1):
        grams_a, grams_b = _ngrams(a, n), _ngrams(b, n)
        if not grams_a or not grams_b:
            continue
        overlap = sum((grams_a & grams_b).values())
        precisions.append(overlap / sum(grams_a.values()))
        recalls.append(overlap / sum(grams_b.values()))
    if not precisions:
        return 0.0
    precision, recall = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    if precision == 0 and recall == 0:
        return 0.0
    weight = beta * beta
    return (1 + weight) * precision * recall / (weight * precision + recall)


def _ngrams(text: str, n: int) -> Counter[str]:
    return Counter(text[i : i + n] for i in range(len(text) - n + 1))


def cosine(a: list[float], b: list[float]) -> float:
    """Cosine similarity; 0.0 for a zero vector. Raises ``ValueError`` for unequal lengths."""
    if len(a) != len(b):
        raise ValueError(f"vectors of different lengths ({len(a)} and {len(b)})")
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b, strict=True)) / norm if norm else 0.0


class Similarity(AssertionParams):
    """The answer's similarity to ``reference`` by ``metric`` is at least ``threshold``."""

    KIND: ClassVar[str] = "similarity"
    reference: str
    metric: Literal["rouge-l", "chrf", "embedding"] = "rouge-l"
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome:
        if self.metric == "embedding":
            if context.embedder is None:
                return error_outcome(self, "no embedding route configured (pass --embedding-route)")
            try:
                vectors = await context.embedder.embed([observation.text, self.reference])
                score = cosine(vectors[0], vectors[1])
            except (ConfianceError, ValueError, IndexError) as error:
                return error_outcome(self, f"embedding failed: {error}")
        elif self.metric == "chrf":
            score = chrf(observation.text, self.reference)
        else:
            score = rouge_l(observation.text, self.reference)
        verdict = score >= self.threshold
        relation = ">=" if verdict else "<"
        return outcome(
            self, verdict, f"{self.metric} {score:.3f} {relation} {self.threshold}", score
        )
