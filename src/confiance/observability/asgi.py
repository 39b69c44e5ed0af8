"""Small ASGI helpers shared by the edges mounted in the gateway (management API, web UI)."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope

__all__ = ["content_length", "replay"]


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
