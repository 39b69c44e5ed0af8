"""``/routes``: the routes of the latest revision, their history, and rollback."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from confiance.api.changes import ApplyOut, FieldChangeOut
from confiance.api.deps import Admin, State, author_of
from confiance.api.errors import error_responses
from confiance.config.diff import ChangeKind
from confiance.config.load import load_document
from confiance.config.references import resolve_chain
from confiance.config.schema import NAME_PATTERN, RouteConfig
from confiance.control import RouteDetail, RouteVersion

__all__ = ["router"]

router = APIRouter(prefix="/routes", tags=["routes"], responses=error_responses(401, 403))

RouteName = Annotated[
    str, Path(description="The route name applications call.", pattern=NAME_PATTERN)
]


class RouteOut(BaseModel):
    name: str = Field(examples=["support-bot"])
    revision: int = Field(description="The revision this definition comes from.", examples=[3])
    chain: list[str] = Field(
        description="The flattened fallback chain, primary first (routes named as fallbacks "
        "are spliced in).",
        examples=[["openai/gpt-4o-mini", "anthropic/claude-3-5-haiku-latest"]],
    )
    definition: RouteConfig

    @classmethod
    def of(cls, detail: RouteDetail) -> RouteOut:
        chain = [str(target) for target in detail.chain]
        revision = detail.revision
        return cls(name=detail.name, revision=revision, chain=chain, definition=detail.config)


class RouteList(BaseModel):
    revision: int | None = Field(description="The latest revision; null before the first apply.")
    routes: list[RouteOut]


class RouteVersionOut(BaseModel):
    """A revision in which the route was added, changed or removed."""

    revision: int
    created_at: datetime
    author: str
    message: str
    change: ChangeKind
    definition: dict[str, Any] | None = Field(description="Null when the route was removed.")
    fields: list[FieldChangeOut]

    @classmethod
    def of(cls, version: RouteVersion) -> RouteVersionOut:
        return cls(
            revision=version.revision,
            created_at=version.created_at,
            author=version.author,
            message=version.message,
            change=version.change,
            definition=version.definition,
            fields=[FieldChangeOut.of(change) for change in version.fields],
        )


class RouteHistory(BaseModel):
    route: str
    versions: list[RouteVersionOut] = Field(description="Oldest first.")


class RollbackIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"to": 2, "message": "undo bad params"}]}
    )

    to: int = Field(ge=1, description="The revision whose definition of the route to restore.")
    message: str | None = Field(default=None, max_length=1000)


@router.get("", summary="List the routes of the latest revision")
async def list_routes(state: State) -> RouteList:
    """Every route of the latest applied revision, with its resolved fallback chain."""
    revision = await state.services.revisions.latest_revision()
    if revision is None:
        return RouteList(revision=None, routes=[])
    config = load_document(revision.document, f"revision {revision.number}").config
    routes = [
        RouteOut.of(RouteDetail(name, revision.number, route, resolve_chain(config, name)))
        for name, route in sorted(config.routes.items())
    ]
    return RouteList(revision=revision.number, routes=routes)


@router.get("/{name}", summary="Show one route", responses=error_responses(404))
async def get_route(name: RouteName, state: State) -> RouteOut:
    """The route as the latest revision defines it; 404 when it does not."""
    return RouteOut.of(await state.services.revisions.route(name))


@router.get("/{name}/history", summary="A route's history", responses=error_responses(404))
async def route_history(name: RouteName, state: State) -> RouteHistory:
    """Every revision in which the route was added, changed or removed, oldest first."""
    versions = await state.services.revisions.route_history(name)
    return RouteHistory(route=name, versions=[RouteVersionOut.of(v) for v in versions])


@router.post(
    "/{name}/rollback",
    summary="Roll a route back to an earlier revision",
    responses=error_responses(400, 404, 413, 422),
)
async def rollback_route(name: RouteName, body: RollbackIn, state: State, admin: Admin) -> ApplyOut:
    """Store a new revision: the latest config with this route defined as in revision ``to``.

    Other routes keep their latest definitions. A no-op (``applied: false``) when the route
    already matches; 404 when revision ``to`` does not exist or did not define the route; 400
    when the result would be invalid (e.g. a provider the old definition used is gone).
    """
    result = await state.services.revisions.rollback_route(
        name, body.to, author_of(admin), body.message
    )
    return ApplyOut.of(result)
