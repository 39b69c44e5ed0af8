"""Missing authorisation on object access (IDOR): an authenticated handler loads the record
whose id the client sent without checking that it belongs to the caller."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import dotted, last_name
from confiance.codescan.python.routes import FunctionNode, Route

__all__ = ["IDOR"]

IDOR = rules.register(
    Rule(
        id="CF-PY-IDOR",
        name="Object loaded by client id without ownership check",
        family="access_control",
        cwe=639,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        description="An authenticated route loads, changes or deletes the record whose id is "
        "in the URL, but neither the query nor the code after it checks that the record "
        "belongs to the caller: any user reads or edits anyone's data by changing the number.",
        fix="Scope the lookup to the caller (Document.query.filter_by(id=doc_id, "
        "owner_id=current_user.id), get_object_or_404(Doc, pk=pk, owner=request.user)) or "
        "compare the owner and answer 404/403; centralise it in a policy function.",
        owasp=("ASVS V4.2.1",),
    )
)

_PATH_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)(?::[^}]*)?\}")
_ID_NAME = re.compile(r"(?:^|_)(?:id|pk|uuid|key|slug)$", re.I)
_LOOKUPS = frozenset(
    {"get", "get_or_404", "get_object_or_404", "filter_by", "filter", "find_one", "find",
     "first_or_404", "one_or_none", "execute", "delete", "update", "find_one_and_update",
     "delete_one", "update_one", "fetch", "load", "select", "where", "read"}
)  # fmt: skip
_OWNER = re.compile(
    r"owner|user_id|userid|author|tenant|created_by|account_id|org_id|organization|team_id|"
    r"customer_id|uploaded_by|belongs|member",
    re.I,
)
_POLICY = re.compile(
    r"has_perm|has_object_permission|check_object_permissions|authorize|authorise|can_|"
    r"is_owner|ensure_owner|require_owner|check_owner|check_access|permission|policy|allowed",
    re.I,
)
_SQL_USER = re.compile(r"\b(?:user|owner)\w*\s*=", re.I)
_USER_SCOPED = re.compile(r"(?:current_user|request\.user|g\.user|user)\.\w+$")


def _id_params(route: Route) -> set[str]:
    names = {a or b for a, b in _PATH_PARAM.findall(route.path)}
    if not route.path:
        args = route.function.args
        names = {a.arg for a in [*args.args, *args.kwonlyargs][1:]}
    return {n for n in names if _ID_NAME.search(n)}


def _uses(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _lookup(function: FunctionNode, ids: set[str]) -> ast.AST | None:
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and last_name(node.func) in _LOOKUPS:
            arguments = [*node.args, *(k.value for k in node.keywords)]
            if any(_uses(a, ids) for a in arguments):
                return node
        if isinstance(node, ast.Subscript) and _uses(node.slice, ids):
            return node
    return None


def _owner_checked(function: FunctionNode) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.keyword) and node.arg and _OWNER.search(node.arg):
            return True
        if isinstance(node, ast.Attribute) and _OWNER.search(node.attr):
            return True
        if isinstance(node, ast.Name) and _OWNER.search(node.id):
            return True
        if isinstance(node, ast.Call) and _POLICY.search(last_name(node.func)):
            return True
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)) and (
            _OWNER.search(node.value) or _SQL_USER.search(node.value)
        ):
            return True
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_USER_SCOPED.search(dotted(s) or "") for s in sides):
                return True
    return False


@checks.module
def _routes(context: ModuleContext) -> Iterator[Finding]:
    for route in context.index.routes:
        if not route.auth:
            continue
        ids = _id_params(route)
        if not ids:
            continue
        found = _lookup(route.function, ids)
        if found is not None and not _owner_checked(route.function):
            yield context.finding(
                IDOR,
                found,
                f"{sorted(ids)[0]!r} from the URL selects the record with no check that it "
                "belongs to the caller",
            )
