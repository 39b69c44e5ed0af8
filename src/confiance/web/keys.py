"""API keys (admin only): list, create (the secret is shown once, on the result page) and revoke
(after a confirmation page). Changes are audited with the channel ``web`` and the signed-in
key as author."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from confiance.domain.keys import Role
from confiance.errors import Conflict, UsageError
from confiance.web.access import checked_form, form_text, state_of, viewer_for
from confiance.web.rendering import url_for
from confiance.web.sessions import FlashLevel, session_of
from confiance.web.viewers import Area, Viewer

__all__ = ["KeyForm", "routes"]

_MAX_ROUTES = 1000


@dataclass(frozen=True, slots=True)
class KeyForm:
    """What the create form holds, kept to show it again next to an error."""

    name: str = ""
    role: str = Role.APP.value
    routes: str = ""
    expires: str = ""

    def parsed(self) -> tuple[Role, list[str], datetime | None]:
        """The role, route names and expiry (UTC). Raises ``UsageError`` naming the field."""
        if self.role not in {role.value for role in Role}:
            raise UsageError(f"role {self.role!r} must be one of: app, admin, reviewer")
        routes = [name for name in self.routes.replace(",", " ").split() if name]
        if len(routes) > _MAX_ROUTES:
            raise UsageError(f"a key may name at most {_MAX_ROUTES} routes")
        expires = None
        if self.expires.strip():
            try:
                expires = datetime.fromisoformat(self.expires.strip())
            except ValueError as error:
                raise UsageError(
                    f"expiry {self.expires!r} is not a date and time such as 2030-01-31T18:00"
                ) from error
            expires = expires.replace(tzinfo=UTC) if expires.tzinfo is None else expires
        return Role(self.role), routes, expires


async def _list_page(
    request: Request, viewer: Viewer, form: KeyForm, error: str | None, status: int = 200
) -> Response:
    state = state_of(request)
    include_revoked = request.query_params.get("revoked") == "1"
    keys = await state.keys.list(include_revoked=include_revoked)
    context = {
        "keys": keys,
        "now": state.services.clock(),
        "include_revoked": include_revoked,
        "form": form,
        "roles": list(Role),
        "error": error,
    }
    return state.renderer.page(
        request, "keys.html", context, viewer=viewer, area=Area.KEYS, status=status
    )


async def list_keys(request: Request) -> Response:
    viewer = await viewer_for(request, Area.KEYS)
    return await _list_page(request, viewer, KeyForm(), None)


async def create_key(request: Request) -> Response:
    viewer = await viewer_for(request, Area.KEYS)
    state = state_of(request)
    form = await checked_form(request)
    values = KeyForm(*(form_text(form, name) for name in ("name", "role", "routes", "expires")))
    try:
        role, routes, expires = values.parsed()
        created = await state.keys.create(
            values.name.strip(), role, routes, expires, author=viewer.author
        )
    except UsageError as error:
        return await _list_page(request, viewer, values, error.message, status=400)
    unknown = await state.keys.unknown_routes(routes)
    context = {"created": created.key, "secret": created.secret, "unknown_routes": unknown}
    return state.renderer.page(
        request, "key_created.html", context, viewer=viewer, area=Area.KEYS, status=201
    )


async def confirm_revoke(request: Request) -> Response:
    viewer = await viewer_for(request, Area.KEYS)
    state = state_of(request)
    key = await state.keys.resolve(request.path_params["key_id"])
    context = {"key": key, "own": key.id == viewer.key_id}
    return state.renderer.page(request, "key_revoke.html", context, viewer=viewer, area=Area.KEYS)


async def revoke_key(request: Request) -> Response:
    viewer = await viewer_for(request, Area.KEYS)
    state = state_of(request)
    await checked_form(request)
    session = session_of(request.scope)
    try:
        key = await state.keys.revoke(request.path_params["key_id"], author=viewer.author)
    except Conflict as error:
        session.flash(FlashLevel.ERROR, error.message)
    else:
        session.flash(FlashLevel.SUCCESS, f"Key {key.name} ({key.prefix}) is revoked.")
    return RedirectResponse(url_for(request, "/keys"), status_code=303)


routes = [
    Route("/keys", list_keys, methods=["GET"], name="keys"),
    Route("/keys", create_key, methods=["POST"], name="key_create"),
    Route("/keys/{key_id}/revoke", confirm_revoke, methods=["GET"], name="key_confirm_revoke"),
    Route("/keys/{key_id}/revoke", revoke_key, methods=["POST"], name="key_revoke"),
]
