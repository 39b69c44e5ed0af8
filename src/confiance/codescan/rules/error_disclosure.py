"""Error messages that expose internals: exception text or tracebacks sent to the client."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import dotted, last_name
from confiance.codescan.python.routes import FunctionNode

__all__ = ["ERROR_DISCLOSURE"]

ERROR_DISCLOSURE = rules.register(
    Rule(
        id="CF-PY-ERROR-DISCLOSURE",
        name="Exception details sent to the client",
        family="error_disclosure",
        cwe=209,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        description="A request handler answers with the exception text or a traceback: "
        "clients learn file paths, SQL, library versions, hostnames and sometimes secrets.",
        fix="Log the exception server-side (logger.exception) and answer with a generic "
        "message and an error id; keep details for validation errors you wrote yourself.",
        owasp=("ASVS V7.4.1",),
    )
)

_TRACEBACK = frozenset({"format_exc", "format_exception", "format_tb", "print_exc"})
_RESPONDERS = frozenset(
    {"jsonify", "JsonResponse", "JSONResponse", "HttpResponse", "Response", "make_response",
     "HTTPException", "abort", "HTMLResponse", "PlainTextResponse", "json_response",
     "HttpResponseServerError", "HttpResponseBadRequest"}
)  # fmt: skip


def _exposes(node: ast.AST, names: set[str]) -> bool:
    """``str(e)``, ``repr(e)``, ``f"{e}"``, ``e.args``, ``traceback.format_exc()``."""
    for child in ast.walk(node):
        if isinstance(child, ast.Call) and last_name(child.func) in _TRACEBACK:
            return True
        if (
            isinstance(child, ast.Call)
            and last_name(child.func) in ("str", "repr")
            and any(isinstance(a, ast.Name) and a.id in names for a in child.args)
        ):
            return True
        if (
            isinstance(child, ast.FormattedValue)
            and isinstance(child.value, ast.Name)
            and child.value.id in names
        ):
            return True
        if (
            isinstance(child, ast.Attribute)
            and child.attr == "args"
            and isinstance(child.value, ast.Name)
            and child.value.id in names
        ):
            return True
        if isinstance(child, ast.Dict) and any(
            isinstance(v, ast.Name) and v.id in names for v in child.values
        ):
            return True
    return False


def _responses(body: list[ast.stmt]) -> Iterator[ast.AST]:
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Return) and node.value is not None:
                yield node.value
            elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                yield node.exc
            elif isinstance(node, ast.Call) and last_name(node.func) in _RESPONDERS:
                yield node


def _handlers(function: FunctionNode) -> Iterator[tuple[set[str], list[ast.stmt]]]:
    for node in ast.walk(function):
        if isinstance(node, ast.ExceptHandler):
            yield ({node.name} if node.name else set()), node.body


def _is_error_handler(function: FunctionNode) -> bool:
    return any(
        "errorhandler" in (dotted(d.func if isinstance(d, ast.Call) else d) or "")
        or "exception_handler" in (dotted(d.func if isinstance(d, ast.Call) else d) or "")
        for d in function.decorator_list
    )


@checks.module
def _routes(context: ModuleContext) -> Iterator[Finding]:
    source = context.source
    if "except" not in source and "handler" not in source:
        return
    for info in context.index.functions.values():
        function = info.node
        if info.route is not None:
            pairs = list(_handlers(function))
        elif _is_error_handler(function):
            params = [a.arg for a in function.args.args if a.arg not in ("request", "self")]
            pairs = [(set(params), function.body)]
        else:
            continue
        for names, body in pairs:
            for response in _responses(body):
                if _exposes(response, names):
                    yield context.finding(
                        ERROR_DISCLOSURE,
                        response,
                        "the response carries the exception text or traceback",
                    )
                    break
