"""``serve --workers`` supervised, as a real process tree: a worker killed with ``kill -9`` is
logged and replaced while the others keep serving, and ``kill -9`` of the parent leaves no
worker behind (PR_SET_PDEATHSIG, and a parent-pid watchdog)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from confiance.providers.simulated import RunningSimulator
from e2e.test_serve_failsafe import wait_ready
from e2e.test_serve_process import CONFIG, run_cli


def workers_of(parent: int) -> set[int]:
    """The worker processes (multiprocessing ``spawn`` children) of ``parent``."""
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        ppid = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid"))
        if ppid == parent and b"spawn_main" in command:
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = (
        Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}").exists() else "X"
    )
    return state != "Z"


def until(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


@pytest.fixture
def gateway(
    tmp_path: Path, sim: RunningSimulator, unused_port: int
) -> Iterator[tuple[subprocess.Popen[str], str, int, list[str]]]:
    env = {**os.environ, "CONFIANCE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"}
    config = tmp_path / "confiance.yaml"
    config.write_text(CONFIG.format(sim=sim.base_url))
    key = json.loads(run_cli("keys", "create", "--role", "app", "--json", env=env).stdout)["secret"]
    args = ["serve", "-c", str(config), "--port", str(unused_port), "--workers", "2"]
    server = subprocess.Popen(
        [sys.executable, "-m", "confiance", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: list[str] = []
    assert server.stderr is not None
    reader = threading.Thread(target=lambda: log.extend(server.stderr), daemon=True)  # type: ignore[arg-type]
    reader.start()
    try:
        wait_ready(unused_port)
        until(lambda: len(workers_of(server.pid)) == 2, 60, "two workers")
        until(lambda: serving(log) == 2, 90, "both workers serving")
        yield server, key, unused_port, log
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        reader.join(timeout=10)
        server.stderr.close()


def serving(log: list[str]) -> int:
    """How many workers have said they serve (each logs its config revision once ready)."""
    return sum("serving config revision" in line for line in log)


def ask(port: int, key: str) -> int:
    reply = httpx.post(
        f"http://127.0.0.1:{port}/v1/chat/completions",
        json={"model": "chat", "messages": [{"role": "user", "content": "hi"}]},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    return reply.status_code


async def test_a_killed_worker_is_logged_and_replaced(
    gateway: tuple[subprocess.Popen[str], str, int, list[str]],
) -> None:
    # Blocking calls run in threads: the simulated vendor answers on this test's event loop.
    server, key, port, log = gateway
    first = workers_of(server.pid)
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    codes = [await asyncio.to_thread(ask, port, key) for _ in range(20)]
    assert codes == [200] * 20, "the other worker kept serving"
    await asyncio.to_thread(
        until, lambda: len(workers_of(server.pid) - first) == 1, 60, "a new worker"
    )
    assert len(workers_of(server.pid)) == 2
    await asyncio.to_thread(
        until, lambda: any("was killed by SIGKILL" in line for line in log), 10, "logged"
    )
    line = next(line for line in log if "was killed by SIGKILL" in line)
    assert f"(pid {victim})" in line and "restarting it" in line
    await asyncio.to_thread(until, lambda: serving(log) == 3, 90, "the new worker serving")
    assert [await asyncio.to_thread(ask, port, key) for _ in range(10)] == [200] * 10
    server.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(server.wait, 60) == 0


async def test_kill_9_of_the_parent_leaves_no_worker_serving(
    gateway: tuple[subprocess.Popen[str], str, int, list[str]],
) -> None:
    server, key, port, _ = gateway
    workers = workers_of(server.pid)
    assert len(workers) == 2
    assert await asyncio.to_thread(ask, port, key) == 200
    server.kill()
    server.wait(timeout=10)
    await asyncio.to_thread(
        until, lambda: not any(alive(pid) for pid in workers), 30, "every worker gone"
    )
    with pytest.raises(httpx.TransportError):
        await asyncio.to_thread(ask, port, key)
