"""Fast iteration over an AST's children, shared by the index and the check walk.

``ast.iter_child_nodes`` visits every field, including the thousands of ``Load``/``Store``
context objects and operator singletons no check looks at; skipping them (and caching which
fields of each node type can hold nodes) makes the two walks markedly cheaper on big trees.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

__all__ = ["children"]

_SKIPPED = frozenset({"ctx", "op", "ops", "type_comment", "kind"})
_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}


def _fields(node_type: type[ast.AST]) -> tuple[str, ...]:
    found = _FIELDS.get(node_type)
    if found is None:
        found = tuple(f for f in node_type._fields if f not in _SKIPPED)
        _FIELDS[node_type] = found
    return found


def children(node: ast.AST) -> Iterator[ast.AST]:
    """The child nodes of ``node`` that can carry code (no contexts or operators)."""
    for name in _fields(type(node)):
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            yield value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    yield item
