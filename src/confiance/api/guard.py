"""The outer ASGI layer of the management API: body limit and encoding, last-resort errors.

The body is read (at most ``max_body_bytes``) before the application sees it, so an oversized
body is refused with 413 whether or not the client sent ``Content-Length``, and the application
never holds more than the limit in memory. Management bodies are small (the largest is a config
file), so buffering them costs nothing worth streaming for.
"""

from __future__ import annotations

import logging

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from confiance.observability.asgi import BodyTooLarge, buffer_body

__all__ = ["RequestGuard"]

_log = logging.getLogger(__name__)


class _NotUTF8(Exception):
    pass


class RequestGuard:
    """Wraps ``app``: refuses bodies over ``max_body_bytes`` with 413 and bodies that are not
    UTF-8 with 400, and turns an exception that escapes the application before it answered
    into a logged, generic JSON 500."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            replay = await self._read_body(scope, receive)
        except BodyTooLarge:
            await _send_error(send, 413, self._too_large(), "payload_too_large")
            return
        except _NotUTF8 as error:
            await _send_error(send, 400, str(error), "invalid_encoding")
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, replay, tracking_send)
        except Exception:
            if started:
                # Too late for an error answer: let the server cut the connection, so the
                # client sees a broken response rather than a short one that looks whole.
                raise
            # Answered here rather than re-raised: the aiohttp mount would log it again and
            # drop the connection instead of answering.
            _log.exception("management API request failed unexpectedly")
            message = "internal error; the server log has the details"
            await _send_error(send, 500, message, "internal_error")

    def _too_large(self) -> str:
        return (
            f"the request body is larger than {self.max_body_bytes} bytes, the limit of the "
            "management API; send a smaller body"
        )

    async def _read_body(self, scope: Scope, receive: Receive) -> Receive:
        """The whole body (refusing more than the limit) checked as UTF-8, replayed."""
        body, replayed = await buffer_body(scope, receive, self.max_body_bytes)
        if body is not None:
            _check_utf8(body)
        return replayed


def _check_utf8(body: bytes) -> None:
    """Every body this API takes is JSON, which is UTF-8; say where it is not."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _NotUTF8(
            f"the request body is not valid UTF-8 (byte 0x{body[error.start]:02x} at offset "
            f"{error.start}); send JSON encoded as UTF-8"
        ) from error


async def _send_error(send: Send, status: int, message: str, code: str) -> None:
    kind = "invalid_request_error" if status < 500 else "api_error"
    body = orjson.dumps({"error": {"message": message, "type": kind, "code": code}})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
