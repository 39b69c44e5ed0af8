"""Jupyter notebooks: the Python code cells, each mapped back to lines of the ``.ipynb`` file.

Secrets are scanned over the raw JSON (code cells and outputs alike); this module only serves
the Python analyzer, which needs each code cell as source with its lines located in the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

__all__ = ["Cell", "code_cells"]

_JSON_STRING_LINE = re.compile(
    r'^\s*(?:"source"\s*:\s*\[?\s*)?("(?:[^"\\]|\\.)*")\s*,?\s*\]?,?\s*$'
)


@dataclass(frozen=True, slots=True)
class Cell:
    """Source of one code cell; ``lines[i]`` is the file line of source line ``i + 1``."""

    source: str
    lines: tuple[int, ...]


def _decoded_lines(raw: str) -> list[tuple[int, str]]:
    decoded = []
    for number, line in enumerate(raw.splitlines(), start=1):
        match = _JSON_STRING_LINE.match(line)
        if match:
            try:
                decoded.append((number, json.loads(match.group(1))))
            except json.JSONDecodeError:
                continue
    return decoded


def _neutralize(line: str) -> str:
    """IPython magics and shell escapes are not Python: blank them, keeping line numbers."""
    stripped = line.lstrip()
    return "" if stripped.startswith(("%", "!", "?")) else line


def code_cells(raw: str) -> list[Cell]:
    """Code cells of a notebook, or ``[]`` when ``raw`` is not notebook JSON."""
    try:
        document = json.loads(raw)
    except json.JSONDecodeError:
        return []
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        return []
    located = _decoded_lines(raw)
    cursor = 0
    cells = []
    for cell in document["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        parts = source if isinstance(source, list) else str(source).splitlines(keepends=True)
        lines: list[int] = []
        for part in parts:
            text = str(part)
            index = next((i for i in range(cursor, len(located)) if located[i][1] == text), None)
            if index is None:
                lines.append(lines[-1] if lines else 1)
            else:
                lines.append(located[index][0])
                cursor = index + 1
        code = "".join(_neutralize(str(p).rstrip("\n")) + "\n" for p in parts)
        cells.append(Cell(code, tuple(lines)))
    return cells
