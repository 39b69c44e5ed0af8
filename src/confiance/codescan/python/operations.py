"""Dangerous operations a request handler reaches: what makes a route worth protecting.

Walks the handler's body and, transitively, the module functions it calls (each once), and
names what it does: runs commands or code, writes to a database or store, writes or deletes
files, sends mail or messages, or calls a paid API (language models, payments, SMS).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from confiance.codescan.inventory import RouteEntry
from confiance.codescan.python.index import FunctionInfo, ModuleIndex
from confiance.codescan.python.names import dotted, last_name, root_name

__all__ = ["Operation", "dangerous_operations", "route_entries"]

Operation = str
"""One of: ``run commands``, ``execute code``, ``write to the store``, ``write files``,
``send mail``, ``call a paid API``."""

COMMANDS = "run commands"
CODE = "execute code"
STORE = "write to the store"
FILES = "write files"
MAIL = "send mail"
PAID = "call a paid API"

_COMMAND_CALLS = re.compile(
    r"^(?:subprocess\.\w+|os\.(?:system|popen|exec\w*|spawn\w*)|asyncio\.create_subprocess_\w+|"
    r"pty\.spawn|commands\.getoutput)$"
)
_CODE_CALLS = frozenset({"eval", "exec", "builtins.eval", "builtins.exec"})
_FILE_CALLS = frozenset(
    {"os.remove", "os.unlink", "os.rmdir", "os.rename", "os.replace", "shutil.rmtree",
     "shutil.move", "shutil.copy", "shutil.copyfile"}
)  # fmt: skip
_STORE_METHODS = frozenset(
    {"commit", "insert_one", "insert_many", "update_one", "update_many", "delete_one",
     "delete_many", "replace_one", "bulk_create", "bulk_update", "put_item", "delete_item",
     "update_item", "hset", "lpush", "rpush", "sadd", "zadd"}
)  # fmt: skip
_ORM_WRITES = frozenset({"save", "delete", "create", "update", "add", "merge"})
_DB_RECEIVER = re.compile(r"session|db|objects|repo|store|collection|table|redis|cache", re.I)
_SQL_WRITE = re.compile(r"^\s*(?:insert|update|delete|drop|alter|create|truncate|replace)\b", re.I)
_MAIL = re.compile(r"sendmail|send_message|send_mail|send_email|mail\.send|send_mass_mail")
_PAID_PREFIXES = ("stripe.", "twilio.", "braintree.", "sendgrid.", "boto3.", "paypalrestsdk.")
_PAID_ROOTS = tuple(p.rstrip(".") for p in _PAID_PREFIXES)
# Last names of the calls above: anything else can only be a model or paid-API call.
_CANDIDATES = frozenset(
    {"system", "popen", "popen2", "popen3", "popen4", "run", "call", "check_call", "check_output",
     "Popen", "getoutput", "getstatusoutput", "startfile", "eval", "exec", "exec_command",
     "remove", "unlink", "rmdir", "rename", "replace", "rmtree", "move", "copy", "copyfile",
     "write_text", "write_bytes", "open", "sendmail", "send_message", "send_mail", "send_email",
     "send_mass_mail", "send", "execute", "executemany"}
    | _STORE_METHODS
    | _ORM_WRITES
)  # fmt: skip
_CANDIDATE_PREFIXES = ("exec", "spawn", "create_subprocess", "send")
_MAX_FUNCTIONS = 50
LLMCheck = Callable[[ast.Call], object]


def _operation(node: ast.Call, index: ModuleIndex, llm: LLMCheck) -> Operation | None:
    name = last_name(node.func)
    if name not in _CANDIDATES and not name.startswith(_CANDIDATE_PREFIXES):
        root = root_name(node.func) or ""
        if index.imports.aliases.get(root, root).startswith(_PAID_ROOTS):
            return PAID
        return PAID if index.llm and llm(node) is not None else None
    qual = index.imports.qualname(node.func) or ""
    if _COMMAND_CALLS.match(qual) or name == "exec_command":
        return COMMANDS
    if qual in _CODE_CALLS:
        return CODE
    if qual in _FILE_CALLS or name in ("write_text", "write_bytes", "unlink", "rmtree"):
        return FILES
    if qual in ("open", "builtins.open") and _write_mode(node):
        return FILES
    if _MAIL.search(qual or name):
        return MAIL
    if qual.startswith(_PAID_PREFIXES) or (index.llm and llm(node) is not None):
        return PAID
    receiver = dotted(node.func.value) if isinstance(node.func, ast.Attribute) else None
    if name in _STORE_METHODS:
        return STORE
    if name in _ORM_WRITES and receiver and _DB_RECEIVER.search(receiver):
        return STORE
    if name in ("execute", "executemany") and node.args:
        sql = node.args[0]
        text = sql.value if isinstance(sql, ast.Constant) else ""
        if isinstance(sql, ast.JoinedStr) and sql.values:
            first = sql.values[0]
            text = first.value if isinstance(first, ast.Constant) else ""
        if isinstance(text, str) and _SQL_WRITE.match(text):
            return STORE
    return None


def _write_mode(node: ast.Call) -> bool:
    mode = node.args[1] if len(node.args) > 1 else None
    for keyword in node.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    return (
        isinstance(mode, ast.Constant)
        and isinstance(mode.value, str)
        and bool(set(mode.value) & set("wax+"))
    )


def _direct(
    info: FunctionInfo, index: ModuleIndex, llm: LLMCheck
) -> tuple[dict[Operation, int], list[str]]:
    """Operations in the function's own body and the module functions it calls (cached)."""
    cached = index.operations.get(info.key)
    if cached is not None:
        return cached
    found: dict[Operation, int] = {}
    callees: list[str] = []
    for node in ast.walk(info.node):
        if not isinstance(node, ast.Call):
            continue
        operation = _operation(node, index, llm)
        if operation is not None:
            found.setdefault(operation, node.lineno)
        callee = index.resolve(node.func, info.class_name)
        if callee is not None:
            callees.append(callee.key)
    index.operations[info.key] = (found, callees)
    return found, callees


def dangerous_operations(
    info: FunctionInfo, index: ModuleIndex, llm: LLMCheck
) -> dict[Operation, int]:
    """Each dangerous operation the function (or a module function it calls) performs, with
    the first line where it happens, in the order found. ``llm`` tells model calls (the
    module context's cached :meth:`~ModuleContext.llm_call`)."""
    found: dict[Operation, int] = {}
    pending, seen = [info.key], {info.key}
    while pending and len(seen) <= _MAX_FUNCTIONS:
        current = index.functions.get(pending.pop())
        if current is None:
            continue
        direct, callees = _direct(current, index, llm)
        for operation, line in direct.items():
            found.setdefault(operation, line)
        for key in callees:
            if key not in seen:
                seen.add(key)
                pending.append(key)
    return found


_FRAMEWORKS = {
    "Flask": "flask", "Blueprint": "flask", "Quart": "flask", "FastAPI": "fastapi",
    "APIRouter": "fastapi", "Starlette": "starlette", "Router": "starlette",
    "RouteTableDef": "aiohttp", "Application": "aiohttp",
}  # fmt: skip


def _framework(router: str, path: str, index: ModuleIndex) -> str:
    if router == "aiohttp":
        return "aiohttp"
    constructed = index.instances.get(router)
    if constructed is not None:
        found = _FRAMEWORKS.get(constructed[0].rpartition(".")[2])
        if found:
            return found
    for package in ("fastapi", "flask", "starlette", "aiohttp", "quart", "django"):
        if index.imports.imports_any(frozenset({package})) and (path or package == "django"):
            return "flask" if package == "quart" else package
    return "unknown"


def route_entries(index: ModuleIndex, file: str, llm: LLMCheck) -> list[RouteEntry]:
    """The inventory of the module's request handlers."""
    entries = []
    for info in index.functions.values():
        route = info.route
        if route is None:
            continue
        entries.append(
            RouteEntry(
                file=file,
                line=info.node.lineno,
                framework=_framework(route.router, route.path, index),
                methods=tuple(sorted(route.methods)) or ("ANY",),
                path=route.path or f"(view {info.node.name})",
                handler=info.key,
                auth=route.auth_evidence,
                operations=tuple(dangerous_operations(info, index, llm)),
            )
        )
    return entries
