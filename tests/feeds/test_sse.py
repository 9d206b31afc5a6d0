"""The SSE decoder (bounded, chunk by chunk) and framing, and the reconnection backoff."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.net.backoff import Backoff
from feeds.net.sse import ServerSentEvent, SSEDecoder, frame


def decode(*chunks: bytes, limit: int = 1000) -> list[ServerSentEvent]:
    decoder = SSEDecoder(limit)
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    decoder.close()
    return events


def test_fields_comments_and_line_ends() -> None:
    stream = (
        b": keep-alive\n\n"
        b'id: 7\r\nevent: update\r\ndata: {"a":\r\ndata: 1}\r\n\r\n'
        b"retry: 500\rdata: x\r\r"
        b"data:no space\n\n"
    )
    first, second, third = decode(stream)
    assert first == ServerSentEvent(event="update", data='{"a":\n1}', id="7")
    assert second == ServerSentEvent(data="x", retry_ms=500)
    assert third.data == "no space"


@given(st.integers(min_value=1, max_value=40))
def test_any_chunking_gives_the_same_events(size: int) -> None:
    stream = frame('{"x": 1}', event="telemetry", id=3) + b"\r\n" + frame("two\nlines", id=4)
    chunks = [stream[i : i + size] for i in range(0, len(stream), size)]
    assert decode(*chunks) == decode(stream)
    assert [e.data for e in decode(stream)] == ['{"x": 1}', "two\nlines"]


def test_the_last_event_id_is_kept_across_events() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"id: 41\ndata: a\n\ndata: b\n\n")
    assert decoder.last_event_id == "41"


def test_an_unterminated_event_is_discarded() -> None:
    """A stream cut in the middle of an event must not deliver half of it."""
    decoder = SSEDecoder()
    assert decoder.feed(b'id: 9\ndata: {"truncated') == []
    decoder.close()
    assert decoder.feed(b"data: next\n\n") == [ServerSentEvent(data="next")]


def test_an_over_long_line_is_dropped_as_it_comes() -> None:
    decoder = SSEDecoder(max_event_bytes=100)
    events = decoder.feed(b"data: " + b"x" * 60)
    events += decoder.feed(b"x" * 1000)  # Over the bound: never buffered.
    assert len(decoder._buffer) == 0
    events += decoder.feed(b"y" * 1000 + b"\n\nid: 2\ndata: ok\n\n")
    oversized, ok = events
    assert oversized.data == ""
    assert oversized.oversized > 2000
    assert ok == ServerSentEvent(data="ok", id="2")


def test_many_data_lines_over_the_bound() -> None:
    (event,) = decode(b"data: 12345\n" * 30 + b"\n", limit=100)
    assert event.oversized > 100
    assert event.data == ""


def test_frame_writes_one_event() -> None:
    assert frame("{}", event="end", id=12) == b"id: 12\nevent: end\ndata: {}\n\n"
    assert frame(b"a\r\nb") == b"data: a\ndata: b\n\n"


@given(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=2**31))
def test_backoff_grows_and_never_passes_its_bound(attempt: int, seed: int) -> None:
    backoff = Backoff(0.5, 30.0, random.Random(seed))
    delay = backoff.delay(attempt)
    base = min(30.0, 0.5 * 2 ** (attempt - 1))
    assert base / 2 <= delay <= base <= 30.0


@pytest.mark.parametrize("attempt", [1_025, 10**6])
def test_backoff_holds_after_hours_of_failures(attempt: int) -> None:
    """~8 h of failures in a row at a 30 s maximum: the wait stays at its bound (2^n was
    once an OverflowError that ended the feed loop)."""
    delay = Backoff(0.5, 30.0, random.Random(1)).delay(attempt)
    assert 15.0 <= delay <= 30.0
