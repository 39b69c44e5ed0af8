"""Config diffs for the terminal: a Rich tree of sections, entries and changed fields."""

from __future__ import annotations

from rich.text import Text
from rich.tree import Tree

from confiance.config.diff import NAMED_SECTIONS, ChangeKind, ConfigDiff, EntryChange

__all__ = ["format_value", "render_diff"]

_MARKS = {ChangeKind.ADDED: ("+", "green"), ChangeKind.REMOVED: ("-", "red")}
_CHANGED_MARK = ("~", "yellow")


def render_diff(diff: ConfigDiff, title: str) -> Tree:
    """A tree: a branch per named section (providers, routes, roles, prices) and one
    ``settings`` branch for the plain sections; a line per entry (+ added, - removed,
    ~ changed); a leaf per changed field with its old → new value."""
    tree = Tree(Text(title, style="bold"))
    branches: dict[str, Tree] = {}
    for change in diff.changes:
        group = change.section if change.section in NAMED_SECTIONS else "settings"
        branch = branches.get(group)
        if branch is None:
            branch = branches[group] = tree.add(Text(group, style="bold"))
        _entry(branch, change)
    return tree


def _entry(branch: Tree, change: EntryChange) -> None:
    mark, style = _MARKS.get(change.kind, _CHANGED_MARK)
    label = Text(f"{mark} {change.name}", style=style)
    if change.kind is not ChangeKind.CHANGED:
        label.append(_brief(change), style="dim")
        branch.add(label)
        return
    node = branch.add(label)
    for field in change.fields:
        line = Text(f"{field.path}: ")
        line.append(format_value(field.old), style="red")
        line.append(" → ")
        line.append(format_value(field.new), style="green")
        node.add(line)


def _brief(change: EntryChange) -> str:
    """The few fields that identify an added or removed entry."""
    keep = {"target", "fallbacks", "kind", "base_url", "input", "output"}
    shown = [
        f"{f.path}={format_value(f.new if f.new is not None else f.old)}" for f in change.fields
    ]
    picked = [text for text, f in zip(shown, change.fields, strict=True) if f.path in keep]
    return f"  ({', '.join(picked)})" if picked else ""


def format_value(value: object) -> str:
    """A document value as YAML would show it: ``∅`` for null, lists in brackets."""
    if value is None:
        return "∅"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    return str(value)
