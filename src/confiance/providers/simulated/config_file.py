"""Reading a simulator config file (YAML or JSON) with errors that name the key and the line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from confiance.errors import ConfigError
from confiance.providers.simulated.behaviour import (
    Behaviour,
    FixedLatency,
    LognormalLatency,
    NormalLatency,
    UniformLatency,
)
from confiance.providers.simulated.config import SimulatorConfig

__all__ = ["load_config"]

_LATENCY_CLASSES: dict[str, type[BaseModel]] = {
    "fixed": FixedLatency,
    "uniform": UniformLatency,
    "normal": NormalLatency,
    "lognormal": LognormalLatency,
}


def load_config(path: Path) -> SimulatorConfig:
    """Read and validate ``path``. Raises ``ConfigError`` whose location is ``file:line``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            f"cannot read simulator config: {error.strerror}", location=str(path)
        ) from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"not UTF-8 text: {error.reason}", location=str(path)) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ConfigError(f"not valid YAML/JSON: {error.problem}", location=where) from None
    if data is None:
        return SimulatorConfig()
    if not isinstance(data, dict) or root is None:
        raise ConfigError("the top level must be a mapping of settings", location=f"{path}:1")
    _reject_duplicate_keys(root, path)
    try:
        return SimulatorConfig.model_validate(data)
    except ValidationError as error:
        raise _config_error(error, root, path) from None


def _reject_duplicate_keys(node: yaml.Node, path: Path) -> None:
    # PyYAML keeps the last of two equal keys silently; a config that says two things is wrong.
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                raise ConfigError(
                    f"key {name!r} appears twice in the same mapping",
                    location=f"{path}:{key.start_mark.line + 1}",
                )
            seen.add(name)
            _reject_duplicate_keys(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _reject_duplicate_keys(item, path)


def _config_error(error: ValidationError, root: yaml.Node, path: Path) -> ConfigError:
    entries = []
    for item in error.errors():
        line, dotted = _locate(root, item["loc"])
        entries.append((line, dotted or "(top level)", _explain(item)))
    line, dotted, why = entries[0]
    message = f"{dotted}: {why}"
    for other_line, other_dotted, other_why in entries[1:]:
        message += f"\n{path}:{other_line}: {other_dotted}: {other_why}"
    return ConfigError(message, location=f"{path}:{line}")


def _explain(item: Any) -> str:
    if item["type"] == "extra_forbidden":
        allowed = _allowed_keys(tuple(item["loc"][:-1]))
        hint = f"; allowed keys: {', '.join(allowed)}" if allowed else ""
        return f"unknown key{hint}"
    return str(item["msg"]).removeprefix("Value error, ")


def _allowed_keys(parent: tuple[str | int, ...]) -> list[str]:
    model: type[BaseModel] | None = None
    if parent == ():
        model = SimulatorConfig
    elif parent == ("default",) or (len(parent) == 2 and parent[0] == "models"):
        model = Behaviour
    elif len(parent) >= 2 and parent[-2] == "latency":
        model = _LATENCY_CLASSES.get(str(parent[-1]))
    return sorted(model.model_fields) if model is not None else []


def _locate(root: yaml.Node, loc: Sequence[str | int]) -> tuple[int, str]:
    """The 1-based line of the deepest node of ``loc`` present in the file, and ``loc`` as a
    dotted path of the keys the file has (validator tags such as a latency kind are skipped)."""
    node: yaml.Node = root
    line = root.start_mark.line + 1
    names: list[str] = []
    for position, part in enumerate(loc):
        child = _child(node, part)
        if child is None:
            if position == len(loc) - 1:
                names.append(str(part))
            continue
        key_line, node = child
        line = key_line
        names.append(f"[{part}]" if isinstance(part, int) else str(part))
    return line, ".".join(names).replace(".[", "[")


def _child(node: yaml.Node, part: str | int) -> tuple[int, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value) == str(part):
                return key.start_mark.line + 1, value
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item = node.value[part]
        return item.start_mark.line + 1, item
    return None
