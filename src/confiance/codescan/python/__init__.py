"""Python analysis: AST walk plus intra- and inter-procedural taint tracking.

Entry point: :func:`analyze` (``analyze(source, path, *, today=None) -> list[Finding]``). Rule
families live in :mod:`confiance.codescan.rules` and register their checks in
:data:`confiance.codescan.python.checks.checks`.
"""

from confiance.codescan.python.analyzer import analyze, analyze_module

__all__ = ["analyze", "analyze_module"]
