"""Unrestricted upload: a file from the request saved without checking its type."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import dotted, last_name
from confiance.codescan.python.routes import FunctionNode

__all__ = ["UPLOAD"]

UPLOAD = rules.register(
    Rule(
        id="CF-PY-UNRESTRICTED-UPLOAD",
        name="File upload without type check",
        family="upload",
        cwe=434,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        description="An uploaded file is stored without checking its extension or content "
        "type: a client uploads a .html, .svg or script that the server or the browser then "
        "runs (stored XSS, code execution when the folder is served or imported).",
        fix="Accept an allowlist of extensions and content types (check both, and the magic "
        "bytes for images), generate the stored name yourself (uuid4().hex + allowed "
        "extension), store outside the web root, and cap the size (MAX_CONTENT_LENGTH).",
        owasp=("ASVS V12.2.1", "ASVS V12.5.2"),
    )
)

_UPLOAD_TYPES = frozenset({"UploadFile", "FileStorage", "UploadedFile", "InMemoryUploadedFile"})
_CHECK_CALLS = re.compile(
    r"allowed|valid|check|splitext|suffix|guess_type|guess_extension|imghdr|magic|filetype|"
    r"from_buffer|what|verify|sniff|extension",
    re.I,
)
_CHECK_ATTRS = frozenset({"content_type", "mimetype", "suffix", "headers"})


def _is_upload_source(node: ast.expr) -> bool:
    """``request.files[...]``, ``request.files.get(...)``, ``request.FILES[...]``."""
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Attribute) and target.attr in ("get", "getlist"):
        target = target.value
    if isinstance(target, ast.Subscript):
        target = target.value
    text = dotted(target) or ""
    return text.endswith((".files", ".FILES"))


def _uploads(function: FunctionNode) -> set[str]:
    names = {
        a.arg
        for a in [*function.args.args, *function.args.kwonlyargs]
        if a.annotation is not None and _annotation_is_upload(a.annotation)
    }
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and _is_upload_source(node.value):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif (
            isinstance(node, ast.For)
            and _is_upload_source(node.iter)
            and isinstance(node.target, ast.Name)
        ):
            names.add(node.target.id)
    return names


def _annotation_is_upload(annotation: ast.expr) -> bool:
    return any(
        isinstance(n, ast.Name | ast.Attribute) and last_name(n) in _UPLOAD_TYPES
        for n in ast.walk(annotation)
    )


def _stores(function: FunctionNode, uploads: set[str]) -> ast.Call | None:
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "save":
            receiver = dotted(func.value)
            if receiver in uploads or any(
                isinstance(a, ast.Name) and a.id in uploads for a in node.args
            ):
                return node
        if last_name(func) in ("copyfileobj", "write", "write_bytes") and _reads_upload(
            node, uploads
        ):
            return node
    return None


def _reads_upload(node: ast.Call, uploads: set[str]) -> bool:
    for child in ast.walk(node):
        name = dotted(child) if isinstance(child, ast.Attribute | ast.Name) else None
        if name and name.split(".", 1)[0] in uploads:
            return True
    return False


def _checks_type(function: FunctionNode, uploads: set[str]) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and _CHECK_CALLS.search(last_name(node.func)):
            return True
        if (isinstance(node, ast.Attribute) and node.attr in _CHECK_ATTRS) and (
            (dotted(node.value) or "").split(".", 1)[0] in uploads
        ):
            return True
        if isinstance(node, ast.Call) and last_name(node.func) == "endswith":
            return True
    return False


_MENTIONS_UPLOAD = re.compile(r"\.files\b|\.FILES\b|UploadFile|FileStorage|UploadedFile")


@checks.module
def _routes(context: ModuleContext) -> Iterator[Finding]:
    if not context.index.routes or not _MENTIONS_UPLOAD.search(context.source):
        return
    for route in context.index.routes:
        function = route.function
        uploads = _uploads(function)
        if not uploads:
            continue
        stored = _stores(function, uploads)
        if stored is not None and not _checks_type(function, uploads):
            yield context.finding(
                UPLOAD,
                stored,
                f"uploaded file {sorted(uploads)[0]!r} is stored without an extension or "
                "content-type check",
            )
