"""Names as the scanned module sees them: dotted chains resolved through its imports.

``dotted(expr)`` spells an attribute chain (``request.args.get``, ``OpenAI().chat``);
:class:`ImportTable` maps the chain's first name to what the module imported under it, so
``sp.run`` becomes ``subprocess.run`` after ``import subprocess as sp`` and ``md5`` becomes
``hashlib.md5`` after ``from hashlib import md5``. Resolution is purely syntactic: the scanned
code is never imported.
"""

from __future__ import annotations

import ast

__all__ = ["ImportTable", "dotted", "is_text", "last_name", "root_name"]


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for Name/Attribute chains; calls in the chain are written ``f()``."""
    parts: list[str] = []
    current: ast.expr = node
    while True:
        if isinstance(current, ast.Attribute):
            parts.append(current.attr)
            current = current.value
        elif isinstance(current, ast.Name):
            parts.append(current.id)
            break
        elif isinstance(current, ast.Call):
            inner = dotted(current.func)
            if inner is None:
                return None
            parts.append(inner + "()")
            break
        else:
            return None
    return ".".join(reversed(parts))


def root_name(node: ast.expr) -> str | None:
    """The Name at the bottom of an attribute/subscript/call chain (``client`` in
    ``client.chat.completions.create``), or None."""
    current: ast.expr = node
    while True:
        if isinstance(current, ast.Attribute | ast.Subscript):
            current = current.value
        elif isinstance(current, ast.Call):
            current = current.func
        elif isinstance(current, ast.Name):
            return current.id
        else:
            return None


def last_name(node: ast.expr) -> str:
    """The final attribute or name of a call target (``execute`` in ``cur.execute``)."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


class ImportTable:
    """What every imported local name stands for, collected from the whole module."""

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}
        self.modules: set[str] = set()

    def add(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.modules.add(alias.name)
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
                else:
                    head = alias.name.split(".", 1)[0]
                    self.aliases.setdefault(head, head)
            return
        base = "." * node.level + (node.module or "")
        self.modules.add(base)
        for alias in node.names:
            if alias.name != "*":
                self.aliases[alias.asname or alias.name] = f"{base}.{alias.name}"

    def qualname(self, node: ast.expr) -> str | None:
        """The dotted chain with its first name replaced by the import it stands for."""
        text = dotted(node)
        if text is None:
            return None
        head, dot, rest = text.partition(".")
        target = self.aliases.get(head)
        if target is None:
            return text
        return f"{target}{dot}{rest}"

    def imports_any(self, prefixes: frozenset[str]) -> bool:
        """Whether the module imports a module whose top-level package is in ``prefixes``."""
        return any(module.split(".", 1)[0] in prefixes for module in self.modules)


def is_text(node: ast.expr, builders: frozenset[str]) -> bool:
    """Evidently a string: a str literal, an f-string, text concatenated or %-formatted from
    one, or a call whose last name is in ``builders`` (``"...".format``, ``join``, ``text``)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return is_text(node.left, builders) or is_text(node.right, builders)
    return isinstance(node, ast.Call) and last_name(node.func) in builders
