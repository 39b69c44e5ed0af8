"""Light intra-function data flow: which names hold model output, constants or built SQL.

Each function gets a :class:`Scope` that starts as a copy of its enclosing scope; assignments are
applied in document order, so ``x = DOMPurify.sanitize(x)`` clears ``x`` for the lines below it.
Model output comes from vendor SDK calls (``chat.completions.create``, ``messages.create``,
``generateText`` ...), from response paths such as ``.choices[0].message.content`` and from
``fetch``/``axios`` calls to chat endpoints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tree_sitter import Node

from confiance.codescan.javascript.syntax import arguments, callee_text, compact

__all__ = ["Scope", "Source", "bind", "is_constant", "is_sanitizer_call", "taint_of"]

_MODEL_PATH = re.compile(
    r"\.choices\[[^\]]*\]\.(?:(?:message|delta)\.content|text)|\.content\[[^\]]*\]\.text\b|"
    r"\.output_text\b|\.candidates\[|\.response\.text\(\)"
)
_MODEL_CALL = re.compile(
    r"(?:^|\.)(?:completions|messages|responses)\.(?:create|stream|parse)$|"
    r"(?:^|\.)generateContent(?:Stream)?$|^(?:generateText|streamText|generateObject|"
    r"streamObject)$|(?:^|\.)sendMessage$|"
    r"(?:^|\.)(?:llm|model|chain|chat|agent)\w*\.(?:invoke|call|predict|stream)$",
    re.IGNORECASE,
)
_HTTP_CALL = re.compile(r"^(?:fetch|\$fetch|ofetch|axios(?:\.(?:post|get|request))?|ky\.post)$")
_CHAT_URL = re.compile(
    r"(?i)/(?:chat|completions?|messages|generate|llm|ask|ai|assistant)(?:\b|/)|"
    r"api\.openai\.com|api\.anthropic\.com|generativelanguage\.googleapis"
)
_SANITIZER = re.compile(
    r"(?i)sanitiz|purify|escape|encode|xss|strip_?tags|^(?:Number|parseInt|parseFloat|Boolean)$"
)
_TRANSPARENT = frozenset(
    {"await_expression", "parenthesized_expression", "as_expression", "non_null_expression",
     "satisfies_expression", "type_assertion", "spread_element", "jsx_expression"}
)  # fmt: skip
_MAX_DEPTH = 60


@dataclass(frozen=True, slots=True)
class Source:
    """Where model output entered: 1-based line and a short description."""

    line: int
    what: str


@dataclass(slots=True)
class Scope:
    tainted: dict[str, Source] = field(default_factory=dict)
    constants: set[str] = field(default_factory=set)
    sql: dict[str, int] = field(default_factory=dict)
    clean: set[str] = field(default_factory=set)

    def child(self) -> Scope:
        return Scope(dict(self.tainted), set(self.constants), dict(self.sql), set(self.clean))


def _line(node: Node) -> int:
    return node.start_point[0] + 1


def is_sanitizer_call(node: Node | None) -> bool:
    """``DOMPurify.sanitize(x)``, ``escapeHtml(x)``, ``Number(x)``... (through ``await``)."""
    while node is not None and node.type in _TRANSPARENT and node.named_children:
        node = node.named_children[-1]
    if node is None or node.type != "call_expression":
        return False
    callee = callee_text(node)
    return bool(_SANITIZER.search(callee.rsplit(".", 1)[-1])) or callee.startswith("DOMPurify")


def _call_source(node: Node, scope: Scope, depth: int) -> Source | None:
    callee = callee_text(node)
    if is_sanitizer_call(node):
        return None
    if _MODEL_CALL.search(callee):
        return Source(_line(node), f"response of {callee}()")
    args = arguments(node)
    if _HTTP_CALL.match(callee) and args:
        url = compact(args[0])
        if _CHAT_URL.search(url):
            return Source(_line(node), f"response of {callee}({url[:60]})")
    function = node.child_by_field_name("function")
    if function is not None and function.type == "member_expression":
        found = taint_of(function.child_by_field_name("object"), scope, depth + 1)
        if found:
            return found
    for arg in args:
        found = taint_of(arg, scope, depth + 1)
        if found:
            return found
    return None


def taint_of(node: Node | None, scope: Scope, depth: int = 0) -> Source | None:
    """The model-output source ``node`` derives from, or None."""
    if node is None or depth > _MAX_DEPTH:
        return None
    kind = node.type
    if kind == "identifier":
        return scope.tainted.get(compact(node))
    if kind in ("member_expression", "subscript_expression"):
        # The object first: its source is where the model output entered (earliest step).
        found = taint_of(node.child_by_field_name("object"), scope, depth + 1)
        if found is None and _MODEL_PATH.search(compact(node)):
            found = Source(_line(node), f"model output {compact(node)[:60]}")
        return found
    if kind == "call_expression":
        return _call_source(node, scope, depth)
    if kind in _TRANSPARENT or kind in (
        "template_string", "template_substitution", "binary_expression", "ternary_expression",
        "object", "pair", "array", "sequence_expression", "new_expression", "arguments",
    ):  # fmt: skip
        for child in node.named_children:
            if kind == "pair" and child == node.child_by_field_name("key"):
                continue
            found = taint_of(child, scope, depth + 1)
            if found:
                return found
    return None


def is_constant(node: Node | None, scope: Scope, depth: int = 0) -> bool:
    """Literals, constant names and expressions made only of them."""
    if node is None or depth > _MAX_DEPTH:
        return False
    kind = node.type
    if kind in ("string", "number", "true", "false", "null", "undefined", "regex"):
        return True
    if kind == "identifier":
        return compact(node) in scope.constants or compact(node) == "undefined"
    if kind in ("template_string", "template_substitution", "binary_expression") or (
        kind in _TRANSPARENT
    ):
        return all(is_constant(c, scope, depth + 1) for c in node.named_children if
                   c.type not in ("string_fragment", "escape_sequence"))  # fmt: skip
    if kind == "ternary_expression":
        return all(
            is_constant(node.child_by_field_name(f), scope, depth + 1)
            for f in ("consequence", "alternative")
        )
    return False


def _bound_names(pattern: Node) -> list[str]:
    if pattern.type in ("identifier", "shorthand_property_identifier_pattern"):
        return [compact(pattern)]
    names: list[str] = []
    for child in pattern.named_children:
        if pattern.type == "pair_pattern" and child == pattern.child_by_field_name("key"):
            continue
        names.extend(_bound_names(child))
    return names


def bind(target: Node | None, value: Node | None, scope: Scope, *, augmented: bool) -> None:
    """Apply ``target = value`` (or ``+=`` when ``augmented``) to ``scope``."""
    if target is None:
        return
    source = taint_of(value, scope)
    constant = value is not None and is_constant(value, scope)
    clean = is_sanitizer_call(value) or (
        value is not None and value.type == "identifier" and compact(value) in scope.clean
    )
    for name in _bound_names(target):
        if clean and not augmented:
            scope.clean.add(name)
        elif not (augmented and clean):
            scope.clean.discard(name)
        if source:
            scope.tainted[name] = source
        elif not augmented:
            scope.tainted.pop(name, None)
        if constant and not augmented:
            scope.constants.add(name)
        else:
            scope.constants.discard(name)
        if augmented and name in scope.sql:
            continue
        scope.sql.pop(name, None)
