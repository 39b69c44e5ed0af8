"""Signing in (by pasting an admin or reviewer API key) and out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from confiance.errors import AuthenticationError, PermissionDenied
from confiance.web.access import checked_form, form_text, state_of
from confiance.web.rendering import url_for
from confiance.web.sessions import FlashLevel, session_of

__all__ = ["routes", "safe_next"]

MAX_NEXT_CHARS = 2000


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path inside the UI, never another site.

    Anything that is not a plain absolute path (``//host``, ``https://…``, backslashes,
    control characters) becomes ``/``, so the login form cannot be used as an open redirect.
    """
    if not value or len(value) > MAX_NEXT_CHARS or not value.startswith("/"):
        return "/"
    if value.startswith("//") or "\\" in value or not value.isprintable():
        return "/"
    return value


async def login_page(request: Request) -> Response:
    state = state_of(request)
    session = session_of(request.scope)
    target = safe_next(request.query_params.get("next"))
    if session.key_id is not None and await state.directory.active(session.key_id):
        # confiance: ignore[CF-PY-OPEN-REDIRECT] safe_next() lets only local paths through
        return RedirectResponse(url_for(request, target), status_code=303)
    return state.renderer.page(request, "login.html", {"next": target, "error": None})


async def login(request: Request) -> Response:
    state = state_of(request)
    form = await checked_form(request)
    target = safe_next(form_text(form, "next"))
    session = session_of(request.scope)
    try:
        viewer = await state.directory.sign_in(form_text(form, "key"))
    except (AuthenticationError, PermissionDenied) as error:
        # The pasted secret is never put back into the page.
        context = {"next": target, "error": _sentence(error.message)}
        return state.renderer.page(request, "login.html", context, status=error.http_status)
    if session.key_id is not None:
        await state.sessions.end(session.sid)  # signing in again ends the session it replaces
    session.sign_in(viewer.key_id, state.services.clock())
    await state.sessions.start(session.sid, viewer.key_id)
    session.flash(FlashLevel.SUCCESS, f"Signed in as {viewer.name} ({viewer.role.value}).")
    return RedirectResponse(url_for(request, target), status_code=303)


async def logout(request: Request) -> Response:
    state = state_of(request)
    await checked_form(request)
    session = session_of(request.scope)
    # The record goes first: from now on this session id is refused on every worker, so a
    # copy of the cookie kept from before is worth nothing.
    await state.sessions.end(session.sid)
    session.sign_out(state.services.clock())
    session.flash(FlashLevel.INFO, "You are signed out.")
    return RedirectResponse(url_for(request, "/login"), status_code=303)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


routes = [
    Route("/login", login_page, methods=["GET"], name="login_page"),
    Route("/login", login, methods=["POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
]
