"""Config revisions: apply a validated config as a new audited revision, diff, history, rollback.

The store is the source of truth for the running config; every change goes through here so that
each new revision and its audit event are written in one transaction. Documents are the canonical
JSON form of a config (:attr:`LoadedConfig.document`); two documents with equal digests are the
same config, so applying the same file twice stores nothing the second time.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime

from confiance.config.diff import (
    NAMED_SECTIONS,
    ChangeKind,
    ConfigDiff,
    FieldChange,
    diff_documents,
    diff_entry,
)
from confiance.config.load import LoadedConfig, load_document
from confiance.config.references import Target, resolve_chain
from confiance.config.schema import RouteConfig
from confiance.control.clock import Clock
from confiance.domain.revision import ConfigRevision
from confiance.domain.types import JSONObject
from confiance.errors import NotFound
from confiance.store import AuditDraft, Store
from confiance.store.checks import MAX_LIMIT

__all__ = ["ApplyResult", "RevisionService", "RouteDetail", "RouteVersion"]


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """What an apply or rollback did. ``applied`` is false for a no-op, and then ``revision``
    is the latest revision, which already holds this exact config."""

    applied: bool
    revision: ConfigRevision
    previous: int | None
    diff: ConfigDiff
    message: str

    def to_json(self) -> JSONObject:
        return {
            "applied": self.applied,
            "revision": self.revision.number,
            "previous": self.previous,
            "digest": self.revision.digest,
            "message": self.message,
            "diff": self.diff.to_json(),
        }


@dataclass(frozen=True, slots=True)
class RouteVersion:
    """One revision in which a route's definition changed (``ADDED`` includes re-adding after
    a removal). ``definition`` is ``None`` for ``REMOVED``."""

    revision: int
    created_at: datetime
    author: str
    message: str
    change: ChangeKind
    definition: JSONObject | None
    fields: tuple[FieldChange, ...]

    def to_json(self) -> JSONObject:
        return {
            "revision": self.revision,
            "created_at": self.created_at.isoformat(),
            "author": self.author,
            "message": self.message,
            "change": str(self.change),
            "definition": self.definition,
            "fields": [field.to_json() for field in self.fields],
        }


@dataclass(frozen=True, slots=True)
class RouteDetail:
    """A route as the latest revision defines it, with its flattened fallback chain."""

    name: str
    revision: int
    config: RouteConfig
    chain: tuple[Target, ...]

    def to_json(self) -> JSONObject:
        return {
            "name": self.name,
            "revision": self.revision,
            "definition": self.config.model_dump(mode="json"),
            "chain": [str(target) for target in self.chain],
        }


class RevisionService:
    """Applies configs to ``store``. Audit events name ``f"{audit_actor}:{author}"`` as actor:
    the channel the change came through (``cli``, ``api``) and who asked for it."""

    def __init__(self, store: Store, clock: Clock, audit_actor: str = "cli") -> None:
        self._store = store
        self._clock = clock
        self._audit_actor = audit_actor

    async def latest_revision(self) -> ConfigRevision | None:
        return await self._store.revisions.latest()

    async def latest(self) -> LoadedConfig | None:
        """The latest applied config, validated again (``None`` before the first apply)."""
        revision = await self._store.revisions.latest()
        if revision is None:
            return None
        return load_document(revision.document, f"revision {revision.number}")

    async def diff_against_latest(self, loaded: LoadedConfig) -> ConfigDiff:
        """What applying ``loaded`` would change (everything is added before the first apply)."""
        revision = await self._store.revisions.latest()
        return diff_documents(revision.document if revision else None, loaded.document)

    async def apply(self, loaded: LoadedConfig, author: str, message: str) -> ApplyResult:
        """Store ``loaded`` as a new revision with a ``config.apply`` audit event, atomically.

        A no-op (``applied=False``) when the latest revision has the same digest.
        """
        latest = await self._store.revisions.latest()
        if latest is not None and latest.digest == loaded.digest:
            note = f"no changes: revision {latest.number} already holds this config"
            return ApplyResult(False, latest, latest.number, ConfigDiff(()), note)
        diff = diff_documents(latest.document if latest else None, loaded.document)
        previous = latest.number if latest else None
        data: JSONObject = {"digest": loaded.digest, "previous": previous}
        data["changes"] = diff.summary()
        revision = await self._add(
            loaded, author, message, "config.apply", "config", data, previous
        )
        note = f"applied revision {revision.number}: {_describe(diff)}"
        return ApplyResult(True, revision, previous, diff, note)

    async def route(self, name: str) -> RouteDetail:
        """The route ``name`` in the latest revision. Raises ``NotFound``."""
        revision = await self._store.revisions.latest()
        if revision is None:
            raise NotFound("no config has been applied yet (run `confiance apply` first)")
        loaded = load_document(revision.document, f"revision {revision.number}")
        if name not in loaded.config.routes:
            known = ", ".join(sorted(loaded.config.routes)) or "none"
            raise NotFound(f"route {name!r} is not in revision {revision.number} (routes: {known})")
        chain = resolve_chain(loaded.config, name)
        return RouteDetail(name, revision.number, loaded.config.routes[name], chain)

    async def route_history(self, route: str) -> list[RouteVersion]:
        """Every revision, oldest first, in which ``route`` was added, changed or removed.
        Raises ``NotFound`` if no revision ever defined it."""
        versions: list[RouteVersion] = []
        before: object = None
        for revision in await self._all_revisions():
            after = _routes(revision.document).get(route)
            change = diff_entry("routes", route, before, after)
            if change is not None:
                versions.append(_version(revision, change.kind, after, change.fields))
            before = after
        if not versions:
            raise NotFound(f"route {route!r} is not defined in any applied revision")
        return versions

    async def preview_rollback(self, route: str, to_revision: int) -> ConfigDiff:
        """What :meth:`rollback_route` would change, without storing anything (same errors)."""
        latest, loaded = await self._rolled_back(route, to_revision)
        return diff_documents(latest.document, loaded.document)

    async def rollback_route(
        self, route: str, to_revision: int, author: str, message: str | None = None
    ) -> ApplyResult:
        """A new revision: the latest document with ``route`` defined as in ``to_revision``.

        Raises ``NotFound`` when the revision does not exist or did not define the route, and
        ``ConfigError`` when the result would be invalid (e.g. a provider it used is gone).
        A no-op (``applied=False``) when the route already matches.
        """
        latest, loaded = await self._rolled_back(route, to_revision)
        if loaded.digest == latest.digest:
            note = (
                f"no changes: route {route!r} in revision {latest.number} already matches "
                f"revision {to_revision}"
            )
            return ApplyResult(False, latest, latest.number, ConfigDiff(()), note)
        diff = diff_documents(latest.document, loaded.document)
        data: JSONObject = {"route": route, "to_revision": to_revision, "digest": loaded.digest}
        data["previous"] = latest.number
        data["fields"] = [change.path for entry in diff.changes for change in entry.fields]
        text = message or f"rollback route {route} to revision {to_revision}"
        subject = f"route:{route}"
        revision = await self._add(
            loaded, author, text, "route.rollback", subject, data, latest.number
        )
        note = f"applied revision {revision.number}: route {route!r} as in revision {to_revision}"
        return ApplyResult(True, revision, latest.number, diff, note)

    async def revision(self, number: int | None = None) -> ConfigRevision:
        """Revision ``number``, or the latest. Raises ``NotFound``."""
        if number is not None:
            return await self._store.revisions.get(number)
        latest = await self._store.revisions.latest()
        if latest is None:
            raise NotFound("no config has been applied yet (run `confiance apply` first)")
        return latest

    async def preview_config_rollback(self, to_revision: int) -> ConfigDiff:
        """What :meth:`rollback_config` would change, without storing anything."""
        target = await self._store.revisions.get(to_revision)
        latest = await self.revision()
        return diff_documents(latest.document, target.document)

    async def rollback_config(
        self, to_revision: int, author: str, message: str | None = None
    ) -> ApplyResult:
        """A new revision holding the whole config of ``to_revision`` (validated again), with a
        ``config.rollback`` audit event. A no-op (``applied=False``) when the latest revision
        already holds it. Raises ``NotFound`` for an unknown revision, ``ConfigError`` when the
        old config is no longer valid."""
        target = await self._store.revisions.get(to_revision)
        latest = await self.revision()
        loaded = load_document(target.document, f"revision {to_revision}")
        if loaded.digest == latest.digest:
            note = f"no changes: revision {latest.number} already holds revision {to_revision}"
            return ApplyResult(False, latest, latest.number, ConfigDiff(()), note)
        diff = diff_documents(latest.document, loaded.document)
        data: JSONObject = {"to_revision": to_revision, "digest": loaded.digest}
        data["previous"] = latest.number
        data["changes"] = diff.summary()
        text = message or f"rollback config to revision {to_revision}"
        revision = await self._add(
            loaded, author, text, "config.rollback", "config", data, latest.number
        )
        note = f"applied revision {revision.number}: the config of revision {to_revision}"
        return ApplyResult(True, revision, latest.number, diff, note)

    async def _rolled_back(
        self, route: str, to_revision: int
    ) -> tuple[ConfigRevision, LoadedConfig]:
        """The latest revision, and its document with ``route`` taken from ``to_revision``."""
        target = await self._store.revisions.get(to_revision)
        definition = _routes(target.document).get(route)
        if definition is None:
            raise NotFound(
                f"route {route!r} did not exist in revision {to_revision} "
                f"(see `confiance routes history {route}` for the revisions that define it)"
            )
        latest = await self._store.revisions.latest()
        if latest is None:
            raise NotFound("no config has been applied yet")
        document = copy.deepcopy(latest.document)
        document.setdefault("routes", {})[route] = copy.deepcopy(definition)
        source = f"rollback of route {route!r} to revision {to_revision}"
        return latest, load_document(document, source)

    async def _add(
        self,
        loaded: LoadedConfig,
        author: str,
        message: str,
        action: str,
        subject: str,
        data: JSONObject,
        previous: int | None,
    ) -> ConfigRevision:
        # The store numbers the revision inside its transaction; the event records the number
        # that follows the revision this change was computed against. Only two applies racing
        # each other could make them differ, and then ``previous`` in the event shows it.
        data = {"revision": (previous or 0) + 1, **data}
        actor = f"{self._audit_actor}:{author}"
        draft = AuditDraft(actor=actor, action=action, subject=subject, data=data)
        return await self._store.revisions.add(
            loaded.document, loaded.digest, author, message, self._clock(), audit=draft
        )

    async def _all_revisions(self) -> list[ConfigRevision]:
        """Every revision, oldest first: one list call, plus single reads for any revisions
        older than the largest page the store returns."""
        count = await self._store.revisions.latest_number()
        if count == 0:
            return []
        newest = await self._store.revisions.list(limit=min(count, MAX_LIMIT))
        oldest_listed = newest[-1].number
        older = [await self._store.revisions.get(n) for n in range(1, oldest_listed)]
        return older + list(reversed(newest))


def _routes(document: JSONObject) -> dict[str, JSONObject]:
    routes = document.get("routes")
    return routes if isinstance(routes, dict) else {}


def _version(
    revision: ConfigRevision, kind: ChangeKind, definition: object, fields: tuple[FieldChange, ...]
) -> RouteVersion:
    return RouteVersion(
        revision=revision.number,
        created_at=revision.created_at,
        author=revision.author,
        message=revision.message,
        change=kind,
        definition=definition if isinstance(definition, dict) else None,
        fields=fields,
    )


def _describe(diff: ConfigDiff) -> str:
    """``added 2 providers, 2 routes; changed 1 settings`` (plain sections count as settings)."""
    if diff.is_empty:
        return "no entries changed"
    parts: list[str] = []
    for kind, sections in diff.summary().items():
        counts: dict[str, int] = {}
        named_first = sorted(sections.items(), key=lambda item: item[0] not in NAMED_SECTIONS)
        for section, names in named_first:
            label = section if section in NAMED_SECTIONS else "settings"
            counts[label] = counts.get(label, 0) + len(names)
        if counts:
            parts.append(f"{kind} " + ", ".join(f"{n} {label}" for label, n in counts.items()))
    return "; ".join(parts)
