"""Stored revisions of the declarative configuration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from confiance.domain.types import JSONObject


@dataclass(frozen=True, slots=True)
class ConfigRevision:
    """One applied ``confiance.yaml``: the validated document (secrets are env var *names*)."""

    number: int
    document: JSONObject
    digest: str
    created_at: datetime
    author: str
    message: str
