"""YAML text to data, keeping every node's line and column.

PyYAML's loaders drop positions and silently keep the last of duplicate keys. Here the text is
composed into nodes first: duplicates are found on the node tree, the data is constructed from
the same tree, and any key path can be mapped back to the line of its key or value.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from confiance.config.problems import ConfigProblem, InvalidConfig, Issue, Pointer

__all__ = ["YamlDocument", "compose_document"]

Path = tuple[str | int, ...]

MAX_EXPANDED_NODES = 200_000
"""Aliases let a small file expand into a huge document ("billion laughs"); refuse past this."""

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A composed document: the node tree (merge keys flattened) and the constructed data."""

    source: str
    root: yaml.Node
    data: object

    def locate(self, issue: Issue) -> ConfigProblem:
        """The problem with the line/column of the node ``issue.path`` names (for collections
        and ``Pointer.KEY``, the line of its key); the nearest existing parent otherwise."""
        node = self._find(issue.path, issue.pointer)
        mark = node.start_mark
        return ConfigProblem(
            self.source, mark.line + 1, mark.column + 1, issue.path, issue.message, issue.hint
        )

    def _find(self, path: Path, pointer: Pointer) -> yaml.Node:
        node: yaml.Node = self.root
        key_node: yaml.Node = self.root
        for depth, segment in enumerate(path):
            found = _child(node, segment)
            if found is None:
                return key_node
            key_node, node = found
            if depth == len(path) - 1 and pointer is Pointer.KEY:
                return key_node
        if isinstance(node, yaml.ScalarNode):
            return node
        return key_node


def _child(node: yaml.Node, segment: str | int) -> tuple[yaml.Node, yaml.Node] | None:
    """(key node, value node) of ``segment`` inside ``node``; the last match wins, as in the
    constructed data. For sequences the key node is the item itself."""
    if isinstance(node, yaml.MappingNode):
        for key, value in reversed(node.value):
            if isinstance(key, yaml.ScalarNode) and _key_matches(key, segment):
                return key, value
        return None
    in_sequence = isinstance(node, yaml.SequenceNode) and isinstance(segment, int)
    if in_sequence and 0 <= int(segment) < len(node.value):
        item: yaml.Node = node.value[int(segment)]
        return item, item
    return None


def _key_matches(key: yaml.ScalarNode, segment: object) -> bool:
    if key.value == str(segment):
        return True
    # A plain `on:` or `null:` key is a boolean or null, not a string, once constructed.
    if isinstance(segment, str) or key.tag == _STR_TAG:
        return False
    # pydantic reports such keys by value (True as 1), so compare values, not types.
    constructed: object = yaml.safe_load(key.value)
    return bool(constructed == segment)


def compose_document(text: str, source: str) -> tuple[YamlDocument, list[ConfigProblem]]:
    """Compose and construct ``text``; return the document and its duplicate-key problems.

    Raises :class:`InvalidConfig` for YAML syntax errors, an empty document, several documents,
    recursive or excessively expanding aliases, and a top level that is not a mapping.
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise _single(source, 1, 1, "the file is empty", "add at least `version: 1`")
        problems = _NodeChecker(source).check(root)
        if not isinstance(root, yaml.MappingNode):
            mark = root.start_mark
            raise _single(
                source,
                mark.line + 1,
                mark.column + 1,
                f"the top level must be a mapping of sections, got a {_node_kind(root)}",
                "start with keys such as `version: 1`, `providers:` and `routes:`",
            )
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        raise _syntax(source, error) from error
    except RecursionError as error:
        raise _single(source, 1, 1, "the document is nested too deeply", "flatten it") from error
    except yaml.YAMLError as error:
        raise _single(source, 1, 1, f"YAML error: {error}", "fix the YAML syntax") from error
    finally:
        loader.dispose()
    return YamlDocument(source, root, data), problems


def _syntax(source: str, error: yaml.MarkedYAMLError) -> InvalidConfig:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = error.problem or "unreadable YAML"
    if error.context:
        started = f" started on line {error.context_mark.line + 1}" if error.context_mark else ""
        what = f"{error.context}{started}: {what}"
    return _single(
        source, line, column, f"YAML syntax error: {what}", "check indentation and quoting"
    )


def _single(source: str, line: int, column: int, message: str, hint: str) -> InvalidConfig:
    return InvalidConfig([ConfigProblem(source, line, column, (), message, hint)])


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "scalar value" if isinstance(node, yaml.ScalarNode) else "node"


class _NodeChecker:
    """Walks the node tree once: duplicate keys, recursive aliases, expanded size."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[ConfigProblem] = []
        self.sizes: dict[int, int] = {}
        self.active: set[int] = set()

    def check(self, root: yaml.Node) -> list[ConfigProblem]:
        size = self._walk(root, ())
        if size > MAX_EXPANDED_NODES:
            raise _single(
                self.source,
                1,
                1,
                f"the document expands to {size} nodes through aliases",
                f"keep it under {MAX_EXPANDED_NODES} nodes; use fewer aliases",
            )
        return self.problems

    def _walk(self, node: yaml.Node, path: Path) -> int:
        if id(node) in self.sizes:
            return self.sizes[id(node)]
        if id(node) in self.active:
            mark = node.start_mark
            raise _single(
                self.source,
                mark.line + 1,
                mark.column + 1,
                "recursive alias: this node contains itself",
                "remove the alias that refers back to its own anchor",
            )
        self.active.add(id(node))
        size = 1 + sum(self._walk(child, sub) for sub, child in self._children(node, path))
        self.active.discard(id(node))
        self.sizes[id(node)] = min(size, MAX_EXPANDED_NODES + 1)
        return self.sizes[id(node)]

    def _children(self, node: yaml.Node, path: Path) -> list[tuple[Path, yaml.Node]]:
        if isinstance(node, yaml.SequenceNode):
            return [((*path, i), child) for i, child in enumerate(node.value)]
        if not isinstance(node, yaml.MappingNode):
            return []
        seen: dict[str, yaml.Node] = {}
        children: list[tuple[Path, yaml.Node]] = []
        for key, value in node.value:
            if key.tag == _MERGE_TAG:
                children.append((path, value))
                continue
            if isinstance(key, yaml.ScalarNode):
                self._note_duplicate(seen, key, path)
            children.append(((*path, str(key.value)), value))
        return children

    def _note_duplicate(self, seen: dict[str, yaml.Node], key: yaml.ScalarNode, path: Path) -> None:
        first = seen.get(key.value)
        if first is None:
            seen[key.value] = key
            return
        mark = key.start_mark
        self.problems.append(
            ConfigProblem(
                self.source,
                mark.line + 1,
                mark.column + 1,
                (*path, key.value),
                f"duplicate key {key.value!r}, first defined on line {first.start_mark.line + 1}",
                "YAML would silently keep only the last one: merge the two or remove one",
            )
        )
