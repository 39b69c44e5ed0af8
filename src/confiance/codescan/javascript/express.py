"""Express-style routes that lack authentication middleware while their siblings have it.

Routes are calls ``X.get|post|put|patch|delete|all('/path', ...middleware, handler)`` grouped by
the receiver ``X`` (``app``, ``router``...). Middleware counts as authentication when its name
says so (``auth``, ``requireUser``, ``passport.authenticate``, ``checkJwt``...). ``X.use(auth)``
protects the routes declared after it (with a path prefix, only those under it). A route is
reported when another route on the same receiver is protected and it is not, unless its path is
public by nature (login, signup, health...); admin paths are reported even with no sibling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tree_sitter import Node

from confiance.codescan.findings import Severity
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


@dataclass(slots=True)
class _Route:
    node: Node
    method: str
    path: str
    authenticated: bool


@dataclass(slots=True)
class _Receiver:
    routes: list[_Route] = field(default_factory=list)
    guarded_prefixes: list[str] = field(default_factory=list)


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
        guarded = any(_is_auth(m) for m in middleware) or any(
            path.startswith(prefix) for prefix in receiver.guarded_prefixes
        )
        receiver.routes.append(_Route(node, method, path, guarded))

    @staticmethod
    def _observe_use(receiver: _Receiver, args: list[Node]) -> None:
        prefix = string_value(args[0]) if args else None
        middleware = args[1:] if prefix is not None else args
        if any(_is_auth(m) for m in middleware):
            receiver.guarded_prefixes.append(prefix or "")

    def report(self, ctx: FileContext) -> None:
        for name, receiver in self._receivers.items():
            siblings_guarded = any(route.authenticated for route in receiver.routes)
            for route in receiver.routes:
                if route.authenticated:
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
