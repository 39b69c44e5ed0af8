"""Server-sent events: an incremental decoder and the protocol stream translators follow.

Vendors stream as ``text/event-stream``: blocks of ``field: value`` lines separated by a blank
line. :class:`SSEDecoder` turns bytes, fed in whatever pieces the network delivers, into
:class:`SSEEvent` records. It is strict on purpose: a line that is neither a comment nor one of
the four standard fields means the upstream is not speaking SSE (an HTML error page, a JSON body
where a stream was asked for), and the decoder raises :class:`SSEFormatError` so the adapter can
report a protocol error instead of silently yielding nothing.

A :class:`ChunkTranslator` turns one vendor's events into OpenAI ``chat.completion.chunk``
objects; the adapters' shared stream driver (:mod:`confiance.providers.http`) runs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

from confiance.domain.types import JSONObject

__all__ = [
    "ChunkTranslator",
    "SSEDecoder",
    "SSEEvent",
    "SSEFormatError",
    "VendorStreamError",
    "format_event",
]

_FIELDS = frozenset({b"data", b"event", b"id", b"retry"})
_MAX_PENDING = 16 * 1024 * 1024  # one event bigger than this is not a sane stream


class SSEFormatError(ValueError):
    """The bytes are not a server-sent event stream, or an event's data is not what the vendor's
    format promises."""


class VendorStreamError(Exception):
    """The vendor reported an error inside an otherwise well-formed stream.

    ``status`` is the HTTP status the error stands for (a mid-stream overload is 529 at Anthropic,
    a rate limit 429), so the gateway can treat it like the same error before the stream began.
    """

    def __init__(self, status: int, message: str, body: bytes = b"") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.body = body


class SSEEvent(NamedTuple):
    """One dispatched event (a tuple: one is made per event, on the hot path). ``event`` is
    ``"message"`` when the block named none; ``data`` is the ``data:`` lines joined with ``\\n``
    (raw bytes: the JSON parser takes them as they are)."""

    event: str
    data: bytes


class SSEDecoder:
    """Incremental SSE decoder. Feed bytes as they arrive; call :meth:`close` at end of stream."""

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, data: bytes) -> list[SSEEvent]:
        """Returns the events completed by ``data`` (often none, often several).

        Raises :class:`SSEFormatError` on a line that is not SSE.
        """
        buffer = self._buffer + data if self._buffer else data
        if b"\r" in buffer:
            buffer = _normalise_newlines(buffer)
        events: list[SSEEvent] = []
        start = 0
        while True:
            end = buffer.find(b"\n\n", start)
            if end < 0:
                break
            event = _parse_block(buffer[start:end])
            if event is not None:
                events.append(event)
            start = end + 2
        self._buffer = buffer[start:]
        if len(self._buffer) > _MAX_PENDING:
            raise SSEFormatError(f"an event grew past {_MAX_PENDING} bytes without ending")
        return events

    def close(self) -> list[SSEEvent]:
        """Flushes a last event that the stream ended without a blank line after."""
        rest = _normalise_newlines(self._buffer, final=True)
        self._buffer = b""
        events = [e for block in rest.split(b"\n\n") if (e := _parse_block(block.strip(b"\n")))]
        return events


def _normalise_newlines(buffer: bytes, *, final: bool = False) -> bytes:
    # A trailing CR may be the first half of a CRLF split across two reads: hold it back until
    # the next read (or the end of the stream) says which it is.
    tail = b""
    if buffer.endswith(b"\r") and not final:
        buffer, tail = buffer[:-1], b"\r"
    return buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n") + tail


def _parse_block(block: bytes) -> SSEEvent | None:
    """One block of lines → an event, or None for a block of comments / no data."""
    if block[:6] == b"data: " and b"\n" not in block:  # the usual one-line event
        return SSEEvent("message", block[6:])
    event = "message"
    data: list[bytes] = []
    for line in block.split(b"\n"):
        if not line or line[0] == 0x3A:  # blank or ":" comment (keep-alives)
            continue
        name, sep, value = line.partition(b":")
        if name not in _FIELDS:
            raise SSEFormatError(f"not a server-sent event line: {_preview(line)}")
        if sep and value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            data.append(value)
        elif name == b"event":
            event = value.decode("utf-8", "replace")
    if not data:
        return None
    return SSEEvent(event=event, data=data[0] if len(data) == 1 else b"\n".join(data))


def _preview(line: bytes, limit: int = 120) -> str:
    text = line[:limit].decode("utf-8", "replace")
    return repr(text + ("…" if len(line) > limit else ""))


def format_event(data: bytes, event: str | None = None) -> bytes:
    """Encodes one event (the gateway side writes streams with this)."""
    head = b"event: " + event.encode() + b"\n" if event else b""
    return head + b"data: " + data + b"\n\n"


class ChunkTranslator(Protocol):
    """Turns one vendor's stream events into OpenAI chunks.

    ``feed`` returns the chunks the event makes (often one, sometimes none). A translator made to
    relay (:class:`~confiance.providers.openai.OpenAIChunkReader` with ``raw``) may return an
    event's data as ``bytes`` instead of a parsed chunk: an OpenAI event that nothing downstream
    needs to read. ``feed`` raises :class:`SSEFormatError` on data that breaks the vendor's
    format and :class:`VendorStreamError` when the vendor reports an error in the stream. ``done``
    turns true on the vendor's terminal event (the driver then stops reading). ``finish`` is
    called once, after the terminal event or at the end of the body, and returns closing chunks;
    it raises
    :class:`SSEFormatError` when the stream ended before the vendor said it was complete.
    """

    @property
    def done(self) -> bool: ...

    def feed(self, event: SSEEvent) -> Sequence[JSONObject | bytes]: ...

    def finish(self) -> Sequence[JSONObject]: ...
