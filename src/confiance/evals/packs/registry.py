"""Finding and loading probe packs.

A pack is a directory with a ``pack.yaml`` manifest (``name``, ``version``, ``description``,
``probes``: the probe files in order). Loading a pack loads each probe file as a suite and merges
them; the version hash covers the manifest and every file, so a changed probe is a new version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from importlib.metadata import entry_points
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from confiance.errors import ConfigError
from confiance.evals.assertions.registry import AssertionRegistry
from confiance.evals.loader import LoadedSuite, load_suite, merge_suites, with_strategies
from confiance.evals.suite import AttackPolicy

__all__ = ["PACK_ENTRY_POINT_GROUP", "PackInfo", "find_pack", "list_packs", "load_pack"]

PACK_ENTRY_POINT_GROUP = "confiance.evals.packs"
MANIFEST = "pack.yaml"


class _Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    version: str = Field(min_length=1)
    description: str = ""
    probes: list[str] = Field(min_length=1)
    attacks: AttackPolicy = Field(default_factory=AttackPolicy)
    categories: list[str] | None = None
    strategies: list[str] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PackInfo:
    """A pack's manifest; ``attacks`` is its allowed attack success (default: none at all)."""

    name: str
    version: str
    description: str
    directory: Path
    probes: tuple[str, ...]
    attacks: AttackPolicy = field(default_factory=AttackPolicy)
    categories: tuple[str, ...] | None = None
    strategies: tuple[str, ...] = ()


def _builtin_dirs() -> dict[str, Path]:
    root = Path(str(files("confiance.evals.packs")))
    return {p.name: p for p in sorted(root.iterdir()) if (p / MANIFEST).is_file()}


def _plugin_dirs() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for point in entry_points(group=PACK_ENTRY_POINT_GROUP):
        try:
            value: Any = point.load()
            found[point.name] = Path(value() if callable(value) else value)
        except Exception as error:  # foreign code: any failure is the plugin's, say which
            raise ConfigError(
                f"probe pack plugin {point.name!r} failed to load: {error}"
            ) from error
    return found


def find_pack(name_or_dir: str) -> PackInfo:
    """The pack named ``name_or_dir`` (built-in or plugin), or the pack in that directory.
    Raises ``ConfigError`` naming the known packs."""
    directory = Path(name_or_dir)
    if not (directory / MANIFEST).is_file():
        known = {**_builtin_dirs(), **_plugin_dirs()}
        if name_or_dir not in known:
            raise ConfigError(
                f"no probe pack {name_or_dir!r} (known: {', '.join(sorted(known)) or 'none'}; "
                f"or pass a directory holding a {MANIFEST})"
            )
        directory = known[name_or_dir]
    return _info(directory)


def list_packs() -> list[PackInfo]:
    """Every built-in and installed pack."""
    return [_info(d) for _, d in sorted({**_builtin_dirs(), **_plugin_dirs()}.items())]


def _info(directory: Path) -> PackInfo:
    source = directory / MANIFEST
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        manifest = _Manifest.model_validate(data)
    except OSError as error:
        raise ConfigError(f"{source}: cannot read the pack manifest: {error}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{source}: invalid YAML: {error}") from error
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ConfigError(f"{source}: {where}: {first['msg']}") from None
    return PackInfo(
        manifest.name,
        manifest.version,
        manifest.description,
        directory,
        tuple(manifest.probes),
        manifest.attacks,
        None if manifest.categories is None else tuple(manifest.categories),
        tuple(manifest.strategies),
    )


def load_pack(
    name_or_dir: str,
    *,
    registry: AssertionRegistry | None = None,
    variables: Mapping[str, Any] | None = None,
    categories: Collection[str] = (),
    strategies: Collection[str] = (),
) -> LoadedSuite:
    """The pack's probes as one suite named ``pack:<name>``, optionally only ``categories``,
    with the manifest's ``strategies`` and ``strategies`` applied. Raises ``ConfigError`` (an
    unknown category names the known ones; a probe outside the manifest's ``categories`` names
    its file and line)."""
    info = find_pack(name_or_dir)
    registry = registry or AssertionRegistry.default()
    parts = [
        load_suite(
            info.directory / probe,
            registry=registry,
            variables=variables,
            categories=info.categories,
        )
        for probe in info.probes
    ]
    manifest_hash = hashlib.sha256((info.directory / MANIFEST).read_bytes()).hexdigest()
    merged = merge_suites(f"pack:{info.name}", info.description, parts)
    merged = replace(
        merged,
        version_hash=hashlib.sha256(f"{manifest_hash}:{merged.version_hash}".encode()).hexdigest(),
        gate=merged.gate.model_copy(update={"attacks": info.attacks}),
    )
    chosen = (*info.strategies, *strategies)
    if chosen:
        try:
            merged = with_strategies(merged, chosen)
        except ConfigError as error:
            raise ConfigError(f"pack {info.name!r}: {error.message}") from None
    if not categories:
        return merged
    known = {case.category for case in merged.cases if case.category}
    unknown = sorted(set(categories) - known)
    if unknown:
        raise ConfigError(
            f"pack {info.name!r} has no categor{'y' if len(unknown) == 1 else 'ies'} "
            f"{', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    cases = tuple(case for case in merged.cases if case.category in set(categories))
    return replace(merged, cases=cases)
