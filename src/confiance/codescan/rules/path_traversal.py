"""Path traversal: request data choosing which file is read, written, sent or deleted."""

from __future__ import annotations

from confiance.codescan.findings import Confidence, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.taint import SinkKind, SourceKind

__all__ = ["PATH_TRAVERSAL"]

PATH_TRAVERSAL = rules.register(
    Rule(
        id="CF-PY-PATH-TRAVERSAL",
        name="Path traversal",
        family="path_traversal",
        cwe=22,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        description="A file path built from request data is opened, sent, listed or deleted, "
        "so '../' in the input reaches files outside the intended directory.",
        fix="Reduce the input to a file name (os.path.basename, werkzeug secure_filename), or "
        "resolve the full path and check it stays under the base directory "
        "(os.path.realpath(p).startswith(base + os.sep), Path.resolve().is_relative_to(base)); "
        "Flask's send_from_directory does this for you.",
        owasp=("ASVS V12.3.1",),
    )
)

checks.taint(PATH_TRAVERSAL, [SinkKind.PATH], {SourceKind.REMOTE: Confidence.HIGH})
