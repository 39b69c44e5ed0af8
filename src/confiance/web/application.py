"""The web UI application: Starlette, server-rendered pages, mounted by the gateway at ``/ui``.

    web = create_web(services)
    resource = ASGIResource(web, root_path="/ui")   # pages inside are /, /traces, /evals, ...

Layers, outermost first: :class:`~confiance.web.guard.WebGuard` (security headers, body limit,
last-resort 500 page), :class:`~confiance.web.sessions.SessionMiddleware` (the signed session
cookie), then the routes; errors raised by views become pages here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from confiance.app import Services
from confiance.control.keys import KeyService
from confiance.errors import ConfianceError
from confiance.store.eval_stats import EvalStats
from confiance.store.trace_stats import TraceStats
from confiance.web import audit, compare, evals, keys, login, overview, traces
from confiance.web.access import (
    CsrfRejected,
    Forbidden,
    SignInRequired,
    UnsupportedForm,
    WebState,
    state_of,
)
from confiance.web.assets import StaticAssets
from confiance.web.guard import WebGuard
from confiance.web.rendering import Renderer, url_for
from confiance.web.session_records import SessionRecords
from confiance.web.sessions import SessionCodec, SessionMiddleware, resolve_secret, session_of
from confiance.web.viewers import KeyDirectory

__all__ = ["DEFAULT_MAX_FORM_BYTES", "create_web"]

DEFAULT_MAX_FORM_BYTES = 64 * 1024
"""The largest form body accepted (the biggest form, a new key with its routes, is far less)."""

_CSRF_TEXT = (
    "The form was refused because it did not carry this session's security token. This "
    "happens when a page was opened before you signed in again, or when a form was sent from "
    "another site. Go back, reload the page and try again."
)


def create_web(
    services: Services,
    *,
    secret_key: str | None = None,
    env: Mapping[str, str] | None = None,
    max_body_bytes: int = DEFAULT_MAX_FORM_BYTES,
) -> Starlette:
    """The web UI over ``services`` (which the caller opens and closes).

    Sessions are signed with ``secret_key``, else ``CONFIANCE_SECRET_KEY`` from ``env`` (the
    process environment by default), else a random per-process secret (logged as a warning).
    Raises :class:`~confiance.errors.ConfigError` for a secret shorter than 32 characters.
    """
    secret = secret_key or resolve_secret(os.environ if env is None else env)
    codec = SessionCodec(secret)
    settings = services.settings
    records = SessionRecords(
        services.store.web_sessions,
        services.clock,
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_max_hours),
    )
    renderer = Renderer(codec)
    database = services.store.database
    state = WebState(
        services=services,
        directory=KeyDirectory(services.store, services.clock),
        codec=codec,
        renderer=renderer,
        # Changes made here are audited as coming through the web ("web:<key> (<name>)").
        keys=KeyService(services.store, services.clock, audit_actor="web"),
        traffic=TraceStats(database),
        eval_stats=EvalStats(database),
        sessions=records,
    )
    routes: list[BaseRoute] = [
        *overview.routes,
        *login.routes,
        *traces.routes,
        *evals.routes,
        *compare.routes,
        *audit.routes,
        *keys.routes,
        StaticAssets().route(),
    ]
    middleware = [
        Middleware(
            WebGuard,
            max_body_bytes=max_body_bytes,
            error_page=renderer.error_document,
        ),
        Middleware(
            SessionMiddleware,
            codec=codec,
            clock=services.clock,
            records=records,
            trusted_proxies=settings.trusted_proxies,
        ),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=_HANDLERS)
    app.state.confiance_web = state
    return app


async def _error(request: Request, status: int, title: str, message: str) -> Response:
    """An error page, with the navigation of the signed-in viewer when there is one."""
    state = state_of(request)
    viewer = getattr(request.state, "viewer", None)
    key_id = session_of(request.scope).key_id
    if viewer is None and key_id is not None:
        viewer = await state.directory.active(key_id)
    context = {"status": status, "title": title, "message": message}
    return state.renderer.page(request, "error.html", context, viewer=viewer, status=status)


async def _sign_in(request: Request, exc: Exception) -> Response:
    if request.method == "GET":
        root = request.scope.get("root_path", "")
        path = request.url.path[len(root) :] if request.url.path.startswith(root) else "/"
        query = request.url.query
        target = login.safe_next(path + (f"?{query}" if query else ""))
        location = url_for(request, "/login", next=target if target != "/" else None)
    else:
        location = url_for(request, "/login")
    # confiance: ignore[CF-PY-OPEN-REDIRECT] the target went through login.safe_next()
    return RedirectResponse(location, status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    return await _error(request, 403, "Not for your role", str(exc))


async def _csrf(request: Request, exc: Exception) -> Response:
    return await _error(request, 403, "Form refused", _CSRF_TEXT)


async def _unsupported(request: Request, exc: Exception) -> Response:
    text = "Only HTML forms (application/x-www-form-urlencoded) can be sent to these pages."
    return await _error(request, 415, "Not a form", text)


_TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 409: "Conflict"}


async def _confiance_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConfianceError)
    status = exc.http_status
    title = _TITLES.get(status, "Server error" if status >= 500 else "Request refused")
    message = exc.message[:1].upper() + exc.message[1:]
    return await _error(request, status, title, message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    messages = {
        404: "There is no page at this address.",
        405: "This page does not take that kind of request.",
    }
    text = messages.get(status, exc.detail)
    return await _error(request, status, _TITLES.get(status, "Error"), text)


_HANDLERS = {
    SignInRequired: _sign_in,
    Forbidden: _forbidden,
    CsrfRejected: _csrf,
    UnsupportedForm: _unsupported,
    ConfianceError: _confiance_error,
    HTTPException: _http_error,
}
