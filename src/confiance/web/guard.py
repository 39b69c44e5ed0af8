"""The outer ASGI layer of the web UI: security headers, the form body limit, last-resort errors.

Every response gets headers that keep pages from running anything but our own static script
(``Content-Security-Policy``), from being framed (``X-Frame-Options``, ``frame-ancestors``),
from being sniffed as another type, and from leaking URLs to other sites. Pages (not static
files) are ``Cache-Control: no-store``: they show traces, keys and audit data.

A request body is read (at most ``max_body_bytes``) before the application sees it, so an
oversized form is refused with 413 whether or not ``Content-Length`` was sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from confiance.observability.asgi import BodyTooLarge, buffer_body, content_length

__all__ = ["CONTENT_SECURITY_POLICY", "ErrorPage", "WebGuard"]

_log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
_HEADERS = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
)

ErrorPage = Callable[[str, int, str, str], bytes]
"""Renders ``(root_path, status, title, message)`` as a whole HTML page."""


class WebGuard:
    """Wraps ``app`` with the headers, the body limit and a generic 500 page for exceptions
    that escape before the response started."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, error_page: ErrorPage) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self._error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = _route_path(scope).startswith("/static/")
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                _add_headers(message, static)
            await send(message)

        try:
            replay = await self._read_body(scope, receive)
        except BodyTooLarge:
            text = (
                f"The form sent more than {self.max_body_bytes // 1024} KiB, the limit of the "
                "web UI. Shorten what you typed and send it again."
            )
            await self._answer(scope, guarded_send, 413, "Form too large", text)
            return
        try:
            await self.app(scope, replay, guarded_send)
        except Exception:
            if started:
                # Too late for an error page: let the server cut the connection, so the browser
                # sees a broken page rather than a short one that looks whole.
                raise
            _log.exception("web UI request failed unexpectedly")
            text = "Something went wrong on the server; its log has the details."
            await self._answer(scope, guarded_send, 500, "Server error", text)

    async def _read_body(self, scope: Scope, receive: Receive) -> Receive:
        if scope["method"] in ("GET", "HEAD") and not content_length(scope):
            return receive
        _, replayed = await buffer_body(scope, receive, self.max_body_bytes)
        return replayed

    async def _answer(self, scope: Scope, send: Send, status: int, title: str, text: str) -> None:
        body = self._error_page(scope.get("root_path", ""), status, title, text)
        headers = [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(body)).encode("ascii")),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})


def _add_headers(message: Message, static: bool) -> None:
    headers = MutableHeaders(scope=message)
    for name, value in _HEADERS:
        headers[name] = value
    if not static:
        headers["cache-control"] = "no-store"


def _route_path(scope: Scope) -> str:
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path
