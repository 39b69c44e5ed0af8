"""SQL built from strings and handed to ``query``/``execute``/``raw``.

Reported when the first argument is a template literal with a non-constant substitution or a
concatenation with a non-constant operand, and its literal text reads as SQL; also when it is a
variable that was built that way earlier in the function. Placeholders with a values array and
tagged templates (``sql`...```, Prisma ``$queryRaw`...```) are the safe forms and never match.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from confiance.codescan.javascript import rules as r
from confiance.codescan.javascript.context import FileContext
from confiance.codescan.javascript.flow import Scope, is_constant, taint_of
from confiance.codescan.javascript.syntax import arguments, callee_text, compact, text

__all__ = ["built_sql", "check_query_call"]

_QUERY_METHODS = frozenset(
    {"query", "execute", "raw", "unsafe", "$queryRawUnsafe", "$executeRawUnsafe", "whereRaw",
     "orderByRaw", "havingRaw", "joinRaw", "exec", "all", "get", "run", "prepare"}
)  # fmt: skip
_AMBIGUOUS = frozenset({"exec", "all", "get", "run"})
_SQL = re.compile(
    r"(?is)\bselect\b.+\bfrom\b|\binsert\s+into\b|\bupdate\b.+\bset\b|\bdelete\s+from\b|"
    r"\bdrop\s+table\b|\bcreate\s+table\b|\balter\s+table\b|\bwhere\b.+[=<>]|\border\s+by\b"
)


def _literal_text(node: Node) -> str:
    if node.type in ("string", "string_fragment"):
        return text(node)
    return " ".join(_literal_text(c) for c in node.named_children)


def built_sql(node: Node | None, scope: Scope, *, sql_context: bool = False) -> bool:
    """Whether ``node`` builds SQL text out of at least one non-constant part. The literal text
    must read as SQL unless ``sql_context`` (the callee only takes SQL, e.g. ``whereRaw``)."""
    if node is None:
        return False
    if node.type == "parenthesized_expression" and node.named_children:
        return built_sql(node.named_children[0], scope, sql_context=sql_context)
    if node.type == "template_string":
        dynamic = [
            c for c in node.named_children
            if c.type == "template_substitution" and not is_constant(c, scope)
        ]  # fmt: skip
    elif node.type == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
        dynamic = [] if is_constant(node, scope) else [node]
    else:
        return False
    return bool(dynamic) and (sql_context or bool(_SQL.search(_literal_text(node))))


def check_query_call(ctx: FileContext, node: Node, scope: Scope) -> None:
    callee = callee_text(node)
    method = callee.rsplit(".", 1)[-1]
    if (method not in _QUERY_METHODS or "." not in callee) and callee != "query":
        return
    args = arguments(node)
    if not args:
        return
    first = args[0]
    name = compact(first)
    if built_sql(first, scope, sql_context=method.endswith(("Raw", "RawUnsafe", "unsafe"))):
        origin = "built in place"
    elif first.type == "identifier" and name in scope.sql:
        origin = f"built on line {scope.sql[name]}"
    else:
        return
    if method in _AMBIGUOUS and not callee.split(".")[0].lower().startswith(("db", "sql", "conn")):
        return
    source = taint_of(first, scope)
    extra = f"; it includes model output (line {source.line})" if source else ""
    ctx.report(r.SQLI, node, f"SQL string {origin} is passed to {callee}(){extra}", source=source)
