"""Small English for messages: "an embedding route", "a chat route"."""

from __future__ import annotations

__all__ = ["article"]


def article(word: str) -> str:
    """``word`` with its indefinite article: ``an embedding``, ``a chat``."""
    return f"{'an' if word[:1].lower() in 'aeiou' and word else 'a'} {word}"
