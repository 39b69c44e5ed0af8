"""Web routes of a module and what protects them (Flask, FastAPI/Starlette, Django/DRF).

A route is a function decorated ``@app.route("/path")``, ``@bp.post("/path")``,
``@router.get("/path")`` (Flask and FastAPI share the shape), or, in a module importing Django or
DRF, a function whose first parameter is ``request``. For each route we record the evidence of
authentication (an auth decorator, a ``Depends(get_current_user)``/``Security`` parameter, a
router- or app-wide dependency or ``before_request`` guard, or an explicit check in the body)
and of rate limiting.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from confiance.codescan.python.names import ImportTable, dotted, last_name

__all__ = [
    "AUTH_WORDS",
    "FunctionNode",
    "Route",
    "RouterFacts",
    "depends_target",
    "injected_params",
    "route_of",
]

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

_ROUTE_ATTRS = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "head", "options", "api_route", "websocket"}
)
_METHOD_ATTRS = {"get", "post", "put", "patch", "delete", "head", "options"}
AUTH_WORDS = re.compile(
    r"auth|login|permission|perm_|role|jwt|token_required|admin_required|staff|superuser|"
    r"protect|require|current_user|verify|api_key|apikey|credential|principal|guard|signed_in",
    re.I,
)
_LIMIT_WORDS = re.compile(r"limit|throttl", re.I)
# Decorators that contain an auth word but only restrict HTTP methods or caching.
_NOT_AUTH = re.compile(r"require_(http_methods|post|get|safe)|limit|throttl|csrf|cache", re.I)
_BODY_AUTH = re.compile(
    r"is_authenticated|current_user|has_perm|has_permission|check_auth|verify_token|"
    r"require_|authorize|authenticate|get_current_user|check_permission|is_admin|is_staff|"
    r"is_superuser|PermissionDenied|Unauthorized|Forbidden|login_required",
    re.I,
)
_INJECTED_TYPES = frozenset(
    {
        "Request",
        "WebSocket",
        "HTTPConnection",
        "BackgroundTasks",
        "Response",
        "Session",
        "AsyncSession",
        "HttpRequest",
        "SecurityScopes",
    }
)
_DJANGO = frozenset({"django", "rest_framework"})


@dataclass(frozen=True, slots=True)
class Route:
    function: FunctionNode
    path: str
    methods: frozenset[str]
    router: str
    auth_evidence: str
    limited: bool

    @property
    def auth(self) -> bool:
        return bool(self.auth_evidence)

    @property
    def changes_state(self) -> bool:
        return bool(self.methods & {"POST", "PUT", "PATCH", "DELETE"})


@dataclass(slots=True)
class RouterFacts:
    """Module-wide facts that protect many routes at once, and ``Annotated`` type aliases
    (``CurrentUser = Annotated[User, Depends(get_current_user)]``)."""

    protected_routers: set[str]
    limited_everywhere: bool
    aliases: dict[str, ast.expr] = field(default_factory=dict)
    # Handlers registered by call (aiohttp ``app.router.add_post("/x", handler)``,
    # ``web.post("/x", handler)``): function name -> (path, method).
    registered: dict[str, tuple[str, str]] = field(default_factory=dict)
    guarded_everywhere: str = ""


def route_of(
    function: FunctionNode, imports: ImportTable, facts: RouterFacts, in_class: bool
) -> Route | None:
    """The route a function defines, or None when it is not a request handler."""
    for decorator in function.decorator_list:
        found = _decorator_route(decorator)
        if found is not None:
            path, methods, router = found
            return Route(
                function=function,
                path=path,
                methods=methods,
                router=router,
                auth_evidence=(
                    f"{router}: app/router-wide guard"
                    if router in facts.protected_routers
                    else _auth_evidence(function, decorator, facts.aliases)
                ),
                limited=facts.limited_everywhere or _has_limit(function, decorator, facts.aliases),
            )
    if function.name in facts.registered and not in_class:
        path, method = facts.registered[function.name]
        return Route(
            function=function,
            path=path,
            methods=frozenset({method}) if method != "*" else frozenset(),
            router="aiohttp",
            auth_evidence=facts.guarded_everywhere or _auth_evidence(function, None, facts.aliases),
            limited=facts.limited_everywhere or _has_limit(function, None, facts.aliases),
        )
    if imports.imports_any(_DJANGO) and _is_django_view(function, in_class):
        return Route(
            function=function,
            path="",
            methods=_django_methods(function),
            router="",
            auth_evidence=_auth_evidence(function, None, facts.aliases),
            limited=facts.limited_everywhere or _has_limit(function, None, facts.aliases),
        )
    return None


def _decorator_route(decorator: ast.expr) -> tuple[str, frozenset[str], str] | None:
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
        return None
    attr = decorator.func.attr
    if attr not in _ROUTE_ATTRS:
        return None
    path = _path_argument(decorator)
    if path is None:
        return None
    router = dotted(decorator.func.value) or ""
    if attr in _METHOD_ATTRS:
        return path, frozenset({attr.upper()}), router
    return path, _methods_keyword(decorator) or frozenset({"GET"}), router


def _path_argument(call: ast.Call) -> str | None:
    candidates = list(call.args[:1]) + [k.value for k in call.keywords if k.arg in ("path", "rule")]
    for node in candidates:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value if node.value.startswith("/") or node.value == "" else None
    return None


def _methods_keyword(call: ast.Call) -> frozenset[str]:
    for keyword in call.keywords:
        if keyword.arg == "methods" and isinstance(keyword.value, ast.List | ast.Tuple | ast.Set):
            return frozenset(
                e.value.upper()
                for e in keyword.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            )
    return frozenset()


def _is_django_view(function: FunctionNode, in_class: bool) -> bool:
    params = [a.arg for a in function.args.posonlyargs + function.args.args]
    if in_class and params and params[0] in ("self", "cls"):
        params = params[1:]
    return bool(params) and params[0] == "request"


def _django_methods(function: FunctionNode) -> frozenset[str]:
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and last_name(decorator.func) in (
            "api_view",
            "require_http_methods",
        ):
            for arg in decorator.args[:1]:
                if isinstance(arg, ast.List | ast.Tuple):
                    return frozenset(
                        e.value.upper()
                        for e in arg.elts
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)
                    )
        name = last_name(decorator.func if isinstance(decorator, ast.Call) else decorator)
        if name == "require_POST":
            return frozenset({"POST"})
    if function.name in ("post", "put", "patch", "delete"):
        return frozenset({function.name.upper()})
    return frozenset()


def depends_target(node: ast.expr | None) -> str | None:
    """``get_user`` for ``Depends(get_user)``/``Security(get_user, ...)``, else None."""
    if isinstance(node, ast.Call) and last_name(node.func) in ("Depends", "Security"):
        if node.args:
            return dotted(node.args[0]) or ast.unparse(node.args[0])
        return "depends"
    return None


def _param_dependencies(function: FunctionNode, aliases: dict[str, ast.expr]) -> list[str]:
    args = function.args
    found: list[str] = []
    defaults = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    for default in defaults:
        target = depends_target(default)
        if target:
            found.append(target)
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        annotation = _resolved(arg.annotation, aliases)
        if isinstance(annotation, ast.Subscript) and last_name(annotation.value) == "Annotated":
            elts = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else []
            found.extend(t for t in map(depends_target, elts[1:]) if t)
    return found


def _decorator_dependencies(decorator: ast.expr | None) -> list[str]:
    if not isinstance(decorator, ast.Call):
        return []
    for keyword in decorator.keywords:
        if keyword.arg == "dependencies" and isinstance(keyword.value, ast.List | ast.Tuple):
            return [t for t in map(depends_target, keyword.value.elts) if t]
    return []


def _decorator_names(function: FunctionNode) -> list[str]:
    names = []
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = dotted(target)
        if name and not (isinstance(target, ast.Attribute) and target.attr in _ROUTE_ATTRS):
            names.append(name)
    return names


def _resolved(annotation: ast.expr | None, aliases: dict[str, ast.expr]) -> ast.expr | None:
    if isinstance(annotation, ast.Name) and annotation.id in aliases:
        return aliases[annotation.id]
    return annotation


def _auth_evidence(
    function: FunctionNode, decorator: ast.expr | None, aliases: dict[str, ast.expr]
) -> str:
    """What authenticates the route (``@login_required``, ``Depends(get_current_user)``, a
    check in the body), or "" when nothing does."""
    decorators = [f"@{name}" for name in _decorator_names(function)]
    dependencies = [
        f"Depends({name})"
        for name in (*_param_dependencies(function, aliases), *_decorator_dependencies(decorator))
    ]
    for evidence in (*decorators, *dependencies):
        if AUTH_WORDS.search(evidence) and not _NOT_AUTH.search(evidence):
            return evidence
    return _body_auth(function)


def _has_limit(
    function: FunctionNode, decorator: ast.expr | None, aliases: dict[str, ast.expr]
) -> bool:
    evidence = [
        *_decorator_names(function),
        *_param_dependencies(function, aliases),
        *_decorator_dependencies(decorator),
    ]
    if any(_LIMIT_WORDS.search(e) for e in evidence):
        return True
    return any(
        isinstance(d, ast.Call) and _LIMIT_WORDS.search(ast.unparse(d))
        for d in function.decorator_list
    )


def _body_auth(function: FunctionNode) -> str:
    for stmt in function.body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and _BODY_AUTH.search(node.id):
                return f"check in the body: {node.id} (line {node.lineno})"
            if isinstance(node, ast.Attribute) and _BODY_AUTH.search(node.attr):
                return f"check in the body: .{node.attr} (line {node.lineno})"
            if isinstance(node, ast.Call) and _denies(node):
                return f"check in the body: answers 401 (line {node.lineno})"
    return ""


def _denies(call: ast.Call) -> bool:
    """``abort(401)``, ``HTTPException(status_code=401)``, ``HTTPUnauthorized``: the route
    authenticates. (403 alone is also used for validation failures, so it is not evidence.)"""
    if last_name(call.func) not in ("abort", "HTTPException", "HTTPUnauthorized", "HTTPForbidden"):
        return False
    values = [*call.args, *(k.value for k in call.keywords)]
    for value in values:
        if isinstance(value, ast.Constant) and value.value == 401:
            return True
        if isinstance(value, ast.Attribute) and value.attr.startswith("HTTP_401"):
            return True
    return last_name(call.func) == "HTTPUnauthorized"


def injected_params(function: FunctionNode, aliases: dict[str, ast.expr]) -> frozenset[str]:
    """Parameters a framework fills in itself (dependencies, request objects, sessions)."""
    args = function.args
    names: set[str] = set()
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += list(args.defaults)
    pairs = list(zip(positional, defaults, strict=True)) + list(
        zip(args.kwonlyargs, args.kw_defaults, strict=True)
    )
    for arg, default in pairs:
        if depends_target(default) or _annotation_injected(_resolved(arg.annotation, aliases)):
            names.add(arg.arg)
    return frozenset(names)


def _annotation_injected(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    if isinstance(annotation, ast.Subscript) and last_name(annotation.value) == "Annotated":
        elts = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else []
        if any(depends_target(e) for e in elts[1:]):
            return True
        return bool(elts) and _annotation_injected(elts[0])
    return last_name(annotation) in _INJECTED_TYPES
