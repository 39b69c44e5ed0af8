"""``/revisions`` and ``/config``: the stored config history, and applying a new config."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from confiance.api.changes import ApplyOut, DiffOut
from confiance.api.deps import Admin, State, author_of
from confiance.api.errors import error_responses
from confiance.config.diff import diff_documents
from confiance.config.keyenv import KeyEnvPolicy
from confiance.config.load import LoadedConfig, check_environment, parse_config
from confiance.control import RevisionService
from confiance.domain.revision import ConfigRevision
from confiance.errors import Conflict

__all__ = ["CONFIG_SOURCE", "router"]

router = APIRouter(tags=["revisions"], responses=error_responses(401, 403))

CONFIG_SOURCE = "request.yaml"
"""The file name config problems of ``POST /config`` are located in (``request.yaml:3:5: …``)."""

MAX_PAGE = 100


class RevisionSummary(BaseModel):
    number: int = Field(examples=[3])
    digest: str = Field(description="SHA-256 of the canonical config document.")
    author: str = Field(examples=["key_0f3a9c2e1b7d4a60 (ops-admin)"])
    message: str = Field(examples=["raise the support-bot timeout"])
    created_at: datetime

    @classmethod
    def of(cls, revision: ConfigRevision) -> RevisionSummary:
        return cls(
            number=revision.number,
            digest=revision.digest,
            author=revision.author,
            message=revision.message,
            created_at=revision.created_at,
        )


class RevisionOut(RevisionSummary):
    document: dict[str, Any] = Field(
        description="The whole validated config, every default filled in (secrets are "
        "environment variable names, never values)."
    )

    @classmethod
    def of(cls, revision: ConfigRevision) -> RevisionOut:
        summary = RevisionSummary.of(revision)
        return cls(**summary.model_dump(), document=revision.document)


class RevisionPage(BaseModel):
    revisions: list[RevisionSummary] = Field(description="Newest first.")
    next: int | None = Field(
        description="Pass as `before` to get the next (older) page; null on the last page."
    )


class ConfigIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "yaml": "providers:\n  sim:\n    kind: simulated\n"
                    "    base_url: http://127.0.0.1:9000/v1\n"
                    "routes:\n  support-bot:\n    target: sim/fast\n",
                    "message": "add support-bot",
                    "dry_run": True,
                }
            ]
        },
    )

    yaml: str = Field(description="The whole confiance.yaml, as text.")
    message: str = Field(default="", max_length=1000, description="Why; stored with the revision.")
    dry_run: bool = Field(default=False, description="Validate and diff only; store nothing.")


@router.get("/revisions", summary="List config revisions")
async def list_revisions(
    state: State,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size.")] = 20,
    before: Annotated[
        int | None, Query(ge=1, description="Only revisions numbered below this (the cursor).")
    ] = None,
) -> RevisionPage:
    """Revision summaries, newest first, ``limit`` at a time (documents via ``/revisions/{n}``)."""
    store = state.services.store
    latest = await store.revisions.latest_number()
    top = latest if before is None else min(latest, before - 1)
    # Revisions are numbered 1, 2, 3… without gaps and never deleted, so a page is a range.
    numbers = range(top, max(top - limit, 0), -1)
    page = [RevisionSummary.of(await store.revisions.get(number)) for number in numbers]
    last = numbers[-1] if numbers else None
    return RevisionPage(revisions=page, next=last if last is not None and last > 1 else None)


@router.get("/revisions/{number}", summary="Show one revision", responses=error_responses(404))
async def get_revision(
    number: Annotated[int, Path(ge=1, description="The revision number.")], state: State
) -> RevisionOut:
    """The revision's whole config document, digest, author, message and time."""
    return RevisionOut.of(await state.services.store.revisions.get(number))


@router.post(
    "/config",
    summary="Apply a config (or dry-run it)",
    responses=error_responses(400, 409, 413, 422),
)
async def apply_config(body: ConfigIn, state: State, admin: Admin) -> ApplyOut:
    """Validate the YAML and store it as a new, audited revision; answer the diff.

    A config with problems is refused with 400 and ``error.problems``: each with the line,
    column, key path, what is wrong and what to do. Applying the config the latest revision
    already holds stores nothing (``applied: false``). With ``dry_run`` nothing is stored and
    ``revision`` is the number the apply would get. When a changed route declares
    ``regression`` suites in gate mode, they run first against a candidate gateway; if one
    fails, the change is refused with 409 and nothing is stored.
    """
    key_env = KeyEnvPolicy.of(state.services.settings)
    loaded = parse_config(body.yaml, CONFIG_SOURCE, key_env=key_env)
    warnings = check_environment(loaded.config, os.environ)
    if body.dry_run:
        return await _dry_run(state.services.revisions, loaded, warnings)
    message = body.message or "applied through the management API"
    if state.apply_change is None:
        result = await state.services.revisions.apply(loaded, author_of(admin), message)
        return ApplyOut.of(result, warnings)
    gated, regressions = await state.apply_change(loaded, author_of(admin), message)
    if gated is None:
        failed = ", ".join(r["route"] for r in regressions if not r.get("passed"))
        raise Conflict(
            f"refused: the regression gate failed on route(s) {failed}; nothing was stored "
            "(the outcomes are in the audit log as eval.regression events)"
        )
    return ApplyOut.of(gated, warnings, regressions)


async def _dry_run(
    revisions: RevisionService, loaded: LoadedConfig, warnings: list[str]
) -> ApplyOut:
    """What applying ``loaded`` would do, storing nothing."""
    latest = await revisions.latest_revision()
    diff = diff_documents(latest.document if latest else None, loaded.document)
    unchanged = latest is not None and latest.digest == loaded.digest
    previous = latest.number if latest else None
    number = previous if unchanged else (previous or 0) + 1
    note = "no changes" if unchanged else f"would apply revision {number}"
    return ApplyOut(
        applied=False,
        dry_run=True,
        revision=number,
        previous=previous,
        digest=loaded.digest,
        message=f"dry run: {note}",
        diff=DiffOut.of(diff),
        warnings=warnings,
    )
