"""Response models for config changes: a diff, and what an apply or rollback did."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from confiance.config.diff import ChangeKind, ConfigDiff, FieldChange
from confiance.control import ApplyResult

__all__ = ["ApplyOut", "DiffOut", "EntryChangeOut", "FieldChangeOut"]


class FieldChangeOut(BaseModel):
    """One leaf value; ``old`` is null when the field is new, ``new`` when it is gone."""

    path: str = Field(examples=["params.temperature"])
    old: Any = Field(examples=[0.2])
    new: Any = Field(examples=[0.7])

    @classmethod
    def of(cls, change: FieldChange) -> FieldChangeOut:
        return cls(path=change.path, old=change.old, new=change.new)


class EntryChangeOut(BaseModel):
    """One named entry of a section (``routes`` / ``support-bot``), or a whole plain section."""

    section: str = Field(examples=["routes"])
    name: str = Field(examples=["support-bot"])
    kind: ChangeKind
    fields: list[FieldChangeOut]


class DiffOut(BaseModel):
    changed: bool
    summary: dict[str, dict[str, list[str]]] = Field(
        description="Names of the entries added, removed and changed, by section.",
        examples=[{"added": {}, "removed": {}, "changed": {"routes": ["support-bot"]}}],
    )
    changes: list[EntryChangeOut]

    @classmethod
    def of(cls, diff: ConfigDiff) -> DiffOut:
        changes = [
            EntryChangeOut(
                section=entry.section,
                name=entry.name,
                kind=entry.kind,
                fields=[FieldChangeOut.of(change) for change in entry.fields],
            )
            for entry in diff.changes
        ]
        return cls(changed=not diff.is_empty, summary=diff.summary(), changes=changes)


class ApplyOut(BaseModel):
    """What an apply, a dry run or a rollback did (or would do)."""

    applied: bool = Field(description="False for a dry run and for a no-op.")
    dry_run: bool = False
    revision: int | None = Field(
        description="The new revision; for a no-op the latest one, which already holds this "
        "config; for a dry run the number the apply would get.",
        examples=[4],
    )
    previous: int | None = Field(description="The latest revision before the change.")
    digest: str = Field(description="SHA-256 of the canonical config document.")
    message: str = Field(examples=["applied revision 4: 1 changed"])
    diff: DiffOut
    warnings: list[str] = Field(
        default_factory=list,
        description="Things that do not block the change but will matter, e.g. an unset "
        "api_key_env variable where this server runs.",
    )

    regressions: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Outcomes of the regression suites the change ran (routes with "
        "regression on config_change).",
    )

    @classmethod
    def of(
        cls,
        result: ApplyResult,
        warnings: list[str] | None = None,
        regressions: list[dict[str, Any]] | None = None,
    ) -> ApplyOut:
        return cls(
            applied=result.applied,
            revision=result.revision.number,
            previous=result.previous,
            digest=result.revision.digest,
            message=result.message,
            diff=DiffOut.of(result.diff),
            warnings=warnings or [],
            regressions=regressions or [],
        )
