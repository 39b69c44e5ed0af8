"""What every view needs from a request: the shared state, the signed-in viewer, checked forms.

Views call :func:`viewer_for` first (which signs out a session whose key was revoked or
expired) and, for a POST, :func:`checked_form`, which refuses a form without the session's CSRF
token. The exceptions raised here become pages in :mod:`confiance.web.application`.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.requests import Request

from confiance.app import Services
from confiance.control.keys import KeyService
from confiance.store.eval_stats import EvalStats
from confiance.store.trace_stats import TraceStats
from confiance.web.rendering import Renderer
from confiance.web.session_records import SessionRecords
from confiance.web.sessions import FlashLevel, SessionCodec, session_of
from confiance.web.viewers import Area, KeyDirectory, Viewer

__all__ = [
    "CsrfRejected",
    "Forbidden",
    "SignInRequired",
    "UnsupportedForm",
    "WebState",
    "checked_form",
    "form_text",
    "state_of",
    "viewer_for",
]

MAX_FORM_FIELDS = 50


class SignInRequired(Exception):
    """No signed-in session: the browser is sent to the login page."""


class Forbidden(Exception):
    """The viewer's role does not reach this page or action."""


class CsrfRejected(Exception):
    """A POST without the session's CSRF token, or with a wrong one."""


class UnsupportedForm(Exception):
    """A POST body that is not an HTML form (``application/x-www-form-urlencoded``)."""


@dataclass(frozen=True, slots=True)
class WebState:
    """Held on ``app.state.confiance_web`` by :func:`confiance.web.create_web`."""

    services: Services
    directory: KeyDirectory
    codec: SessionCodec
    renderer: Renderer
    keys: KeyService
    traffic: TraceStats
    eval_stats: EvalStats
    sessions: SessionRecords


def state_of(request: Request) -> WebState:
    state: WebState = request.app.state.confiance_web
    return state


async def viewer_for(request: Request, area: Area) -> Viewer:
    """The signed-in viewer, if their role reaches ``area``.

    Raises :class:`SignInRequired` without a session or when the session's key is no longer
    active (the session is then signed out, with a flash saying why), and :class:`Forbidden`.
    """
    state = state_of(request)
    session = session_of(request.scope)
    if session.key_id is None:
        raise SignInRequired
    viewer = await state.directory.active(session.key_id)
    if viewer is None:
        await state.sessions.end(session.sid)
        session.sign_out(state.services.clock())
        session.flash(
            FlashLevel.INFO,
            "You were signed out: the key you signed in with was revoked or has expired.",
        )
        raise SignInRequired
    # Error pages raised later in the view show the navigation this viewer may use.
    request.state.viewer = viewer
    if not viewer.may_see(area):
        raise Forbidden(
            f"Your key has role {viewer.role.value!r}; this page is for admin keys only."
        )
    return viewer


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matched the session's.

    Raises :class:`UnsupportedForm` for another content type and :class:`CsrfRejected`.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    elif not await request.body():
        form = FormData()  # an empty POST: no token, refused below like any other
    else:
        raise UnsupportedForm
    token = form.get("csrf_token")
    session = session_of(request.scope)
    if not state_of(request).codec.csrf_valid(session, token if isinstance(token, str) else None):
        raise CsrfRejected
    return form


def form_text(form: FormData, name: str) -> str:
    """A text field of ``form``, ``""`` when absent."""
    value = form.get(name)
    return value if isinstance(value, str) else ""
