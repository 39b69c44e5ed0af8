"""How numbers are shown to people, the same in the terminal and the web UI.

Costs keep three significant digits below a dollar (``$0.0000172``, ``$0.00123``; a call costing
$0.000017 must not read "$0.0000"), cents from a dollar up (``$12.50``). Durations are
milliseconds to a tenth (``87.0 ms``, ``1,234.4 ms``).
"""

from __future__ import annotations

import math

__all__ = ["format_ms", "format_usd"]


def format_usd(value: float) -> str:
    """``value`` US dollars: three significant digits below $1, cents above, ``$0`` for 0."""
    if value == 0:
        return "$0"
    if abs(value) >= 1:
        return f"${value:,.2f}"
    decimals = 2 - math.floor(math.log10(abs(value)))
    text = f"{value:.{decimals}f}".rstrip("0")
    whole, _, fraction = text.partition(".")
    return f"${whole}.{fraction.ljust(2, '0')}"


def format_ms(value: float) -> str:
    """``value`` milliseconds to a tenth, with thousands separators: ``1,234.4 ms``."""
    return f"{value:,.1f} ms"
