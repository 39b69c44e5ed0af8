"""Sign-offs of manual checklist items, kept with the repository in ``.confiance-signoff.yaml``.

Each entry records who signed off which item, when, a note, and the SHA-256 of every file the
item covers plus a digest over them. A sign-off is stale (the item needs a human again) when it is
older than the allowed age or when the covered files changed, appeared or disappeared since.

File format::

    version: 1
    signoffs:
    - item: prompt-injection-threat-model
      by: Alice Martin
      at: '2025-03-01T10:00:00+00:00'
      note: Reviewed with the security team, see docs/threat-model.md
      digest: sha256:6c1e...
      files: {src/app/chat.py: 9f2a...}
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from confiance.codescan.results import ScannedFile
from confiance.errors import ConfigError

__all__ = [
    "DEFAULT_MAX_AGE_DAYS",
    "SIGNOFF_FILE",
    "SignOff",
    "Staleness",
    "digest_files",
    "load_signoffs",
    "save_signoff",
    "staleness",
]

SIGNOFF_FILE = ".confiance-signoff.yaml"
DEFAULT_MAX_AGE_DAYS = 180
_VERSION = 1


@dataclass(frozen=True, slots=True)
class SignOff:
    item: str
    by: str
    at: datetime
    note: str
    digest: str
    files: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "by": self.by,
            "at": self.at.isoformat(timespec="seconds"),
            "note": self.note,
            "digest": self.digest,
            "files": dict(sorted(self.files.items())),
        }


@dataclass(frozen=True, slots=True)
class Staleness:
    """Why a sign-off no longer holds (empty ``reasons`` means it is current)."""

    reasons: tuple[str, ...]

    @property
    def stale(self) -> bool:
        return bool(self.reasons)


def digest_files(files: Iterable[ScannedFile]) -> tuple[str, dict[str, str]]:
    """(digest, {path: sha256}) over the covered files, independent of their order."""
    hashes = {f.path: f.sha256 for f in files}
    joined = "".join(f"{path}\0{sha}\n" for path, sha in sorted(hashes.items()))
    return "sha256:" + hashlib.sha256(joined.encode()).hexdigest(), hashes


def _parse_entry(raw: object, index: int, where: str) -> SignOff:
    location = f"{where}: signoffs[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError("must be a mapping with item, by, at, note, digest", location=location)
    missing = [k for k in ("item", "by", "at", "digest") if not raw.get(k)]
    if missing:
        raise ConfigError(f"missing {', '.join(missing)}", location=location)
    try:
        at = raw["at"] if isinstance(raw["at"], datetime) else datetime.fromisoformat(raw["at"])
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"'at' is not an ISO date-time: {raw['at']!r}", location=location
        ) from exc
    files = raw.get("files") or {}
    if not isinstance(files, dict):
        raise ConfigError("'files' must map paths to SHA-256 digests", location=location)
    return SignOff(
        item=str(raw["item"]),
        by=str(raw["by"]),
        at=at,
        note=str(raw.get("note") or ""),
        digest=str(raw["digest"]),
        files={str(k): str(v) for k, v in files.items()},
    )


def load_signoffs(path: Path) -> dict[str, SignOff]:
    """Sign-offs by item id (empty when the file does not exist)."""
    if not path.exists():
        return {}
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read sign-offs: {exc}", location=str(path)) from exc
    if not isinstance(document, dict) or document.get("version") != _VERSION:
        raise ConfigError(f"expected a mapping with 'version: {_VERSION}'", location=str(path))
    entries = document.get("signoffs") or []
    if not isinstance(entries, list):
        raise ConfigError("'signoffs' must be a list", location=str(path))
    parsed = [_parse_entry(raw, i, str(path)) for i, raw in enumerate(entries)]
    return {s.item: s for s in parsed}


def save_signoff(path: Path, signoff: SignOff) -> None:
    """Add or replace the sign-off of ``signoff.item``, keeping the others."""
    current = load_signoffs(path)
    current[signoff.item] = signoff
    document = {
        "version": _VERSION,
        "signoffs": [current[key].as_dict() for key in sorted(current)],
    }
    header = (
        "# Sign-offs of manual security checklist items (confiance scan --checklist).\n"
        "# Written by `confiance scan signoff`; keep it under version control.\n"
    )
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + text, encoding="utf-8")


def staleness(
    signoff: SignOff, covered: Iterable[ScannedFile], *, now: datetime, max_age_days: int
) -> Staleness:
    """Whether ``signoff`` still holds for the files it covers today."""
    reasons = []
    at = signoff.at if signoff.at.tzinfo else signoff.at.replace(tzinfo=now.tzinfo)
    age = now - at
    if age > timedelta(days=max_age_days):
        reasons.append(f"signed off {age.days} days ago (limit {max_age_days})")
    digest, hashes = digest_files(covered)
    if digest != signoff.digest:
        changed = sorted(p for p in hashes if p in signoff.files and hashes[p] != signoff.files[p])
        added = sorted(p for p in hashes if p not in signoff.files)
        removed = sorted(p for p in signoff.files if p not in hashes)
        parts = [
            f"{label}: {', '.join(paths[:5])}{' ...' if len(paths) > 5 else ''}"
            for label, paths in (("changed", changed), ("new", added), ("removed", removed))
            if paths
        ]
        reasons.append("covered files changed since sign-off (" + "; ".join(parts or ["?"]) + ")")
    return Staleness(tuple(reasons))
