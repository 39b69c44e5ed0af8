"""Audit events: an append-only, hash-chained log of changes and decisions.

Each event's ``hash`` is :func:`chain_hash` over its own fields and the previous event's hash, so
editing, deleting, inserting or reordering a stored event breaks the chain where it happened.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from confiance.domain.types import JSONObject

__all__ = [
    "GENESIS_HASH",
    "AuditEvent",
    "ChainHead",
    "canonical_json",
    "chain_hash",
    "utc_timestamp",
]

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first event (``seq`` 1)."""


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

    def recomputed_hash(self, seq: int | None = None) -> str:
        """The hash these fields produce, optionally as if the event sat at ``seq``."""
        return chain_hash(
            self.prev_hash,
            self.seq if seq is None else seq,
            self.at,
            self.actor,
            self.action,
            self.subject,
            self.data,
        )


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The last event the store recorded: ``seq`` 0 and :data:`GENESIS_HASH` when empty.

    Kept apart from the events, so cutting events off the end of the log is detectable.
    """

    seq: int
    hash: str


def canonical_json(value: object) -> str:
    """JSON with sorted keys, no whitespace, UTF-8 text kept as is.

    Raises ``ValueError`` when ``value`` is not plain JSON (NaN, infinities, non-string keys,
    objects JSON cannot represent).
    """
    try:
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not representable as canonical JSON: {exc}") from exc


def utc_timestamp(at: datetime) -> str:
    """``at`` in UTC as ISO 8601 with microseconds; naive datetimes are refused."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"timestamp {at.isoformat()} has no time zone; pass an aware datetime")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def chain_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    data: JSONObject,
) -> str:
    """SHA-256 (hex) of the canonical JSON of one event's fields and its predecessor's hash.

    Pure and deterministic: the same fields always give the same hash on every machine.
    Raises ``ValueError`` for a naive ``at`` or ``data`` that is not plain JSON.
    """
    document = {
        "action": action,
        "actor": actor,
        "at": utc_timestamp(at),
        "data": data,
        "prev_hash": prev_hash,
        "seq": seq,
        "subject": subject,
    }
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()
