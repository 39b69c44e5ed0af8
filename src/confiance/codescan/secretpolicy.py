"""What the secret scan accepts: the allow-list file ``.confiance-secrets.toml``.

Built in: documentation samples published by vendors (AWS's ``EXAMPLE`` keys, the Azurite key),
placeholders, and test-fixture paths where findings that rest on context alone (generic
high-entropy values, passwords in URLs, basic-auth and bearer credentials, JWTs) are not
reported; vendor-format keys are still reported there, since a real key in a test is a leak.

A project extends it at its root (or with ``--secrets-config``)::

    [allow]
    values = ["sk_test_[A-Za-z0-9]+", "AKIA[A-Z2-7]{12}DOCS"]   # regexes, whole value
    paths = ["docs/examples/**"]                               # nothing reported there

    [fixtures]
    paths = ["qa/data/**"]         # added to the built-in fixture paths
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec

from confiance.errors import UsageError

__all__ = ["DEFAULT_FIXTURE_PATHS", "POLICY_FILE", "SecretPolicy", "load_policy"]

POLICY_FILE = ".confiance-secrets.toml"
DEFAULT_FIXTURE_PATHS = (
    "test/", "tests/", "**/test/", "**/tests/", "**/__tests__/", "**/fixtures/", "**/testdata/",
    "**/test_*.py", "**/*_test.py", "**/*_test.go", "**/*.test.[jt]s", "**/*.test.[jt]sx",
    "**/*.spec.[jt]s", "**/*.spec.[jt]sx", "**/conftest.py",
)  # fmt: skip
_SECTIONS = {"allow": {"values", "paths"}, "fixtures": {"paths"}}


@dataclass(frozen=True, slots=True)
class SecretPolicy:
    """Allow-list rules; cheap to pickle (patterns stay strings until first use)."""

    allow_values: tuple[str, ...] = ()
    allow_paths: tuple[str, ...] = ()
    fixture_paths: tuple[str, ...] = DEFAULT_FIXTURE_PATHS
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def allows_value(self, value: str) -> bool:
        """Whether ``value`` matches one of ``[allow] values`` as a whole."""
        regex = self._compiled("values", lambda: _union(self.allow_values))
        return regex is not None and regex.fullmatch(value) is not None

    def allows_path(self, rel: str) -> bool:
        """Whether no secret is reported in ``rel`` (``[allow] paths``)."""
        return self._spec("allow", self.allow_paths).match_file(rel)

    def is_fixture(self, rel: str) -> bool:
        """Whether ``rel`` is test data, where context-only findings are not reported."""
        return self._spec("fixtures", self.fixture_paths).match_file(rel)

    def _spec(self, key: str, patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
        spec = self._compiled(key, lambda: pathspec.GitIgnoreSpec.from_lines(patterns))
        assert isinstance(spec, pathspec.GitIgnoreSpec)
        return spec

    def _compiled(self, key: str, build: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]


def _union(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _strings(data: dict[str, Any], section: str, key: str, path: Path) -> tuple[str, ...]:
    value = data.get(section, {}).get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{path}: [{section}] {key} must be a list of strings")
    return tuple(value)


def load_policy(root: Path, path: Path | None = None) -> SecretPolicy:
    """The policy of the project at ``root`` (``ROOT/.confiance-secrets.toml`` when it exists,
    or ``path``). Raises :class:`UsageError` naming the file for a missing explicit file, bad
    TOML, an unknown section or key, or a regex that does not compile."""
    target = path or root / POLICY_FILE
    if not target.is_file():
        if path is not None:
            raise UsageError(f"--secrets-config: {path} does not exist")
        return SecretPolicy()
    try:
        data = tomllib.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{target}: cannot read the secrets allow-list: {exc}") from exc
    for section, body in data.items():
        if section not in _SECTIONS or not isinstance(body, dict):
            raise UsageError(f"{target}: unknown section [{section}] (known: allow, fixtures)")
        unknown = set(body) - _SECTIONS[section]
        if unknown:
            raise UsageError(f"{target}: unknown key {sorted(unknown)[0]!r} in [{section}]")
    values = _strings(data, "allow", "values", target)
    for pattern in values:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise UsageError(f"{target}: [allow] values: bad regex {pattern!r}: {exc}") from exc
    return SecretPolicy(
        allow_values=values,
        allow_paths=_strings(data, "allow", "paths", target),
        fixture_paths=DEFAULT_FIXTURE_PATHS + _strings(data, "fixtures", "paths", target),
    )
