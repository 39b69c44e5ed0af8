"""The SSE decoder: framing, line endings, pieces split anywhere, and garbage detection."""

from __future__ import annotations

import pytest

from confiance.providers.sse import SSEDecoder, SSEEvent, SSEFormatError, format_event

STREAM = (
    b": keep-alive comment\n\n"
    b'event: message_start\ndata: {"a": 1}\n\n'
    b"data: first line\ndata: second line\n\n"
    b"id: 7\nretry: 100\ndata:no-space\n\n"
    b"data: [DONE]\n\n"
)
EXPECTED = [
    SSEEvent("message_start", b'{"a": 1}'),
    SSEEvent("message", b"first line\nsecond line"),
    SSEEvent("message", b"no-space"),
    SSEEvent("message", b"[DONE]"),
]


def test_whole_stream_decodes_in_order() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(STREAM) == EXPECTED
    assert decoder.close() == []


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 13])
def test_pieces_split_anywhere_give_the_same_events(size: int) -> None:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for start in range(0, len(STREAM), size):
        events.extend(decoder.feed(STREAM[start : start + size]))
    assert events == EXPECTED


@pytest.mark.parametrize("size", [1, 2, 4, 1000])
def test_crlf_and_cr_line_endings(size: int) -> None:
    crlf = STREAM.replace(b"\n", b"\r\n")
    cr = STREAM.replace(b"\n", b"\r")
    for stream in (crlf, cr):
        decoder = SSEDecoder()
        events: list[SSEEvent] = []
        for start in range(0, len(stream), size):
            events.extend(decoder.feed(stream[start : start + size]))
        events.extend(decoder.close())
        assert events == EXPECTED


def test_last_event_without_blank_line_is_flushed_on_close() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: 1\n\ndata: 2\n") == [SSEEvent("message", b"1")]
    assert decoder.close() == [SSEEvent("message", b"2")]


@pytest.mark.parametrize(
    "garbage",
    [b'{"id": "chatcmpl-1", "choices": []}\n\n', b"<html>Bad gateway</html>\n\n", b"hello\n\n"],
)
def test_non_sse_lines_are_rejected_with_a_preview(garbage: bytes) -> None:
    with pytest.raises(SSEFormatError, match="not a server-sent event line"):
        SSEDecoder().feed(garbage)


def test_format_event_round_trips() -> None:
    encoded = format_event(b'{"x":1}', "ping") + format_event(b"[DONE]")
    assert SSEDecoder().feed(encoded) == [
        SSEEvent("ping", b'{"x":1}'),
        SSEEvent("message", b"[DONE]"),
    ]
