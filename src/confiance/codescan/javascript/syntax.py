"""tree-sitter parsing and the few node helpers every JavaScript check uses.

One parser per dialect per process (parsers are not shared across processes: workers build their
own). The grammar is the real one from the ``tree_sitter_javascript`` / ``tree_sitter_typescript``
wheels; nothing here matches code with regexes over raw text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import tree_sitter_javascript
import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Tree

__all__ = [
    "Dialect",
    "arguments",
    "callee_text",
    "compact",
    "iter_nodes",
    "parse",
    "string_value",
    "text",
]

Dialect = str
"""``javascript`` (JS + JSX), ``typescript`` or ``tsx``."""

_SPACE = re.compile(r"\s+")


@functools.cache
def _parser(dialect: Dialect) -> Parser:
    if dialect == "typescript":
        language = Language(tree_sitter_typescript.language_typescript())
    elif dialect == "tsx":
        language = Language(tree_sitter_typescript.language_tsx())
    else:
        language = Language(tree_sitter_javascript.language())
    return Parser(language)


def parse(source: bytes, dialect: Dialect) -> Tree:
    """Parse ``source``; tree-sitter always returns a tree (errors become ERROR nodes)."""
    return _parser(dialect).parse(source)


def text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def compact(node: Node | None) -> str:
    """Node text without whitespace: ``a . b ( )`` and ``a.b()`` compare equal."""
    return _SPACE.sub("", text(node))


def callee_text(call: Node) -> str:
    """``openai.chat.completions.create`` for a call or ``new`` expression."""
    field = "constructor" if call.type == "new_expression" else "function"
    return compact(call.child_by_field_name(field))


def arguments(call: Node) -> list[Node]:
    """Positional argument nodes (comments excluded); empty for tagged templates."""
    args = call.child_by_field_name("arguments")
    if args is None or args.type != "arguments":
        return []
    return [a for a in args.named_children if a.type != "comment"]


def string_value(node: Node | None) -> str | None:
    """The value of a plain string literal (or a template without substitutions), else None."""
    if node is None:
        return None
    if node.type == "string":
        return "".join(text(c) for c in node.named_children if c.type != "comment")
    if node.type == "template_string" and not any(
        c.type == "template_substitution" for c in node.named_children
    ):
        return "".join(text(c) for c in node.named_children)
    return None


def iter_nodes(root: Node) -> Iterator[Node]:
    """Pre-order (document order) traversal without recursion: minified code nests deeply."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))
