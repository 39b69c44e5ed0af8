"""Diffs between config documents."""

from __future__ import annotations

import textwrap

from confiance.config.diff import ChangeKind, FieldChange, diff_documents, diff_entry, flatten
from confiance.config.load import parse_config

BASE = textwrap.dedent(
    """\
    providers:
      sim: {kind: simulated, base_url: "http://127.0.0.1:9000/v1"}
      old: {kind: openai, base_url: "https://old.test/v1"}
    routes:
      bot:
        target: sim/a
        fallbacks: [sim/b]
        params: {temperature: 0.2}
      gone: {target: old/x}
      same: {target: sim/s}
    """
)

NEW = textwrap.dedent(
    """\
    providers:
      sim: {kind: simulated, base_url: "http://127.0.0.1:9000/v1"}
      fresh: {kind: anthropic, base_url: "https://fresh.test"}
    routes:
      bot:
        target: sim/a
        fallbacks: [sim/c, sim/b]
        params: {temperature: 0.5, seed: 7}
        retry: {max_attempts: 3}
      same: {target: sim/s}
      added: {target: fresh/claude}
    retry: {max_attempts: 4}
    """
)


def documents() -> tuple[dict[str, object], dict[str, object]]:
    return parse_config(BASE, "a").document, parse_config(NEW, "b").document


def test_identical_documents_have_no_changes() -> None:
    old, _ = documents()
    diff = diff_documents(old, old)
    assert diff.is_empty
    assert diff.routes_changed() == ()


def test_entries_added_removed_changed() -> None:
    old, new = documents()
    diff = diff_documents(old, new)
    kinds = {(c.section, c.name): c.kind for c in diff.changes}
    assert kinds == {
        ("providers", "fresh"): ChangeKind.ADDED,
        ("providers", "old"): ChangeKind.REMOVED,
        ("routes", "added"): ChangeKind.ADDED,
        ("routes", "bot"): ChangeKind.CHANGED,
        ("routes", "gone"): ChangeKind.REMOVED,
        ("retry", "retry"): ChangeKind.CHANGED,
    }
    assert diff.routes_changed() == ("added", "bot", "gone")


def test_route_fields_old_to_new() -> None:
    old, new = documents()
    [bot] = [c for c in diff_documents(old, new).in_section("routes") if c.name == "bot"]
    retry = parse_config(NEW, "b").config.routes["bot"].retry
    assert retry is not None
    assert bot.fields == (
        FieldChange("fallbacks", ["sim/b"], ["sim/c", "sim/b"]),
        FieldChange("params.temperature", 0.2, 0.5),
        FieldChange("params.seed", None, 7),
        FieldChange("retry", None, retry.model_dump(mode="json")),
    )


def test_empty_mapping_growing_a_key_is_one_change() -> None:
    change = diff_entry("routes", "r", {"params": {}}, {"params": {"seed": 1}})
    assert change is not None
    assert change.fields == (FieldChange("params.seed", None, 1),)


def test_summary_lists_names_by_kind_and_section() -> None:
    old, new = documents()
    assert diff_documents(old, new).summary() == {
        "added": {"providers": ["fresh"], "routes": ["added"]},
        "removed": {"providers": ["old"], "routes": ["gone"]},
        "changed": {"routes": ["bot"], "retry": ["retry"]},
    }


def test_first_apply_adds_everything() -> None:
    _, new = documents()
    diff = diff_documents(None, new)
    assert {c.kind for c in diff.changes} == {ChangeKind.ADDED}
    added_routes = [c.name for c in diff.in_section("routes")]
    assert added_routes == ["added", "bot", "same"]
    route = diff.in_section("routes")[0]
    assert FieldChange("target", None, "fresh/claude") in route.fields


def test_json_form_is_plain_data() -> None:
    old, new = documents()
    data = diff_documents(old, new).to_json()
    assert data["changed"] is True
    retry = next(c for c in data["changes"] if c["section"] == "retry")
    assert retry == {
        "section": "retry",
        "name": "retry",
        "kind": "changed",
        "fields": [{"path": "max_attempts", "old": 2, "new": 4}],
    }


def test_diff_entry_absent_and_equal() -> None:
    assert diff_entry("routes", "r", {"a": 1}, {"a": 1}) is None
    added = diff_entry("routes", "r", None, {"a": {"b": 1}})
    assert added is not None
    assert added.kind is ChangeKind.ADDED
    assert added.fields == (FieldChange("a.b", None, 1),)
    removed = diff_entry("routes", "r", {"a": 1}, None)
    assert removed is not None
    assert removed.kind is ChangeKind.REMOVED


def test_flatten_nested_mappings_lists_and_empties() -> None:
    assert flatten({"a": {"b": 1, "c": [1, 2]}, "d": {}, "e": None}) == {
        "a.b": 1,
        "a.c": [1, 2],
        "e": None,
    }
    assert flatten({}) == {"(value)": {}}
    assert flatten(3) == {"(value)": 3}
