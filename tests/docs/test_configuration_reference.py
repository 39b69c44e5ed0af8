"""docs/configuration.md documents every field of the config schema, with true defaults, and its
examples (and those in examples/) are valid configs."""

from __future__ import annotations

import enum
import re
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from confiance.config.load import load_config, parse_config
from confiance.config.schema import ConfianceConfig

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "configuration.md"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
MARKER = re.compile(r"<!-- model: (\w+) -->")
YAML_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL)
KEY_PLACEHOLDERS = {"providers": "<name>", "routes": "<name>", "roles": "<role>"}


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def documented_rows() -> dict[str, dict[str, list[str]]]:
    """Model name → field name → the cells of its row, from the table after each marker."""
    text = doc_text()
    markers = list(MARKER.finditer(text))
    models: dict[str, dict[str, list[str]]] = {}
    for index, marker in enumerate(markers):
        end = markers[index + 1].start() if index + 1 < len(markers) else len(text)
        body = text[marker.end() : end].split("\n#", 1)[0]
        rows: dict[str, list[str]] = {}
        for line in body.splitlines():
            if line.startswith("| `"):
                cells = [cell.strip() for cell in line.strip("|").split("|")]
                rows[cells[0].strip("`")] = cells
        models[marker.group(1)] = rows
    return models


def _unwrap(annotation: Any) -> list[Any]:
    """The annotations a value may take, with Optional, Annotated and containers opened."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in {Union, types.UnionType}:
        return [inner for arg in get_args(annotation) for inner in _unwrap(arg)]
    if origin is dict:
        return _unwrap(get_args(annotation)[1])
    if origin is tuple:
        return _unwrap(get_args(annotation)[0])
    return [annotation]


def _nested(field: FieldInfo) -> list[type[BaseModel]]:
    return [
        arg
        for arg in _unwrap(field.annotation)
        if isinstance(arg, type) and issubclass(arg, BaseModel)
    ]


def walk(
    model: type[BaseModel], prefix: str = ""
) -> Iterator[tuple[str, type[BaseModel], str, FieldInfo]]:
    """Every field path of the schema: ``routes.<name>.retry.max_attempts``..."""
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        yield path, model, name, field
        placeholder = KEY_PLACEHOLDERS.get(name, "<provider/model>") if not prefix else None
        for nested in _nested(field):
            is_mapping = get_origin(field.annotation) is dict
            below = f"{path}.{placeholder}." if is_mapping and placeholder else f"{path}."
            yield from walk(nested, below)


def expected_default(field: FieldInfo) -> str | None:
    """The default as the docs must show it, or None when it is a nested section."""
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel) or (
        isinstance(value, dict) and any(isinstance(v, BaseModel) for v in value.values())
    ):
        return None
    return f"`{_yaml_value(value)}`"


def _yaml_value(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, str):
        return value or '""'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(f'"{item}"' for item in value) + "]"
    if isinstance(value, dict):
        assert not value, "only empty mappings are expected as defaults"
        return "{}"
    return repr(value)


def test_every_field_path_is_documented() -> None:
    rows = documented_rows()
    missing = [
        f"{path} (field {name!r} of {model.__name__})"
        for path, model, name, _ in walk(ConfianceConfig)
        if name not in rows.get(model.__name__, {})
    ]
    assert not missing, "undocumented in docs/configuration.md:\n" + "\n".join(missing)


def test_no_documented_field_is_stale() -> None:
    models = {model.__name__: model for _, model, _, _ in walk(ConfianceConfig)}
    models[ConfianceConfig.__name__] = ConfianceConfig
    for model_name, rows in documented_rows().items():
        assert model_name in models, f"docs describe {model_name}, which the schema lacks"
        stale = set(rows) - set(models[model_name].model_fields)
        assert not stale, f"{model_name}: documented but not in the schema: {sorted(stale)}"


def test_documented_defaults_are_the_real_ones() -> None:
    rows = documented_rows()
    wrong: list[str] = []
    for path, model, name, field in walk(ConfianceConfig):
        expected = expected_default(field)
        cells = rows[model.__name__][name]
        if expected is not None and cells[2] != expected:
            wrong.append(f"{path}: docs say {cells[2]}, schema says {expected}")
    assert not wrong, "\n".join(wrong)


def test_every_yaml_example_in_the_docs_is_a_valid_config() -> None:
    blocks = YAML_BLOCK.findall(doc_text())
    assert len(blocks) >= 5
    for number, block in enumerate(blocks, start=1):
        parse_config(block, f"docs/configuration.md yaml block {number}")


def test_spelled_out_defaults_example_equals_the_short_form() -> None:
    spelled_out = YAML_BLOCK.findall(doc_text())[-1]
    data = yaml.safe_load(spelled_out)
    short = {key: data[key] for key in ("version", "providers", "routes")}
    assert parse_config(spelled_out, "long").digest == parse_config(yaml.dump(short), "s").digest


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_example_files_are_valid(path: Path) -> None:
    loaded = load_config(path)
    assert loaded.config.routes


def test_both_example_files_exist() -> None:
    assert {path.name for path in EXAMPLES} >= {"confiance.yaml", "demo.yaml"}
    demo = load_config(ROOT / "examples" / "demo.yaml").config
    assert {provider.base_url.split("/")[2] for provider in demo.providers.values()} == {
        "127.0.0.1:9000"
    }
