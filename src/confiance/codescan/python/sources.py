"""Taint sources: expressions whose value an attacker, a local user, the environment, a file or a
language model chooses.

* web requests: Flask/Quart ``request.args/form/values/json/cookies/headers/files/data/
  get_json()``; any ``request``/``req`` parameter or parameter annotated ``*Request`` (Django
  ``request.GET/POST/body/COOKIES/META``, Starlette ``request.query_params/path_params/json()/
  form()``, aiohttp ``request.query/match_info/post()``, DRF ``request.data``); FastAPI, Flask and
  Django handler parameters are tainted by the flow engine itself;
* ``input()``, ``sys.argv``, ``sys.stdin``, ``argparse`` results (local user);
* ``os.environ``/``os.getenv`` (environment); ``open()`` in read mode and ``.read*()`` (files);
  ``socket.recv*`` (remote peer);
* the return values of language-model calls (see :mod:`llm`).
"""

from __future__ import annotations

import ast

from confiance.codescan.python.llm import llm_call
from confiance.codescan.python.names import ImportTable
from confiance.codescan.python.taint import SourceKind, Taint

__all__ = ["REQUEST_ATTRS", "attribute_source", "call_source", "is_request_annotation"]

REQUEST_ATTRS = frozenset(
    {
        # Flask / Werkzeug / Quart
        "args",
        "form",
        "values",
        "json",
        "cookies",
        "headers",
        "files",
        "data",
        "get_json",
        "get_data",
        "stream",
        "view_args",
        "url",
        "full_path",
        "query_string",
        "referrer",
        # Django / DRF
        "GET",
        "POST",
        "body",
        "COOKIES",
        "META",
        "FILES",
        "query_params",
        "get_full_path",
        "build_absolute_uri",
        # Starlette / FastAPI / aiohttp
        "path_params",
        "query",
        "match_info",
        "rel_url",
        "post",
        "text",
        "read",
        "content",
    }
)
_FLASK_REQUESTS = ("flask.request.", "quart.request.", "werkzeug.local.request.")
_READ_METHODS = frozenset({"read", "readline", "readlines", "read_text", "read_bytes"})
_SOCKET_METHODS = frozenset({"recv", "recvfrom", "recv_into", "recvmsg", "recv_bytes"})
_WRITE_MODES = frozenset("wax")


def is_request_annotation(annotation: ast.expr | None) -> bool:
    """``Request``, ``HttpRequest``, ``web.Request``, ``WSGIRequest``: a request object."""
    if isinstance(annotation, ast.Name):
        return annotation.id.endswith("Request")
    if isinstance(annotation, ast.Attribute):
        return annotation.attr.endswith("Request")
    return False


def attribute_source(
    node: ast.Attribute, imports: ImportTable, request_vars: frozenset[str]
) -> Taint | None:
    """A taint when the attribute reads client or environment data, else None."""
    qual = imports.qualname(node)
    if qual is not None:
        if node.attr in REQUEST_ATTRS and any(qual == p + node.attr for p in _FLASK_REQUESTS):
            return _taint(SourceKind.REMOTE, f"request.{node.attr}", node)
        if qual == "os.environ":
            return _taint(SourceKind.ENV, "os.environ", node)
        if qual == "sys.argv":
            return _taint(SourceKind.LOCAL, "sys.argv", node)
        if qual == "sys.stdin":
            return _taint(SourceKind.LOCAL, "sys.stdin", node)
    base = node.value
    if isinstance(base, ast.Name) and base.id in request_vars and node.attr in REQUEST_ATTRS:
        return _taint(SourceKind.REMOTE, f"{base.id}.{node.attr}", node)
    return None


def call_source(node: ast.Call, qual: str | None, imports: ImportTable) -> Taint | None:
    """A taint when the call returns input, environment, file, socket or model data."""
    if qual in ("input", "raw_input", "builtins.input"):
        return _taint(SourceKind.LOCAL, "input()", node)
    if qual in ("os.getenv", "os.getenvb", "os.environ.get"):
        return _taint(SourceKind.ENV, "os.getenv()", node)
    api = llm_call(node, imports)
    if api is not None:
        return _taint(SourceKind.LLM, f"LLM output ({api.value})", node)
    func = node.func
    if isinstance(func, ast.Attribute):
        if func.attr in _SOCKET_METHODS:
            return _taint(SourceKind.REMOTE, f"socket .{func.attr}()", node)
        if func.attr in ("parse_args", "parse_known_args"):
            return _taint(SourceKind.LOCAL, "command-line arguments", node)
        if func.attr in _READ_METHODS:
            return _taint(SourceKind.FILE, f"file .{func.attr}()", node)
    if qual in ("open", "io.open", "codecs.open", "builtins.open") and not _write_mode(node):
        return _taint(SourceKind.FILE, "file contents (open)", node)
    return None


def _write_mode(node: ast.Call) -> bool:
    mode: ast.expr | None = node.args[1] if len(node.args) > 1 else None
    for keyword in node.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    return (
        isinstance(mode, ast.Constant)
        and isinstance(mode.value, str)
        and bool(_WRITE_MODES & set(mode.value))
    )


def _taint(kind: SourceKind, label: str, node: ast.expr) -> Taint:
    line = node.lineno
    return Taint(kind=kind, label=label, line=line, steps=(f"line {line}: source {label}",))
