"""API keys and roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    APP = "app"
    ADMIN = "admin"
    REVIEWER = "reviewer"


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored key. The secret itself is never kept: only ``secret_hash`` (SHA-256 hex).

    ``routes`` empty means every route the role allows. ``prefix`` is the public, displayable
    start of the key (``cf-ab12cd34``) used to find it without scanning.
    """

    id: str
    name: str
    prefix: str
    secret_hash: str
    role: Role
    routes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or now < self.expires_at

    def may_call(self, route: str) -> bool:
        return not self.routes or route in self.routes
