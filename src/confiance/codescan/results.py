"""What a scan is asked to do (:class:`ScanOptions`) and what it found (:class:`ScanResult`).

These records are what the reporters (table, JSON, SARIF, checklist) and the CLI read; the driver
in :mod:`confiance.codescan.scanner` is the only producer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from confiance.codescan.findings import Finding, Severity
from confiance.codescan.inventory import RouteEntry

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "FileNote",
    "HistoryFinding",
    "ScanOptions",
    "ScanResult",
    "ScannedFile",
    "SkippedFile",
    "SuppressedFinding",
]

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
"""Files above this size are treated as generated artefacts and skipped with a reason."""


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Everything a scan can be told. ``None`` means "the sensible default" for each field.

    ``root`` anchors the relative paths findings carry (default: the current directory when the
    scanned paths are inside it). ``rules`` / ``exclude_rules`` hold rule ids or ``fnmatch``
    patterns (``CF-SECRET-*``). ``jobs`` is the number of worker processes (default: CPU count).
    ``today`` pins the clock for rules that depend on the date (retired models, sign-offs).
    ``secrets_config`` is the secrets allow-list (default: ``ROOT/.confiance-secrets.toml``).
    """

    root: Path | None = None
    jobs: int | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    rules: tuple[str, ...] = ()
    exclude_rules: tuple[str, ...] = ()
    baseline: Path | None = None
    diff_base: str | None = None
    history: bool = False
    progress: bool = False
    today: date | None = None
    secrets_config: Path | None = None


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file not (fully) analysed. ``partial`` means secrets were still scanned in it."""

    path: str
    reason: str
    partial: bool = False


@dataclass(frozen=True, slots=True)
class FileNote:
    """Something worth telling about a file that was scanned (e.g. a fallback encoding)."""

    path: str
    note: str


@dataclass(frozen=True, slots=True)
class ScannedFile:
    """A file that was read: its digest lets sign-offs detect changes; ``topics`` are tags such
    as ``llm-call`` or ``routes`` the checklist uses to decide which files a manual item covers."""

    path: str
    sha256: str
    lines: int
    kind: str
    topics: tuple[str, ...] = ()
    topic_lines: tuple[tuple[str, int], ...] = ()
    routes: tuple[RouteEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class SuppressedFinding:
    finding: Finding
    reason: str


@dataclass(frozen=True, slots=True)
class HistoryFinding:
    """A secret found in git history: ``finding.path``/``line`` are as of ``commit``."""

    commit: str
    finding: Finding
    committed_at: str = ""


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The outcome of one scan. ``findings`` are the ones that remain after inline suppressions,
    the baseline and the ``--diff`` filter; the others are kept for reporting."""

    root: str
    findings: tuple[Finding, ...] = ()
    suppressed: tuple[SuppressedFinding, ...] = ()
    baselined: tuple[Finding, ...] = ()
    history: tuple[HistoryFinding, ...] = ()
    skipped: tuple[SkippedFile, ...] = ()
    notes: tuple[FileNote, ...] = ()
    files: tuple[ScannedFile, ...] = ()
    rule_ids: tuple[str, ...] = ()
    duration_s: float = 0.0
    diff_base: str | None = None
    analyzers: tuple[str, ...] = field(default=())

    @property
    def routes(self) -> list[RouteEntry]:
        """The route inventory of every scanned file, by file and line."""
        return sorted((r for f in self.files for r in f.routes), key=lambda r: (r.file, r.line))

    @property
    def lines_scanned(self) -> int:
        return sum(f.lines for f in self.files)

    def all_findings(self) -> list[Finding]:
        """Findings in the tree plus findings in history (each history finding once)."""
        return [*self.findings, *(h.finding for h in self.history)]

    def at_or_above(self, threshold: Severity) -> list[Finding]:
        """The findings (tree and history) whose severity is at least ``threshold``."""
        return [f for f in self.all_findings() if f.severity.rank >= threshold.rank]


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first, then by location: the order every reporter uses."""
    return sorted(findings, key=lambda f: (-f.severity.rank, f.path, f.line, f.column, f.rule_id))
