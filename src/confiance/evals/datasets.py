"""Dataset files: JSONL or CSV rows that become eval cases.

Every row is a mapping of field name to value. A row that cannot be read (broken JSON, not an
object, a CSV row with the wrong number of cells) is a :class:`RowProblem` naming the file and
line; the caller decides whether the other rows still run or the whole suite is refused.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confiance.errors import ConfigError

__all__ = ["DatasetRow", "RowProblem", "read_dataset"]

MAX_DATASET_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class DatasetRow:
    """One readable row: its 1-based ``line`` in the file and its fields."""

    line: int
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that could not be used: where it is and why."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


def read_dataset(
    path: Path, format: str | None, shown_as: str
) -> tuple[list[DatasetRow], list[RowProblem], bytes]:
    """Rows, row problems and the raw bytes (for the suite's version hash) of ``path``.

    ``format`` is ``jsonl`` or ``csv`` (from the extension when ``None``); ``shown_as`` is the
    name used in messages. Raises ``ConfigError`` when the file cannot be read at all.
    """
    kind = format or _format_of(path, shown_as)
    try:
        if path.stat().st_size > MAX_DATASET_BYTES:
            raise ConfigError(f"{shown_as}: larger than {MAX_DATASET_BYTES} bytes; split it")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{shown_as}: dataset file not found (paths are relative to the suite file)"
        ) from None
    except OSError as error:
        raise ConfigError(f"{shown_as}: cannot read the dataset: {error.strerror}") from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ConfigError(f"{shown_as}:{line}: not valid UTF-8; save the file as UTF-8") from None
    rows, problems = _jsonl(text, shown_as) if kind == "jsonl" else _csv(text, shown_as)
    return rows, problems, raw


def _format_of(path: Path, shown_as: str) -> str:
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"
    if suffix in {".csv", ".tsv"}:
        return "csv"
    raise ConfigError(
        f"{shown_as}: cannot tell the dataset format from {suffix or 'no extension'!r} "
        "(name it .jsonl or .csv, or set `format: jsonl|csv`)"
    )


def _jsonl(text: str, source: str) -> tuple[list[DatasetRow], list[RowProblem]]:
    rows: list[DatasetRow] = []
    problems: list[RowProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(RowProblem(source, number, f"not valid JSON: {error.msg}"))
            continue
        if not isinstance(value, dict):
            problems.append(RowProblem(source, number, "a row must be a JSON object {...}"))
            continue
        rows.append(DatasetRow(number, value))
    return rows, problems


def _csv(text: str, source: str) -> tuple[list[DatasetRow], list[RowProblem]]:
    delimiter = "\t" if source.lower().endswith(".tsv") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[DatasetRow] = []
    problems: list[RowProblem] = []
    try:
        header = next(reader, None)
        if header is None:
            return rows, problems
        names = [name.strip() for name in header]
        if len(set(names)) != len(names) or not all(names):
            raise ConfigError(f"{source}:1: the header needs distinct, non-empty column names")
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(names):
                message = f"has {len(cells)} cells, the header has {len(names)}"
                problems.append(RowProblem(source, line, message))
                continue
            rows.append(DatasetRow(line, dict(zip(names, cells, strict=True))))
    except csv.Error as error:
        problems.append(RowProblem(source, reader.line_num, f"unreadable CSV: {error}"))
    return rows, problems
