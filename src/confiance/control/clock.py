"""The clock services read time from: passed in, so tests can fix or advance it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeAlias

__all__ = ["Clock", "system_clock"]

Clock: TypeAlias = Callable[[], datetime]
"""Returns the current time as a timezone-aware UTC ``datetime``."""


def system_clock() -> datetime:
    return datetime.now(UTC)
