"""The model catalog: look up a model id as code writes it and learn whether it is retired.

``Catalog.load()`` reads the packaged ``models.csv`` once per process. ``lookup`` accepts the ids
found in application code: bare ids (``gpt-4-0613``), aliases retired with a snapshot (``o1``),
provider-prefixed ids (``openai/gpt-4o-2024-05-13``, ``models/gemini-2.0-flash``,
``bedrock/anthropic.claude-3-haiku-20240307-v1:0``), Bedrock cross-region profiles
(``us.anthropic...``), Vertex ``name@version`` ids and fine-tuned ids (``ft:base:org::id``, which
follow their base model's schedule).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources

from confiance.catalog.facts import COLUMNS, CatalogFormatError, ModelFact, Platform, parse_row

__all__ = ["DEFAULT_WINDOW_DAYS", "Catalog", "Lifecycle", "ModelStatus"]

DEFAULT_WINDOW_DAYS = 90
"""A model whose shutdown is at most this many days away counts as retiring."""


class Lifecycle(StrEnum):
    """Where a catalogued model stands on a given day."""

    RETIRED = "retired"
    """The shutdown date has passed: requests fail (or are silently re-routed)."""
    RETIRING = "retiring"
    """The shutdown date is within the window."""
    DEPRECATED = "deprecated"
    """A retirement is announced but the shutdown is further away than the window, or undated."""
    ACTIVE = "active"
    """On this day no retirement had been announced yet."""


@dataclass(frozen=True, slots=True)
class ModelStatus:
    """The answer of :meth:`Catalog.lookup` for one model id on one day."""

    model_id: str
    fact: ModelFact
    state: Lifecycle
    today: dt.date
    days_left: int | None

    @property
    def shutdown(self) -> dt.date | None:
        return self.fact.shutdown

    @property
    def replacement(self) -> str:
        return self.fact.replacement

    @property
    def source(self) -> str:
        return self.fact.source

    def describe(self) -> str:
        """One sentence for people: state, date, platform, replacement and source."""
        when = self.fact.shutdown.isoformat() if self.fact.shutdown else "an undated shutdown"
        if self.state is Lifecycle.RETIRED:
            head = f"model {self.model_id!r} was retired on {when}"
        elif self.state is Lifecycle.RETIRING:
            head = f"model {self.model_id!r} retires on {when} ({self.days_left} days left)"
        else:
            head = f"model {self.model_id!r} is scheduled to retire on {when}"
        replacement = self.fact.replacement or "none given"
        return f"{head} on {self.fact.provider}; replacement: {replacement}; source: {self.source}"


# Prefix segments naming a platform, as LiteLLM, OpenRouter, Gemini and SDK users write them.
_HINTS = {
    "openai": Platform.OPENAI,
    "azure": Platform.AZURE,
    "azure_ai": Platform.AZURE,
    "anthropic": Platform.ANTHROPIC,
    "gemini": Platform.GEMINI,
    "google": Platform.GEMINI,
    "models": Platform.GEMINI,
    "vertex_ai": Platform.VERTEX,
    "vertex_ai_beta": Platform.VERTEX,
    "vertex": Platform.VERTEX,
    "bedrock": Platform.BEDROCK,
    "mistral": Platform.MISTRAL,
    "mistralai": Platform.MISTRAL,
    "groq": Platform.GROQ,
    "cerebras": Platform.CEREBRAS,
    "github": Platform.GITHUB,
    "scaleway": Platform.SCALEWAY,
}
_BEDROCK_ID = re.compile(r"^(?:(?:us|eu|apac|us-gov|global)\.)?([a-z0-9-]+\.[a-z0-9.-]+(?::\d+)?)$")
_BEDROCK_VENDORS = ("anthropic.", "meta.", "amazon.", "cohere.", "ai21.", "mistral.")


class Catalog:
    """Retirement facts indexed by every id and alias they apply to."""

    def __init__(self, facts: Iterable[ModelFact]) -> None:
        self.facts: tuple[ModelFact, ...] = tuple(facts)
        index: dict[str, list[ModelFact]] = {}
        for fact in self.facts:
            for model_id in fact.ids:
                index.setdefault(model_id, []).append(fact)
        self._index = {key: tuple(value) for key, value in index.items()}

    @classmethod
    def load(cls) -> Catalog:
        """The catalog shipped with Confiance (parsed once per process)."""
        return _packaged()

    @classmethod
    def from_csv(cls, text: str) -> Catalog:
        """Parse catalog rows in the ``models.csv`` format; raises :class:`CatalogFormatError`."""
        reader = csv.DictReader(io.StringIO(text))
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise CatalogFormatError(
                f"models.csv line 1: header must be {','.join(COLUMNS)}, got {reader.fieldnames}"
            )
        return cls(parse_row(row, reader.line_num) for row in reader)

    def __len__(self) -> int:
        return len(self.facts)

    def __contains__(self, model_id: object) -> bool:
        return isinstance(model_id, str) and bool(self._candidates(model_id)[0])

    def lookup(
        self, model_id: str, today: dt.date, *, window_days: int = DEFAULT_WINDOW_DAYS
    ) -> ModelStatus | None:
        """The status of ``model_id`` on ``today``, or None when the catalog has no fact for it.

        With facts from several platforms, a platform named by a prefix wins; otherwise the
        model vendor's own platform; among equals, the earliest shutdown (the safer warning).
        """
        facts, hint = self._candidates(model_id)
        if not facts:
            return None
        fact = min(_preferred(facts, hint), key=_shutdown_order)
        return _status(model_id, fact, today, window_days)

    def _candidates(self, model_id: str) -> tuple[list[ModelFact], Platform | None]:
        hint, keys = _keys(model_id)
        found: list[ModelFact] = []
        for key in keys:
            found.extend(self._index.get(key, ()))
        return found, hint


def _keys(model_id: str) -> tuple[Platform | None, list[str]]:
    """The platform hint and the catalog keys to try for an id written in code."""
    text = model_id.strip().lower()
    hint: Platform | None = None
    if text.startswith("ft:"):
        text = text[3:].split(":", 1)[0]
    *prefixes, name = text.split("/")
    for prefix in prefixes:
        hint = _HINTS.get(prefix, hint)
    keys = [name]
    bedrock = _BEDROCK_ID.match(name)
    if bedrock and bedrock.group(1).startswith(_BEDROCK_VENDORS):
        keys = [bedrock.group(1)]
        hint = Platform.BEDROCK
    if "@" in name:
        base, version = name.split("@", 1)
        keys = [f"{base}-{version}", base]
        hint = hint or Platform.VERTEX
    return hint, keys


def _preferred(facts: list[ModelFact], hint: Platform | None) -> list[ModelFact]:
    if hint is not None:
        hinted = [f for f in facts if f.platform is hint]
        if hinted:
            return hinted
    own = [f for f in facts if f.platform.first_party]
    return own or facts


def _shutdown_order(fact: ModelFact) -> dt.date:
    return fact.shutdown or dt.date.max


def _status(model_id: str, fact: ModelFact, today: dt.date, window_days: int) -> ModelStatus:
    days_left = (fact.shutdown - today).days if fact.shutdown else None
    if days_left is not None and days_left <= 0:
        state = Lifecycle.RETIRED
    elif days_left is not None and days_left <= window_days:
        state = Lifecycle.RETIRING
    elif fact.announced is not None and fact.announced > today:
        state = Lifecycle.ACTIVE
    else:
        state = Lifecycle.DEPRECATED
    return ModelStatus(model_id, fact, state, today, days_left)


@lru_cache(maxsize=1)
def _packaged() -> Catalog:
    text = resources.files("confiance.catalog").joinpath("models.csv").read_text("utf-8")
    return Catalog.from_csv(text)
