"""Keys shown the way the Keys page and ``confiance keys list`` show them: name and prefix.

Traces and audit events record a key by its id (``key_912b…``); an operator knows keys by name
and by the prefix of the secret they hold (``cf-ab12cd34``). Pages that show a key id show
``name (prefix)`` instead, with the id kept in the page for search.
"""

from __future__ import annotations

import re

from confiance.domain.keys import ApiKey
from confiance.store.keys import KeyRepository

__all__ = ["key_label", "key_labels", "labelled"]

_KEY_ID = re.compile(r"\bkey_[0-9a-f]{6,}\b")


def key_label(key: ApiKey) -> str:
    return f"{key.name} ({key.prefix})"


async def key_labels(keys: KeyRepository) -> dict[str, str]:
    """Every key's label by id, revoked keys included (old events name them too)."""
    return {key.id: key_label(key) for key in await keys.list(include_revoked=True)}


def labelled(text: str, labels: dict[str, str]) -> str:
    """``text`` with each key id replaced by its label (unknown ids are left as they are)."""
    return _KEY_ID.sub(lambda match: labels.get(match.group(0), match.group(0)), text)
