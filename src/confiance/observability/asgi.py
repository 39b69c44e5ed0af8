"""Small ASGI helpers shared by the edges mounted in the gateway (management API, web UI)."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope

__all__ = ["BodyTooLarge", "buffer_body", "content_length", "replay"]


def content_length(scope: Scope) -> int | None:
    """The request's declared ``Content-Length``, or None when absent or not a number."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that first hands out ``messages`` (already read), then reads on."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


class BodyTooLarge(Exception):
    """The request body is (or says it is) larger than the limit."""


async def buffer_body(scope: Scope, receive: Receive, limit: int) -> tuple[bytes | None, Receive]:
    """Read the whole request body, refusing more than ``limit`` bytes (``BodyTooLarge``, also
    raised at once when ``Content-Length`` declares more). Returns the body and a ``receive``
    that replays it and then passes through (for disconnect notices); the body is ``None``
    when the client disconnected before sending it all."""
    declared = content_length(scope)
    if declared is not None and declared > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None, replay([message], receive)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, replay([{"type": "http.request", "body": body, "more_body": False}], receive)
