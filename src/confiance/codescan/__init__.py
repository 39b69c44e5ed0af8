"""confiance.codescan: the security review scanner for (AI-written) code.

Public API::

    from confiance.codescan import scan, ScanOptions
    result = scan(["src/"], ScanOptions(diff_base="origin/main"))
    for finding in result.findings: ...

The rule registry is :data:`confiance.codescan.findings.rules` (``confiance.codescan.rules`` is
the package of Python rule families). Analyzers: secrets in any text file, JavaScript and
TypeScript (tree-sitter), Python (AST + taint, :mod:`confiance.codescan.python`). Reporters:
:mod:`~confiance.codescan.report` (table, JSON), :mod:`~confiance.codescan.sarif`,
:mod:`~confiance.codescan.checklist`.
"""

from __future__ import annotations

from confiance.codescan.findings import Confidence, Finding, Rule, Severity
from confiance.codescan.results import (
    FileNote,
    HistoryFinding,
    ScannedFile,
    ScanOptions,
    ScanResult,
    SkippedFile,
    SuppressedFinding,
)
from confiance.codescan.scanner import load_rules, scan

__all__ = [
    "Confidence",
    "FileNote",
    "Finding",
    "HistoryFinding",
    "Rule",
    "ScanOptions",
    "ScanResult",
    "ScannedFile",
    "Severity",
    "SkippedFile",
    "SuppressedFinding",
    "load_rules",
    "scan",
]
