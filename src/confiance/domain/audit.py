"""Audit events: an append-only, hash-chained log of changes and decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from confiance.domain.types import JSONObject


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One event. ``seq`` starts at 1; ``hash`` covers ``prev_hash`` and every other field."""

    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    data: JSONObject
    prev_hash: str
    hash: str
