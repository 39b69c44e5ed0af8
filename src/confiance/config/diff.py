"""What changes between two config documents: entries added, removed or changed, field by field.

Documents are the canonical JSON form of a config (:attr:`LoadedConfig.document`). Sections that
hold named entries (providers, routes, roles, prices) are compared entry by entry; every other
top-level section (timeouts, retry, limits, ...) is one entry named after itself. Inside an entry,
mappings are compared key by key under dotted paths (``retry.max_attempts``,
``params.temperature``) and lists are compared as whole values (a reordered fallback chain is one
change).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from confiance.domain.types import JSONObject

__all__ = [
    "NAMED_SECTIONS",
    "ChangeKind",
    "ConfigDiff",
    "EntryChange",
    "FieldChange",
    "diff_documents",
    "diff_entry",
    "flatten",
]

NAMED_SECTIONS = ("providers", "routes", "roles", "prices")
"""Top-level sections whose values are mappings of named entries."""

_MISSING = object()


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One leaf value: ``old`` is ``None`` when the field is new, ``new`` when it is gone
    (a field whose value really is ``null`` shows as ``None`` too; ``path`` still says which)."""

    path: str
    old: object
    new: object

    def to_json(self) -> JSONObject:
        return {"path": self.path, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class EntryChange:
    """One named entry of a section (``routes`` / ``support-bot``), or a whole plain section
    (``retry`` / ``retry``). ``fields`` lists every leaf that differs; for an added or removed
    entry that is every leaf of its definition."""

    section: str
    name: str
    kind: ChangeKind
    fields: tuple[FieldChange, ...]

    def to_json(self) -> JSONObject:
        return {
            "section": self.section,
            "name": self.name,
            "kind": str(self.kind),
            "fields": [change.to_json() for change in self.fields],
        }


@dataclass(frozen=True, slots=True)
class ConfigDiff:
    """Every entry that differs, sections in document order, entries sorted by name."""

    changes: tuple[EntryChange, ...]

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def in_section(self, section: str) -> tuple[EntryChange, ...]:
        return tuple(change for change in self.changes if change.section == section)

    def routes_changed(self) -> tuple[str, ...]:
        """Names of the routes added, removed or changed."""
        return tuple(change.name for change in self.in_section("routes"))

    def summary(self) -> JSONObject:
        """``{"added": {"routes": ["a"]}, "removed": {...}, "changed": {...}}`` — names only,
        small enough for an audit event."""
        summary: JSONObject = {str(kind): {} for kind in ChangeKind}
        for change in self.changes:
            summary[str(change.kind)].setdefault(change.section, []).append(change.name)
        return summary

    def to_json(self) -> JSONObject:
        return {
            "changed": not self.is_empty,
            "summary": self.summary(),
            "changes": [change.to_json() for change in self.changes],
        }


def diff_documents(old: JSONObject | None, new: JSONObject) -> ConfigDiff:
    """The changes that turn ``old`` into ``new`` (``old=None``: everything is added)."""
    before = old or {}
    sections = list(new) + [section for section in before if section not in new]
    changes: list[EntryChange] = []
    for section in sections:
        old_value = before.get(section, _MISSING)
        new_value = new.get(section, _MISSING)
        if section in NAMED_SECTIONS:
            changes += _diff_named(section, _mapping(old_value), _mapping(new_value))
        else:
            change = _diff_entry(section, section, old_value, new_value)
            changes += [change] if change else []
    return ConfigDiff(tuple(changes))


def _mapping(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _diff_named(section: str, old: dict[str, object], new: dict[str, object]) -> list[EntryChange]:
    names = sorted(set(old) | set(new))
    found = (_diff_entry(section, n, old.get(n, _MISSING), new.get(n, _MISSING)) for n in names)
    return [change for change in found if change is not None]


def diff_entry(section: str, name: str, old: object, new: object) -> EntryChange | None:
    """The change of one entry, or ``None`` when both are equal. ``None`` for ``old``/``new``
    means the entry is absent (in canonical documents an entry is never ``null``)."""
    return _diff_entry(
        section, name, _MISSING if old is None else old, _MISSING if new is None else new
    )


def _diff_entry(section: str, name: str, old: object, new: object) -> EntryChange | None:
    if old is _MISSING and new is _MISSING:
        return None
    if old is _MISSING:
        added = (FieldChange(path, None, value) for path, value in flatten(new).items())
        return EntryChange(section, name, ChangeKind.ADDED, tuple(added))
    if new is _MISSING:
        removed = (FieldChange(path, value, None) for path, value in flatten(old).items())
        return EntryChange(section, name, ChangeKind.REMOVED, tuple(removed))
    fields: list[FieldChange] = []
    _compare("", old, new, fields)
    return EntryChange(section, name, ChangeKind.CHANGED, tuple(fields)) if fields else None


def _compare(path: str, old: object, new: object, out: list[FieldChange]) -> None:
    """Recurse while both sides are mappings; anywhere else a difference is one change, so
    ``retry: null`` → ``retry: {max_attempts: 3}`` is a single field, not a scatter."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(new) + [key for key in old if key not in new]:
            child = f"{path}.{key}" if path else str(key)
            _compare(child, old.get(key, _MISSING), new.get(key, _MISSING), out)
    elif old != new:
        before = None if old is _MISSING else old
        after = None if new is _MISSING else new
        out.append(FieldChange(path or "(value)", before, after))


def flatten(value: object, prefix: str = "") -> dict[str, object]:
    """Leaves of nested mappings by dotted path; lists and scalars are leaves. A nested empty
    mapping has no leaves (``params: {}`` → ``params: {temperature: 0}`` is one added leaf);
    a value that is not a mapping, or an empty one at the top, is the leaf ``(value)``."""
    if not isinstance(value, dict) or (not value and not prefix):
        return {prefix or "(value)": value}
    leaves: dict[str, object] = {}
    for key, child in value.items():
        leaves.update(flatten(child, f"{prefix}.{key}" if prefix else str(key)))
    return leaves
