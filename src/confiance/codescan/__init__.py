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

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Imported on first use, so that importing a light submodule (the gateway's redaction imports
# ``confiance.codescan.secretformats``) does not load the analyzers and their parsers.
_HOMES = {
    **dict.fromkeys(("Confidence", "Finding", "Rule", "Severity"), "findings"),
    **dict.fromkeys(("load_rules", "scan"), "scanner"),
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_HOMES.get(name, 'results')}")
    return getattr(module, name)
