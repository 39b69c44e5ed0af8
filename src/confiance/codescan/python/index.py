"""The module index: one pass over the tree collecting what later passes look up.

Imports, functions (keyed ``f``, ``Class.method``, ``outer.inner``), classes, variables bound to
constructed objects (``client = OpenAI()`` → ``client``), names that only ever hold constants,
functions registered as LLM tools, in-module callers, and the routes with their protection.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from confiance.codescan.python.llm import is_llm_module
from confiance.codescan.python.names import ImportTable, dotted, last_name
from confiance.codescan.python.routes import (
    AUTH_WORDS,
    FunctionNode,
    Route,
    RouterFacts,
    depends_target,
    injected_params,
    route_of,
)
from confiance.codescan.python.tree import children

__all__ = ["FunctionInfo", "ModuleIndex", "is_constant"]

_TOOL_DECORATORS = frozenset({"tool", "function_tool", "kernel_function", "tool_plain"})
_TOOL_WRAPPERS = frozenset(
    {"Tool", "StructuredTool", "FunctionTool", "from_function", "from_defaults"}
)
_HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
_TOOL_MAP_NAME = re.compile(r"tool|function|handler|dispatch|action", re.I)


@dataclass(slots=True)
class FunctionInfo:
    node: FunctionNode
    key: str
    class_name: str | None
    params: tuple[str, ...]
    route: Route | None = None
    tool: bool = False
    injected: frozenset[str] = frozenset()

    @property
    def is_method(self) -> bool:
        return (
            self.class_name is not None
            and bool(self.params)
            and self.params[0]
            in (
                "self",
                "cls",
            )
        )


@dataclass(slots=True)
class ModuleIndex:
    tree: ast.Module
    imports: ImportTable = field(default_factory=ImportTable)
    functions: dict[str, FunctionInfo] = field(default_factory=dict)
    by_name: dict[str, list[str]] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    strict_models: set[str] = field(default_factory=set)
    validation_models: set[str] = field(default_factory=set)
    instances: dict[str, tuple[str, ast.Call]] = field(default_factory=dict)
    assigned: dict[str, list[ast.expr]] = field(default_factory=dict)
    tool_names: set[str] = field(default_factory=set)
    called: set[str] = field(default_factory=set)
    routes: list[Route] = field(default_factory=list)
    llm: bool = False
    # Dangerous operations per function key, filled on demand by python.operations.
    operations: dict[str, tuple[dict[str, int], list[str]]] = field(default_factory=dict)
    _facts: RouterFacts = field(default_factory=lambda: RouterFacts(set(), False))

    @classmethod
    def build(cls, tree: ast.Module) -> ModuleIndex:
        index = cls(tree)
        index._visit_body(tree.body, prefix="", class_name=None)
        index.llm = is_llm_module(index.imports)
        index._facts.aliases = {
            name: values[0]
            for name, values in index.assigned.items()
            if len(values) == 1
            and isinstance(values[0], ast.Subscript)
            and last_name(values[0].value) == "Annotated"
        }
        for info in index.functions.values():
            info.tool = info.node.name in index.tool_names or _tool_decorated(info.node)
            info.route = route_of(
                info.node, index.imports, index._facts, info.class_name is not None
            )
            if info.route is not None:
                info.injected = injected_params(info.node, index._facts.aliases)
                index.routes.append(info.route)
        return index

    def is_constant_name(self, name: str) -> bool:
        values = self.assigned.get(name, [])
        return bool(values) and all(is_constant(v, self) for v in values)

    def resolve(self, func: ast.expr, class_name: str | None) -> FunctionInfo | None:
        """The in-module function a call target names (``f``, ``self.m``, ``Class.m``)."""
        if isinstance(func, ast.Name):
            keys = self.by_name.get(func.id, ())
            top = [k for k in keys if "." not in k]
            key = top[0] if top else (keys[0] if len(keys) == 1 else None)
            return self.functions.get(key) if key else None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = func.value.id
            if owner in ("self", "cls") and class_name:
                return self.functions.get(f"{class_name}.{func.attr}")
            if owner in self.classes:
                return self.functions.get(f"{owner}.{func.attr}")
        return None

    # -- the walk ---------------------------------------------------------------------------

    def _visit_body(self, body: list[ast.stmt], prefix: str, class_name: str | None) -> None:
        for stmt in body:
            self._visit(stmt, prefix, class_name)

    def _visit(self, node: ast.AST, prefix: str, class_name: str | None) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            self._function(node, prefix, class_name)
            return
        if isinstance(node, ast.ClassDef):
            self._class(node, prefix)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            self.imports.add(node)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            self._assign(node)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            self._bind(node.optional_vars, node.context_expr)
        elif isinstance(node, ast.Call):
            self._call(node, class_name)
        for child in children(node):
            self._visit(child, prefix, class_name)

    def _function(self, node: FunctionNode, prefix: str, class_name: str | None) -> None:
        key = f"{prefix}{node.name}"
        args = node.args
        params = tuple(a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])
        self.functions[key] = FunctionInfo(node, key, class_name, params)
        self.by_name.setdefault(node.name, []).append(key)
        for decorator in node.decorator_list:
            self._visit(decorator, prefix, class_name)
            self._guard_decorator(decorator, node)
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self._visit(default, prefix, class_name)
        self._visit_body(node.body, f"{key}.", class_name)

    def _class(self, node: ast.ClassDef, prefix: str) -> None:
        self.classes[node.name] = node
        bases = {last_name(b) for b in node.bases}
        if bases & {"BaseModel", "BaseSettings", "Schema", "TypedDict"}:
            self.validation_models.add(node.name)
            if _forbids_extra(node):
                self.strict_models.add(node.name)
        for decorator in node.decorator_list:
            self._visit(decorator, prefix, None)
        self._visit_body(node.body, f"{prefix}{node.name}.", node.name)

    def _assign(self, node: ast.Assign | ast.AnnAssign) -> None:
        if node.value is None:
            return
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            self._bind(target, node.value)
            if (
                isinstance(target, ast.Name)
                and isinstance(node.value, ast.Dict)
                and self._is_tool_map(target.id, node.value)
            ):
                self.tool_names.update(v.id for v in node.value.values if isinstance(v, ast.Name))

    def _bind(self, target: ast.expr, value: ast.expr) -> None:
        name = dotted(target)
        if name is None:
            return
        if isinstance(target, ast.Name):
            self.assigned.setdefault(name, []).append(value)
        call = value.value if isinstance(value, ast.Await) else value
        if isinstance(call, ast.Call):
            qual = self.imports.qualname(call.func)
            if qual:
                self.instances[name] = (qual, call)
                self._router(name, qual, call)

    def _router(self, name: str, qual: str, call: ast.Call) -> None:
        if last_name(call.func) in ("APIRouter", "FastAPI") and _auth_dependencies(call):
            self._facts.protected_routers.add(name)

    def _call(self, node: ast.Call, class_name: str | None) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            self.called.add(func.id)
        elif isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Name) and func.value.id in ("self", "cls") and class_name:
                self.called.add(f"{class_name}.{func.attr}")
            self._module_wide(node, func)
        for keyword in node.keywords:
            if keyword.arg in ("tools", "functions") and isinstance(
                keyword.value, ast.List | ast.Tuple
            ):
                self.tool_names.update(e.id for e in keyword.value.elts if isinstance(e, ast.Name))
        if last_name(func) == "Limiter":
            self._limiter(node)
        if last_name(func) in _TOOL_WRAPPERS:
            values = [*node.args, *(k.value for k in node.keywords if k.arg in ("func", "fn"))]
            self.tool_names.update(v.id for v in values if isinstance(v, ast.Name))

    def _module_wide(self, node: ast.Call, func: ast.Attribute) -> None:
        self._registered_route(node, func)
        if func.attr == "include_router" and node.args and _auth_dependencies(node):
            router = dotted(node.args[0])
            if router:
                self._facts.protected_routers.add(router)
        elif func.attr == "add_middleware" and node.args:
            self._facts.limited_everywhere |= "SlowAPI" in (dotted(node.args[0]) or "")

    def _registered_route(self, node: ast.Call, func: ast.Attribute) -> None:
        """aiohttp: ``app.router.add_post("/x", h)``, ``web.post("/x", h)``,
        ``add_route("POST", "/x", h)``; ``web.Application(middlewares=[auth])`` guards all."""
        attr, args = func.attr, node.args
        if attr == "Application":
            for keyword in node.keywords:
                if keyword.arg == "middlewares" and AUTH_WORDS.search(ast.unparse(keyword.value)):
                    self._facts.guarded_everywhere = f"middleware {ast.unparse(keyword.value)}"
            return
        method = attr.removeprefix("add_").upper()
        if attr == "add_route" and len(args) >= 3 and isinstance(args[0], ast.Constant):
            method, args = str(args[0].value).upper(), args[1:]
        elif not (attr.startswith("add_") and method.lower() in _HTTP_METHODS) and not (
            attr in _HTTP_METHODS and dotted(func.value) in ("web", "aiohttp.web")
        ):
            return
        if len(args) >= 2 and isinstance(args[0], ast.Constant) and isinstance(args[1], ast.Name):
            self._facts.registered[args[1].id] = (str(args[0].value), method)

    def _guard_decorator(self, decorator: ast.expr, node: FunctionNode) -> None:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "before_request":
            body = ast.unparse(node)
            if AUTH_WORDS.search(body) or re.search(r"\b40[13]\b", body):
                self._facts.protected_routers.add(dotted(target.value) or "")

    def _limiter(self, call: ast.Call) -> None:
        for keyword in call.keywords:
            if keyword.arg in ("default_limits", "application_limits") and not (
                isinstance(keyword.value, ast.List | ast.Tuple) and not keyword.value.elts
            ):
                self._facts.limited_everywhere = True

    def _is_tool_map(self, name: str, value: ast.Dict) -> bool:
        if not _TOOL_MAP_NAME.search(name) or not value.values:
            return False
        return all(isinstance(v, ast.Name) for v in value.values) and all(
            isinstance(k, ast.Constant) and isinstance(k.value, str) for k in value.keys
        )


def _auth_dependencies(call: ast.Call) -> bool:
    for keyword in call.keywords:
        if keyword.arg == "dependencies" and isinstance(keyword.value, ast.List | ast.Tuple):
            targets = [t for t in map(depends_target, keyword.value.elts) if t]
            if any(AUTH_WORDS.search(t) for t in targets):
                return True
    return False


def _tool_decorated(node: FunctionNode) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if last_name(target) in _TOOL_DECORATORS:
            return True
    return False


def _forbids_extra(node: ast.ClassDef) -> bool:
    text = ast.unparse(node)
    return bool(re.search(r"""extra\s*=\s*['"]forbid['"]|Extra\.forbid""", text))


def is_constant(node: ast.expr, index: ModuleIndex | None = None) -> bool:
    """Whether an expression always evaluates to the same literal (``b"\\x00" * 16`` too)."""
    if isinstance(node, ast.Constant):
        return node.value is not None
    if isinstance(node, ast.BinOp):
        return is_constant(node.left, index) and is_constant(node.right, index)
    if isinstance(node, ast.Call):
        name = last_name(node.func)
        if name in ("bytes", "bytearray", "fromhex", "encode", "b64decode", "unhexlify"):
            receiver_ok = not isinstance(node.func, ast.Attribute) or name in (
                "fromhex",
                "b64decode",
                "unhexlify",
            )
            if isinstance(node.func, ast.Attribute) and name == "encode":
                receiver_ok = is_constant(node.func.value, index)
            return receiver_ok and all(is_constant(a, index) for a in node.args)
    if isinstance(node, ast.Name) and index is not None:
        values = index.assigned.get(node.id, [])
        return bool(values) and all(v is not node and is_constant(v) for v in values)
    return False
