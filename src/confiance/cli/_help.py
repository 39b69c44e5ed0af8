"""How ``--help`` shows options.

Typer 0.2x prints each option's value type next to it, so an on/off flag such as ``--json``
reads ``--json <bool>``, as if it took a value: ``--json true`` is then an error about an
unexpected argument. Flags take no value, so no type is shown for them; every other option
keeps its type (``--limit <int>``).
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperOption

__all__ = ["hide_flag_types"]

_shown_type = TyperOption.display_type_rich


def _flag_aware(self: TyperOption, ctx: Any) -> str | None:
    return None if self.is_flag else _shown_type(self, ctx)


def hide_flag_types() -> None:
    """Show no value type for on/off flags in every command's ``--help`` (idempotent)."""
    TyperOption.display_type_rich = _flag_aware  # type: ignore[method-assign]
