"""docs/simulator.md is complete and true: its grammar table is the grammar, its key tables name
every field, its config examples load and its Python example runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from confiance.config.load import parse_config
from confiance.providers.simulated import (
    DIRECTIVES,
    Behaviour,
    SimulatorConfig,
    load_config,
    parse_model_name,
)

PAGE = Path(__file__).resolve().parents[3] / "docs" / "simulator.md"
TEXT = PAGE.read_text(encoding="utf-8")
YAML_BLOCKS = re.findall(r"```yaml\n(.*?)```", TEXT, re.S)
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, re.S)


def table_rows(first_cell: str) -> list[list[str]]:
    """Rows of every markdown table whose header starts with ``| first_cell |``."""
    rows = []
    for match in re.finditer(rf"^\| {re.escape(first_cell)} \|", TEXT, re.M):
        for line in TEXT[match.start() :].splitlines()[2:]:
            if not line.startswith("|"):
                break
            rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def test_grammar_table_is_the_grammar() -> None:
    documented = [(r[0].strip("`"), r[1].strip("`"), r[2]) for r in table_rows("directive")]
    assert documented == [(d.syntax, d.example, d.effect) for d in DIRECTIVES]


def test_every_example_model_name_parses() -> None:
    for row in table_rows("model"):
        parse_model_name(row[0].strip("`"))


def test_every_setting_is_documented() -> None:
    keys = {row[0].strip("`") for row in table_rows("key")}
    for field in [*SimulatorConfig.model_fields, *Behaviour.model_fields]:
        assert field in keys, f"docs/simulator.md does not document {field!r}"


@pytest.mark.parametrize("block", YAML_BLOCKS)
def test_yaml_examples_load(block: str, tmp_path: Path) -> None:
    if block.startswith("providers:"):
        assert parse_config(block, "docs/simulator.md").config.providers
        return
    path = tmp_path / "sim.yaml"
    path.write_text(block, encoding="utf-8")
    config = load_config(path)
    assert config.models


def test_python_example_runs() -> None:
    (script,) = [block for block in PYTHON_BLOCKS if "asyncio.run(main())" in block]
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
