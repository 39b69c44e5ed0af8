"""Argument checks shared by the repositories: page sizes and timestamps."""

from __future__ import annotations

from datetime import datetime

from confiance.errors import UsageError

__all__ = ["MAX_LIMIT", "check_limit", "require_aware"]

MAX_LIMIT = 10_000
"""The most rows one list or query call returns; page with cursors beyond it."""


def check_limit(limit: int) -> None:
    """Raise :class:`UsageError` unless ``1 <= limit <= MAX_LIMIT``."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be a whole number from 1 to {MAX_LIMIT}, got {limit!r}")


def require_aware(name: str, value: datetime) -> None:
    """Raise ``ValueError`` naming ``name`` when ``value`` has no time zone.

    Stored timestamps are UTC; a naive datetime is ambiguous, so it is a programming error.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name}={value.isoformat()} has no time zone; pass an aware datetime")
