"""docs/configuration.md lists every ``CONFIANCE_*`` environment variable the package reads,
and nothing it does not read; the defaults shown for process settings are the real ones."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from confiance.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "configuration.md"
# A variable's name as a string literal in the source: what os.environ.get(...) and the
# settings read. (Names in prose or help text are quoted differently, or not at all.)
READ = re.compile(r"""["'](CONFIANCE_[A-Z][A-Z0-9_]*)["']""")
ROW = re.compile(r"^\| `(CONFIANCE_[A-Z0-9_]+)` \| ([^|]+) \|", re.MULTILINE)


def documented() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("<!-- environment -->", 1)[1].split("\n## ", 1)[0]
    return {name: default.strip() for name, default in ROW.findall(section)}


def read_by_the_package() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "src" / "confiance").rglob("*.py"):
        names |= set(READ.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_variable_read_is_documented_and_none_is_stale() -> None:
    rows, read = documented(), read_by_the_package()
    assert len(read) >= 10, "the source scan finds too little: the pattern is wrong"
    assert sorted(read - set(rows)) == [], "read but undocumented in docs/configuration.md"
    assert sorted(set(rows) - read) == [], "documented but never read"


def test_documented_defaults_of_process_settings_are_the_real_ones() -> None:
    rows = documented()
    defaults = {field.name: field.default for field in dataclasses.fields(Settings)}
    from_env = Settings.from_env({})
    for variable, field in {
        "CONFIANCE_DATABASE_URL": "database_url",
        "CONFIANCE_CONFIG": "config_path",
        "CONFIANCE_HOST": "host",
        "CONFIANCE_PORT": "port",
        "CONFIANCE_LOG_LEVEL": "log_level",
    }.items():
        assert rows[variable] == f"`{defaults[field]}`", variable
        assert getattr(from_env, field) == defaults[field]
