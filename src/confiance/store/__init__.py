"""The store (layer 1): SQLAlchemy Core over SQLite (aiosqlite) or PostgreSQL (asyncpg).

Public surface: :class:`Store` (open, close, and the repositories ``revisions``, ``keys``,
``traces``, ``audit``) and :class:`AuditDraft`, what callers hand in to record an audit event.
"""

from confiance.store.audit import AuditDraft
from confiance.store.store import Store

__all__ = ["AuditDraft", "Store"]
