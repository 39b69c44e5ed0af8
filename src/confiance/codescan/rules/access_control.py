"""Missing access control: routes that change or expose sensitive data without the
authentication their sibling routes have, and admin routes without any check."""

from __future__ import annotations

import re
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.operations import CODE, COMMANDS, dangerous_operations
from confiance.codescan.python.routes import Route

__all__ = ["MISSING_AUTH", "UNAUTHENTICATED_ACTION"]

MISSING_AUTH = rules.register(
    Rule(
        id="CF-PY-MISSING-AUTH",
        name="Route without access control",
        family="access_control",
        cwe=862,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        description="A route that changes data or serves sensitive data (or any /admin route) "
        "has no authentication decorator, dependency or check, while other routes of the same "
        "module have one: code generated route by route often forgets one.",
        fix="Add the same protection the sibling routes use (@login_required, "
        "Depends(get_current_user), permission_required, a router-level dependency), or mark "
        "the route public on purpose and suppress with a reason.",
        owasp=("ASVS V4.1.1", "ASVS V4.1.3"),
    )
)

UNAUTHENTICATED_ACTION = rules.register(
    Rule(
        id="CF-PY-UNAUTHENTICATED-ACTION",
        name="Dangerous handler without authentication",
        family="access_control",
        cwe=306,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        description="A request handler runs commands or code, writes to the database or "
        "files, sends mail or calls a paid API (a language model, payments, SMS), and nothing "
        "authenticates it (no auth decorator, dependency, guard or check), whatever its path: "
        "anyone who finds the URL can do it.",
        fix="Require authentication on the route (@login_required, "
        "Depends(get_current_user), a router/app-wide guard or middleware) and check the "
        "caller may do this action; if it is public by design (sign-up, a public demo), rate "
        "limit it and suppress with the reason.",
        owasp=("ASVS V4.1.1", "ASVS V1.4.2", "LLM10"),
    )
)

_SENSITIVE = re.compile(
    r"admin|user|account|delete|remove|update|edit|settings|export|secret|token|key|billing|"
    r"payment|order|profile|internal|manage|config|upload|invoice|role|permission|transfer",
    re.I,
)
_PUBLIC = re.compile(
    r"login|logout|signin|sign_in|sign-in|signup|sign_up|sign-up|register|health|ready|live|"
    r"status|public|static|docs|openapi|favicon|forgot|reset|callback|webhook|ping|version|"
    r"robots|about|oauth|^/token$|/auth/token$|verify|confirm|activate",
    re.I,
)


def _describe(route: Route) -> str:
    methods = "/".join(sorted(route.methods)) or "ANY"
    return f"{methods} {route.path or route.function.name}"


def _is_admin(route: Route) -> bool:
    return "/admin" in route.path.lower() or route.function.name.lower().startswith("admin")


def _public(route: Route) -> bool:
    return bool(_PUBLIC.search(route.path) or _PUBLIC.search(route.function.name))


def _unauthenticated_action(context: ModuleContext, route: Route) -> Finding | None:
    info = context.index.functions.get(_key(context, route))
    if info is None:
        return None
    operations = dangerous_operations(info, context.index, context.llm_call)
    if _public(route):  # sign-up writes users and sends mail by design; commands never
        operations = {k: v for k, v in operations.items() if k in (COMMANDS, CODE)}
    if not operations:
        return None
    what = ", ".join(f"{op} (line {line})" for op, line in operations.items())
    severe = COMMANDS in operations or CODE in operations
    start = f"line {route.function.lineno}: {_describe(route)}, no authentication evidence"
    steps = (start, *(f"line {line}: reaches {op}" for op, line in operations.items()))
    return context.finding(
        UNAUTHENTICATED_ACTION,
        route.function,
        f"{_describe(route)} has no authentication and can: {what}",
        severity=Severity.CRITICAL if severe else None,
        confidence=Confidence.HIGH if severe else None,
        trace=steps,
    )


def _key(context: ModuleContext, route: Route) -> str:
    for key, info in context.index.functions.items():
        if info.node is route.function:
            return key
    return ""


@checks.module
def _routes(context: ModuleContext) -> Iterator[Finding]:
    routes = context.index.routes
    protected = sum(1 for r in routes if r.auth)
    for route in routes:
        if route.auth:
            continue
        action = _unauthenticated_action(context, route)
        if action is not None:
            yield action
            continue
        where = f"{route.path} {route.function.name}"
        if _is_admin(route):
            yield context.finding(
                MISSING_AUTH,
                route.function,
                f"admin route {_describe(route)} has no authentication or permission check",
                confidence=Confidence.HIGH,
            )
        elif (
            protected
            and not (_PUBLIC.search(route.path) or _PUBLIC.search(route.function.name))
            and (route.changes_state or _SENSITIVE.search(where))
        ):
            yield context.finding(
                MISSING_AUTH,
                route.function,
                f"route {_describe(route)} has no authentication while {protected} other "
                "route(s) in this module do",
            )
