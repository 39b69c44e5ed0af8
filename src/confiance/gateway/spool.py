"""The trace spool: a local write-ahead log of traces not yet committed to the store.

Every trace handed to the sink is appended to the spool file of this process (one JSON line per
trace) within the same event-loop turn, so it survives the process being killed; the sink deletes
a spool file once every trace in it is committed. Each process holds an exclusive ``flock`` on
its own files, so at start a process recovers exactly the files whose owner died (a crash, a
``kill -9``), and several workers can share one spool directory.

A file holds segments of the sink's work: the current one is rotated once it passes
``segment_bytes``, and a rotated one is removed when its last trace is committed.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson

from confiance.domain.trace import Attempt, Trace, TraceStatus
from confiance.settings import Settings
from confiance.store.urls import parse_database_url

__all__ = ["CORRECTION", "Segment", "TraceSpool", "decode", "encode", "spool_directory"]

log = logging.getLogger(__name__)

SEGMENT_BYTES = 16 * 1024 * 1024
CORRECTION = b"R"
"""Prefix of a line that replaces a stored trace (the answer changed after it was queued)."""


def spool_directory(settings: Settings) -> Path | None:
    """Where this database's spool lives: ``CONFIANCE_TRACE_SPOOL`` (or ``confiance-spool``
    beside a SQLite file, in the working directory otherwise), in a subdirectory named after
    the database, so a spool is only ever replayed into the store it was written for. None
    for ``CONFIANCE_TRACE_SPOOL=off``: traces only in memory until written (kill -9 loses the
    queue; the behaviour before the spool, kept for measuring it)."""
    if settings.trace_spool == "off":
        return None
    url = parse_database_url(settings.database_url)
    database = url.url.database
    if settings.trace_spool:
        root = Path(settings.trace_spool)
    elif url.dialect == "sqlite" and database:
        root = Path(database).resolve().parent / "confiance-spool"
    else:
        root = Path("confiance-spool").resolve()
    digest = hashlib.sha256(url.url.render_as_string(hide_password=True).encode()).hexdigest()
    return root / digest[:16]


def encode(trace: Trace) -> bytes:
    """One spool line; raises ``TypeError`` for a trace orjson cannot encode."""
    return orjson.dumps(trace) + b"\n"


def decode(line: bytes) -> Trace:
    """The trace of one spool line; raises ``ValueError`` (or ``TypeError``) for a bad line."""
    values = orjson.loads(line)
    values["started_at"] = datetime.fromisoformat(values["started_at"])
    values["status"] = TraceStatus(values["status"])
    values["attempts"] = [Attempt(**attempt) for attempt in values["attempts"]]
    return Trace(**values)


@dataclass(eq=False)
class Segment:
    """One spool file and how many of its traces are not committed yet."""

    path: Path
    fd: int
    pending: int = 0
    size: int = 0
    sealed: bool = False
    recovered: list[tuple[Trace, bool]] = field(default_factory=list)
    """Traces read back from a dead process's file, each with whether it is a correction."""

    def remove(self) -> None:
        if self.fd < 0:
            return
        self.path.unlink(missing_ok=True)  # before the flock goes: nobody recovers it meanwhile
        os.close(self.fd)
        self.fd = -1


class TraceSpool:
    """This process's spool files in ``directory`` (created when missing)."""

    def __init__(self, directory: Path, *, segment_bytes: int = SEGMENT_BYTES) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._segment_bytes = segment_bytes
        self._serial = 0
        self._prefix = f"traces-{os.getpid()}-{os.urandom(4).hex()}"
        self.current = self._open_segment()

    def _open_segment(self) -> Segment:
        self._serial += 1
        path = self.directory / f"{self._prefix}-{self._serial}.jsonl"
        # Locked under a name recovery does not look at, then renamed: a file recovery can see
        # is always locked while its owner lives.
        hidden = path.with_name(f".{path.name}.new")
        fd = os.open(hidden, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        hidden.rename(path)
        return Segment(path, fd)

    def write(self, data: bytes, count: int) -> Segment:
        """Append ``count`` encoded traces; returns the segment they went to."""
        segment = self.current
        os.write(segment.fd, data)
        segment.size += len(data)
        segment.pending += count
        if segment.size >= self._segment_bytes:
            segment.sealed = True
            self.current = self._open_segment()
        return segment

    def committed(self, segment: Segment, count: int = 1) -> None:
        """``count`` traces of ``segment`` are in the store; forget the file when it is done."""
        segment.pending -= count
        if segment.pending > 0:
            return
        if segment.sealed:
            segment.remove()
        elif segment.size:
            # The live file is emptied whenever it has nothing left to replay.
            os.ftruncate(segment.fd, 0)
            segment.size = 0

    def recover(self) -> list[Segment]:
        """The spool files whose owner is gone, locked by this process, with their traces
        (the last line of a trace id wins; a torn last line is skipped)."""
        found: list[Segment] = []
        for path in sorted(self.directory.glob("traces-*.jsonl")):
            if path.name.startswith(self._prefix):
                continue
            try:
                fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
            except FileNotFoundError:  # its owner finished and removed it just now
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # alive: another worker's
                os.close(fd)
                continue
            segment = Segment(path, fd, sealed=True, recovered=_read(path))
            segment.pending = len(segment.recovered)
            found.append(segment)
        return found

    def close(self) -> None:
        """At a clean stop, once everything is committed: remove this process's files. (The
        directory stays: another worker may be creating its file in it right now.)"""
        self.current.remove()


def _read(path: Path) -> list[tuple[Trace, bool]]:
    traces: dict[str, tuple[Trace, bool]] = {}
    for number, line in enumerate(path.read_bytes().splitlines(), 1):
        if not line.strip():
            continue
        correction = line.startswith(CORRECTION)
        try:
            trace = decode(line[len(CORRECTION) :] if correction else line)
        except (ValueError, TypeError, KeyError) as error:
            log.warning("trace spool %s line %d unreadable, skipped: %s", path.name, number, error)
            continue
        earlier = traces.get(trace.id)
        traces[trace.id] = (trace, correction or (earlier is not None and earlier[1]))
    return list(traces.values())
