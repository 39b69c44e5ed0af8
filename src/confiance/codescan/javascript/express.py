"""Express-style routes that lack authentication middleware while their siblings have it.

Routes are calls ``X.get|post|put|patch|delete|all('/path', ...middleware, handler)`` grouped by
the receiver ``X`` (``app``, ``router``...). Middleware counts as authentication when its name
says so (``auth``, ``requireUser``, ``passport.authenticate``, ``checkJwt``...). ``X.use(auth)``
protects the routes declared after it (with a path prefix, only those under it). A route is
reported when another route on the same receiver is protected and it is not, unless its path is
public by nature (login, signup, health...); admin paths are reported even with no sibling, and
so is any route whose handler does something dangerous (runs commands or code, writes to the
database or files, sends mail, calls a paid API) with no authentication, whatever its path.
Every route also enters the route inventory (:class:`~confiance.codescan.inventory.RouteEntry`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tree_sitter import Node

from confiance.codescan.findings import Severity
from confiance.codescan.inventory import RouteEntry
from confiance.codescan.javascript import rules as r
from confiance.codescan.javascript.context import FileContext
from confiance.codescan.javascript.syntax import arguments, compact, string_value, text

__all__ = ["RouteTable"]

_METHODS = frozenset({"get", "post", "put", "patch", "delete", "all"})
_STATE_CHANGING = frozenset({"post", "put", "patch", "delete", "all"})
_AUTH = re.compile(
    r"(?i)auth|login|jwt|session|protect|guard|verify|ensure|require(?:d)?(?:user|role|admin|"
    r"scope|permission)|isadmin|isloggedin|loggedin|permission|acl|passport|bearer|apikey|"
    r"clerk|withuser|currentuser|rbac|authorize"
)
_PUBLIC_PATH = re.compile(
    r"(?i)^/?$|login|logout|sign-?in|sign-?up|signout|register|health|status|ready|live|ping|"
    r"metrics|public|webhook|callback|oauth|forgot|reset|verify|static|assets|favicon|robots|docs"
)
_ADMIN_PATH = re.compile(r"(?i)(?:^|/)admin(?:/|$|\b)")
_CALL = r"\s*\("
_OPERATIONS = (
    (
        "run commands",
        re.compile(r"\b(?:exec|execSync|execFile|execFileSync|spawn|spawnSync|fork)" + _CALL),
    ),
    ("execute code", re.compile(r"\beval" + _CALL + r"|\bnew\s+Function\b|\bvm\.run")),
    (
        "write to the store",
        re.compile(
            r"\.\s*(?:save|create|insert\w*|update\w*|destroy|delete\w*|remove|upsert|bulkCreate)"
            + _CALL
            + r"|query\s*\(\s*[`'\"]\s*(?:INSERT|UPDATE|DELETE|DROP)",
            re.I,
        ),
    ),
    ("write files", re.compile(r"\bfs\.(?:writeFile|appendFile|unlink|rm|rename)\w*" + _CALL)),
    ("send mail", re.compile(r"sendMail" + _CALL + r"|\.send(?:Email|Mail)" + _CALL)),
    (
        "call a paid API",
        re.compile(
            r"chat\.completions\.create|messages\.create|generateText"
            + _CALL
            + r"|streamText"
            + _CALL
            + r"|\bstripe\."
        ),
    ),
)


@dataclass(slots=True)
class _Route:
    node: Node
    method: str
    path: str
    evidence: str
    handler: Node

    @property
    def authenticated(self) -> bool:
        return bool(self.evidence)


@dataclass(slots=True)
class _Receiver:
    routes: list[_Route] = field(default_factory=list)
    guarded_prefixes: list[tuple[str, str]] = field(default_factory=list)


def _is_auth(node: Node) -> bool:
    if node.type in ("arrow_function", "function_expression", "function"):
        return False
    return bool(_AUTH.search(compact(node)))


class RouteTable:
    """Collects routes during the walk; :meth:`report` decides once the file is read."""

    def __init__(self) -> None:
        self._receivers: dict[str, _Receiver] = {}

    def observe(self, node: Node) -> None:
        function = node.child_by_field_name("function")
        if function is None or function.type != "member_expression":
            return
        method = text(function.child_by_field_name("property"))
        receiver_node = function.child_by_field_name("object")
        if receiver_node is None or receiver_node.type != "identifier":
            return
        receiver = self._receivers.setdefault(compact(receiver_node), _Receiver())
        args = arguments(node)
        if method == "use":
            self._observe_use(receiver, args)
            return
        path = string_value(args[0]) if args else None
        if method not in _METHODS or path is None or len(args) < 2:
            return
        middleware = args[1:-1]
        evidence = next((compact(m)[:60] for m in middleware if _is_auth(m)), "")
        if not evidence:
            evidence = next(
                (
                    f"{guard} (use)"
                    for prefix, guard in receiver.guarded_prefixes
                    if path.startswith(prefix)
                ),
                "",
            )
        receiver.routes.append(_Route(node, method, path, evidence, args[-1]))

    @staticmethod
    def _observe_use(receiver: _Receiver, args: list[Node]) -> None:
        prefix = string_value(args[0]) if args else None
        middleware = args[1:] if prefix is not None else args
        guard = next((compact(m)[:60] for m in middleware if _is_auth(m)), "")
        if guard:
            receiver.guarded_prefixes.append((prefix or "", guard))

    def entries(self, ctx: FileContext, root: Node) -> list[RouteEntry]:
        """The route inventory of the file."""
        found = []
        for route in self._all():
            found.append(
                RouteEntry(
                    file=ctx.path,
                    line=route.node.start_point[0] + 1,
                    framework="express",
                    methods=(route.method.upper(),),
                    path=route.path,
                    handler=_handler_name(route.handler),
                    auth=route.evidence,
                    operations=_operations(route.handler, root),
                )
            )
        return found

    def _all(self) -> list[_Route]:
        return [route for receiver in self._receivers.values() for route in receiver.routes]

    def report(self, ctx: FileContext, root: Node) -> None:
        for name, receiver in self._receivers.items():
            siblings_guarded = any(route.authenticated for route in receiver.routes)
            for route in receiver.routes:
                if route.authenticated:
                    continue
                operations = _operations(route.handler, root)
                if operations and not (
                    _PUBLIC_PATH.search(route.path) and "run commands" not in operations
                ):
                    ctx.report(
                        r.ROUTE_NO_AUTH,
                        route.node,
                        f"{route.method.upper()} {route.path} has no authentication and can: "
                        + ", ".join(operations),
                        severity=Severity.CRITICAL
                        if {"run commands", "execute code"} & set(operations)
                        else Severity.HIGH,
                    )
                    continue
                admin = bool(_ADMIN_PATH.search(route.path))
                if not admin and (not siblings_guarded or _PUBLIC_PATH.search(route.path)):
                    continue
                severity = (
                    Severity.HIGH if route.method in _STATE_CHANGING or admin else (Severity.MEDIUM)
                )
                why = (
                    "an admin route"
                    if admin and not siblings_guarded
                    else (f"other {name} routes in this file require it")
                )
                ctx.report(
                    r.ROUTE_NO_AUTH,
                    route.node,
                    f"{route.method.upper()} {route.path} has no authentication middleware "
                    f"while {why}",
                    severity=severity,
                )


def _handler_name(handler: Node) -> str:
    if handler.type == "identifier":
        return text(handler)
    return f"inline {handler.type.replace('_', ' ')}"


def _handler_body(handler: Node, root: Node) -> str:
    """The handler's code: inline, or the function of that name declared in the file."""
    if handler.type != "identifier":
        return text(handler)
    name = text(handler)
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "function_declaration" and text(node.child_by_field_name("name")) == name:
            return text(node)
        if node.type == "variable_declarator" and text(node.child_by_field_name("name")) == name:
            return text(node.child_by_field_name("value"))
        stack.extend(node.children)
    return ""


def _operations(handler: Node, root: Node) -> tuple[str, ...]:
    body = _handler_body(handler, root)
    return tuple(name for name, pattern in _OPERATIONS if pattern.search(body))
