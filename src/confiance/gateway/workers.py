"""``serve --workers N``: N processes accepting from one listening socket, supervised.

The parent binds the socket (see :mod:`.listener`), starts the workers with the ``spawn`` method
and passes each the socket. It then watches them: a worker that dies (crash, ``kill -9``, out of
memory) is logged with how it ended and restarted, after a back-off that grows while workers keep
dying young (0.5 s doubling to 30 s), so a broken deployment does not spin. SIGTERM or SIGINT to
the parent stops every worker gracefully and waits for them.

Workers never outlive the parent: on Linux each asks the kernel for SIGTERM when the parent dies
(``PR_SET_PDEATHSIG``), and on every system each checks once a second that its parent is still
the process that started it; either way it then shuts down gracefully, as on SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess

from confiance.settings import Settings

__all__ = ["Supervisor", "describe_exit", "die_with_parent", "watch_parent"]

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_YOUNG = 10.0  # a worker that dies sooner than this after starting makes the back-off grow
_FIRST_BACKOFF, _MOST_BACKOFF = 0.5, 30.0
_WATCH_PARENT_EVERY = 1.0


def describe_exit(code: int | None) -> str:
    """How a process ended, for the log: ``exited with code 3`` or ``was killed by SIGKILL``."""
    if code is None:
        return "is still running"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name}"
        return f"was killed by signal {-code}"
    return f"exited with code {code}"


@dataclass
class _Slot:
    index: int
    process: BaseProcess | None = None
    started: float = 0.0
    backoff: float = _FIRST_BACKOFF
    restart_at: float | None = None
    restarts: int = field(default=0)


class Supervisor:
    """Starts ``count`` workers serving ``sock`` and keeps them running until told to stop."""

    def __init__(
        self,
        settings: Settings,
        sock: socket.socket,
        count: int,
        serve: Callable[[Settings, socket.socket, int], None],
    ) -> None:
        self._settings = settings
        self._sock = sock
        self._serve = serve
        self._context = multiprocessing.get_context("spawn")
        self._slots = [_Slot(i) for i in range(count)]
        self._stopping = False

    def run(self) -> None:
        """Blocking: start the workers, restart the ones that die, return once all have stopped
        after SIGTERM or SIGINT."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for slot in self._slots:
            self._start(slot)
        while True:
            running = [s for s in self._slots if s.process is not None]
            if self._stopping and not running:
                return
            sentinels = [s.process.sentinel for s in running if s.process is not None]
            wait(sentinels, timeout=self._next_wakeup())
            for slot in running:
                if slot.process is not None and not slot.process.is_alive():
                    self._reap(slot)
            self._restart_due()

    def pids(self) -> list[int]:
        return [s.process.pid for s in self._slots if s.process and s.process.pid]

    def _start(self, slot: _Slot) -> None:
        process = self._context.Process(
            target=self._serve,
            args=(self._settings, self._sock, os.getpid()),
            name=f"confiance-worker-{slot.index}",
        )
        process.start()
        slot.process, slot.started, slot.restart_at = process, time.monotonic(), None
        log.info("worker %d started (pid %s)", slot.index, process.pid)

    def _reap(self, slot: _Slot) -> None:
        process = slot.process
        assert process is not None
        process.join()
        slot.process = None
        how = describe_exit(process.exitcode)
        if self._stopping:
            log.info("worker %d (pid %s) %s", slot.index, process.pid, how)
            return
        lived = time.monotonic() - slot.started
        slot.backoff = min(slot.backoff * 2, _MOST_BACKOFF) if lived < _YOUNG else _FIRST_BACKOFF
        delay = slot.backoff if lived < _YOUNG else 0.0
        slot.restarts += 1
        slot.restart_at = time.monotonic() + delay
        log.error(
            "worker %d (pid %s) %s after %.1f s; restarting it in %.1f s (restart %d)",
            slot.index, process.pid, how, lived, delay, slot.restarts,
        )  # fmt: skip

    def _restart_due(self) -> None:
        now = time.monotonic()
        for slot in self._slots:
            due = slot.restart_at is not None and slot.restart_at <= now
            if due and slot.process is None and not self._stopping:
                self._start(slot)

    def _next_wakeup(self) -> float:
        pending = [s.restart_at for s in self._slots if s.restart_at is not None]
        return max(0.0, min(pending) - time.monotonic()) if pending else 1.0

    def _stop(self, signum: int, _frame: object) -> None:
        self._stopping = True
        for slot in self._slots:
            slot.restart_at = None
            if slot.process is not None and slot.process.is_alive():
                slot.process.terminate()


def die_with_parent(parent: int) -> None:
    """In a worker: have the kernel send SIGTERM when the parent dies (Linux), and exit at once
    if it already has (it died before the request took effect)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            log.warning(
                "PR_SET_PDEATHSIG failed (errno %d): relying on the watchdog", ctypes.get_errno()
            )
    if os.getppid() != parent:
        raise SystemExit(0)


async def watch_parent(parent: int, stop: asyncio.Event) -> None:
    """In a worker: set ``stop`` (a graceful shutdown) once ``parent`` is no longer the
    parent process, wherever PR_SET_PDEATHSIG does not exist or did not fire."""
    while not stop.is_set():
        await asyncio.sleep(_WATCH_PARENT_EVERY)
        if os.getppid() != parent:
            log.error("the parent process (pid %d) is gone: shutting down", parent)
            stop.set()
