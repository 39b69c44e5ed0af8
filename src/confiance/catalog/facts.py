"""One row of the model catalog: a retirement fact about a model on a platform, with its source.

The packaged ``models.csv`` keeps the columns and spelling of the collected dataset, so every fact
can be compared with the page it was read from. This module turns one row into a typed
:class:`ModelFact`, decoding the conventions of the ``model`` cell:

* ``o1-2024-12-17 (alias o1)`` and ``gpt-4-0125-preview (incl. gpt-4-turbo-preview)``: a snapshot
  and the alias names that retire with it;
* ``claude-3-7-sonnet-latest (alias)``: the id is itself an alias;
* ``gpt-4o (2024-05-13)`` on Azure: ``name (version)``; ``gpt-4 / gpt-4-32k (0314)``: two names;
* anything else in parentheses (``(Bedrock)``, ``(GovCloud)``): a qualifier kept as a note.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CatalogFormatError", "ModelFact", "Platform", "parse_row"]

COLUMNS = ("provider", "model", "announced", "retired_or_shutdown", "replacement", "source")


class CatalogFormatError(ValueError):
    """A catalog row does not follow the documented format (names the row and column)."""


class Platform(StrEnum):
    """Who runs the endpoint the dates apply to. First-party platforms are the model vendors'."""

    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    GEMINI = "gemini"
    MISTRAL = "mistral"
    AZURE = "azure"
    BEDROCK = "bedrock"
    VERTEX = "vertex"
    CEREBRAS = "cerebras"
    GITHUB = "github"
    SCALEWAY = "scaleway"
    GROQ = "groq"

    @property
    def first_party(self) -> bool:
        return self in _FIRST_PARTY


_FIRST_PARTY = frozenset({Platform.OPENAI, Platform.ANTHROPIC, Platform.GEMINI, Platform.MISTRAL})

# Provider cells are "Platform" or "Host (Model vendor)"; the host decides the schedule.
_PLATFORM_BY_HOST = {
    "OpenAI": Platform.OPENAI,
    "Anthropic": Platform.ANTHROPIC,
    "Google Gemini API": Platform.GEMINI,
    "Mistral": Platform.MISTRAL,
    "Azure OpenAI": Platform.AZURE,
    "AWS Bedrock": Platform.BEDROCK,
    "Google Vertex AI": Platform.VERTEX,
    "Cerebras": Platform.CEREBRAS,
    "GitHub Models": Platform.GITHUB,
    "Scaleway": Platform.SCALEWAY,
    "Groq": Platform.GROQ,
}

_PAREN = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<inner>[^()]*)\)\s*$")
_AZURE_VERSION = re.compile(r"^(\d{4}-\d{2}-\d{2}|\d{4}|\d+)$")


@dataclass(frozen=True, slots=True)
class ModelFact:
    """A retirement fact. ``ids`` are the lower-cased model ids the fact applies to, as code
    writes them; ``shutdown`` is when requests stop working (None when the source gave none)."""

    provider: str
    platform: Platform
    model: str
    ids: tuple[str, ...]
    note: str
    announced: dt.date | None
    shutdown: dt.date | None
    replacement: str
    source: str


def parse_row(row: dict[str, str], line: int) -> ModelFact:
    """Build a fact from one CSV row (``line`` is the file line, for error messages).

    Raises :class:`CatalogFormatError` naming the line and column when a cell is malformed.
    """
    for column in COLUMNS:
        if column not in row or row[column] is None:
            raise CatalogFormatError(f"models.csv line {line}: missing column {column!r}")
    provider = row["provider"].strip()
    platform = _platform(provider, line)
    ids, note = _ids(row["model"].strip(), platform, line)
    source = row["source"].strip()
    if not source.startswith("https://"):
        raise CatalogFormatError(f"models.csv line {line}: column 'source' must be an https URL")
    return ModelFact(
        provider=provider,
        platform=platform,
        model=row["model"].strip(),
        ids=ids,
        note=note,
        announced=_date(row["announced"], "announced", line),
        shutdown=_date(row["retired_or_shutdown"], "retired_or_shutdown", line),
        replacement=row["replacement"].strip(),
        source=source,
    )


def _platform(provider: str, line: int) -> Platform:
    host = provider.split(" (", 1)[0].strip()
    try:
        return _PLATFORM_BY_HOST[host]
    except KeyError:
        raise CatalogFormatError(
            f"models.csv line {line}: unknown provider {provider!r}; "
            f"expected one of {', '.join(sorted(_PLATFORM_BY_HOST))}"
        ) from None


def _date(cell: str, column: str, line: int) -> dt.date | None:
    text = cell.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CatalogFormatError(
            f"models.csv line {line}: column {column!r} is {text!r}, not a YYYY-MM-DD date"
        ) from None


def _ids(cell: str, platform: Platform, line: int) -> tuple[tuple[str, ...], str]:
    """The ids a model cell names, and the qualifier note (empty when none)."""
    if not cell:
        raise CatalogFormatError(f"models.csv line {line}: column 'model' is empty")
    match = _PAREN.match(cell)
    if match is None:
        return (cell.lower(),), ""
    names = [n.strip().lower() for n in match.group("name").split(" / ")]
    inner = match.group("inner").strip()
    if platform is Platform.AZURE and _AZURE_VERSION.match(inner):
        return _azure_ids(names, inner), f"version {inner}"
    if inner == "alias":
        return tuple(names), "alias"
    for prefix in ("alias ", "incl. "):
        if inner.startswith(prefix):
            aliases = [a.strip().lower() for a in re.split(r",| or ", inner[len(prefix) :])]
            return tuple(names + [a for a in aliases if a]), inner
    return tuple(names), inner


def _azure_ids(names: list[str], version: str) -> tuple[str, ...]:
    # Azure names a model "name (version)"; code that pins a version writes "name-version".
    # A bare small integer version ("dall-e-3 (3)") is the model's own generation, not a pin.
    if version.isdigit() and len(version) < 4:
        return tuple(names)
    return tuple(f"{name}-{version}" for name in names)
