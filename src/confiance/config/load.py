"""Loading ``confiance.yaml``: strict, complete, located errors; a canonical document and digest.

Every problem in a file is reported at once, each as
``file:line:col: key.path: what is wrong (what to do)``, in one :class:`InvalidConfig` (a
:class:`~confiance.errors.ConfigError`). Secrets are never read: a provider names the environment
variable holding its key, and :func:`check_environment` only checks that the variable is set.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from confiance.config.keyenv import KeyEnvPolicy
from confiance.config.problems import (
    ConfigProblem,
    InvalidConfig,
    Issue,
    Pointer,
    reference_issues,
    validation_issues,
)
from confiance.config.references import reference_problems
from confiance.config.schema import NAME_PATTERN, ConfianceConfig
from confiance.config.yamlnodes import compose_document
from confiance.domain.types import JSONObject
from confiance.errors import ConfigError

__all__ = [
    "MAX_CONFIG_BYTES",
    "LoadedConfig",
    "check_environment",
    "document_digest",
    "load_config",
    "load_document",
    "parse_config",
]

MAX_CONFIG_BYTES = 1024 * 1024
_QUOTED = re.compile(r"'([^']*)'")
_NAME_RE = re.compile(NAME_PATTERN)
_NAME_HINT = "use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    """A valid config: the model, its canonical document (every field, defaults included, in
    JSON form) and the SHA-256 hex digest of that document's canonical JSON."""

    config: ConfianceConfig
    document: JSONObject
    digest: str
    source: str


def load_config(path: str | Path, *, key_env: KeyEnvPolicy | None = None) -> LoadedConfig:
    """Read and validate a config file. Raises ``ConfigError`` (for content problems the
    subclass ``InvalidConfig``, listing every problem). ``key_env`` is the operator's rule
    for ``api_key_env`` (by default: anything but ``CONFIANCE_*``)."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if not file.is_file():
            raise ConfigError(f"{file} is not a file (pass the path of a YAML config file)")
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"{file} is {size} bytes; a config may be at most {MAX_CONFIG_BYTES} bytes "
                "(split out large prompts, or check that this is the right file)"
            )
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"config file not found: {file} (create it, pass --config, or set CONFIANCE_CONFIG)"
        ) from None
    except OSError as error:
        raise ConfigError(f"cannot read {file}: {error.strerror}") from error
    return parse_config(_decode(raw, str(file)), str(file), key_env=key_env)


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise ConfigError(
            f"{source}:{line}:{column}: the file is not valid UTF-8 (byte "
            f"0x{raw[error.start]:02x}); save it as UTF-8"
        ) from error


def parse_config(
    text: str, source_name: str, *, key_env: KeyEnvPolicy | None = None
) -> LoadedConfig:
    """Validate YAML ``text`` (``source_name`` is used in messages). Raises ``InvalidConfig``
    listing every problem: syntax, duplicate keys, unknown keys, types, ranges, references,
    and ``api_key_env`` variables that ``key_env`` (by default: not ``CONFIANCE_*``) refuses."""
    if len(text.encode("utf-8")) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{source_name}: a config may be at most {MAX_CONFIG_BYTES} bytes")
    document, problems = compose_document(text, source_name)
    try:
        config = ConfianceConfig.model_validate(document.data)
    except ValidationError as error:
        issues = _all_issues(error, document.data)
        raise _invalid(problems + [document.locate(issue) for issue in issues]) from None
    issues = reference_issues(reference_problems(config))
    issues += (key_env or KeyEnvPolicy()).issues(config)
    issues += _non_finite(config.model_dump(), ())
    problems += [document.locate(issue) for issue in issues]
    if problems:
        raise _invalid(problems)
    return _loaded(config, source_name)


def load_document(document: JSONObject, source_name: str) -> LoadedConfig:
    """Validate an already-parsed document (a stored revision, or one being built by a
    rollback). Problems carry key paths but no lines. Raises ``InvalidConfig``."""
    try:
        config = ConfianceConfig.model_validate(document)
    except ValidationError as error:
        issues = _all_issues(error, document)
        raise _invalid([_unlocated(source_name, issue) for issue in issues]) from None
    issues = reference_issues(reference_problems(config))
    if issues:
        raise _invalid([_unlocated(source_name, issue) for issue in issues])
    return _loaded(config, source_name)


def _non_finite(value: object, path: tuple[str | int, ...]) -> list[Issue]:
    """``.nan`` and ``.inf`` are valid YAML but not JSON: a stored revision would silently hold
    ``null`` instead (only free-form ``params`` can reach here; typed fields have ranges)."""
    if isinstance(value, float) and not math.isfinite(value):
        return [Issue(path, f"{value} is not a finite number", "write a finite number")]
    if isinstance(value, dict):
        return [i for key, child in value.items() for i in _non_finite(child, (*path, key))]
    if isinstance(value, list | tuple):
        return [i for n, child in enumerate(value) for i in _non_finite(child, (*path, n))]
    return []


def _loaded(config: ConfianceConfig, source: str) -> LoadedConfig:
    document = config.model_dump(mode="json")
    return LoadedConfig(config, document, document_digest(document), source)


def document_digest(document: JSONObject) -> str:
    """SHA-256 hex of the canonical JSON (sorted keys, no spaces, UTF-8) of ``document``."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _invalid(problems: list[ConfigProblem]) -> InvalidConfig:
    return InvalidConfig(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))


def _unlocated(source: str, issue: Issue) -> ConfigProblem:
    return ConfigProblem(source, None, None, issue.path, issue.message, issue.hint)


def _all_issues(error: ValidationError, data: object) -> list[Issue]:
    """pydantic's issues plus every bad provider or route name: the schema checks names only
    once the entries themselves are valid, and a user should see all problems at once."""
    names = _name_issues(data)
    named = {issue.path for issue in names}
    issues = [_refine(issue, data) for issue in validation_issues(error)]
    return names + [issue for issue in issues if issue.path not in named]


def _name_issues(data: object) -> list[Issue]:
    issues: list[Issue] = []
    for section in ("providers", "routes"):
        entries = data.get(section) if isinstance(data, dict) else None
        for name in entries if isinstance(entries, dict) else ():
            if isinstance(name, str) and not _NAME_RE.match(name):
                message = f"name {name!r} must match {NAME_PATTERN}"
                hint = (
                    "use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
                )
                issues.append(Issue((section, name), message, hint, Pointer.KEY))
    return issues


def _refine(issue: Issue, data: object) -> Issue:
    """A validator on a whole mapping (e.g. the name check on ``routes``) reports the mapping;
    when its message quotes one of the mapping's keys, point at that key instead."""
    target = _value_at(data, issue.path)
    if not isinstance(target, dict) or issue.pointer is Pointer.KEY:
        return issue
    for quoted in _QUOTED.findall(issue.message):
        if quoted in target:
            return Issue((*issue.path, quoted), issue.message, issue.hint, Pointer.KEY)
    return issue


def _value_at(data: object, path: tuple[str | int, ...]) -> object:
    for segment in path:
        # Only mappings matter: _refine looks for a mapping whose keys a message names.
        if not isinstance(data, dict) or segment not in data:
            return None
        data = data[segment]
    return data


def check_environment(config: ConfianceConfig, env: Mapping[str, str]) -> list[str]:
    """One warning per provider whose ``api_key_env`` variable is unset or empty in ``env``.

    Only presence is checked; the value is never read into anything kept or printed.
    """
    warnings: list[str] = []
    for name, provider in config.providers.items():
        variable = provider.api_key_env
        if variable and not env.get(variable):
            warnings.append(
                f"provider {name!r}: environment variable {variable} is not set "
                f"(export it where the gateway runs; calls to {name!r} will fail without it)"
            )
    return warnings
