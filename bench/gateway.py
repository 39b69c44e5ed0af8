"""Gateway benchmark: the same load direct to the simulated vendor and through one gateway worker.

    python bench/gateway.py [--duration 10] [--connections 64]

Needs ``wrk`` (Debian: ``apt-get install wrk``). Starts the simulator and one gateway worker as
separate processes on loopback (SQLite store in a temporary directory, every trace stored), then:

1. throughput: non-streaming chat at N connections, direct vs through the gateway
   (requests/s, p50/p99, errors), and the gateway's peak memory;
2. added latency: the upstream answering in 50 ms, p50 direct vs through the gateway, at one
   connection (the gateway's own cost) and at 16 (plus CPU contention on two cores);
3. streaming: time to first token, direct vs through the gateway;
4. trace check: every request answered through the gateway has its trace in the store.

Targets (issue 2): >= 2,000 requests/s with zero errors; <= 2 ms added at p50 with a 50 ms
upstream; <= 2 ms added to time to first token.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
BODY = (
    '{"model": "%s", "messages": [{"role": "user", "content": "Say hello to the benchmark."}],'
    ' "max_tokens": 16}'
)


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), 0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, model: str, key: str | None, connections: int, duration: int) -> WrkResult:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    headers = 'wrk.headers["Content-Type"] = "application/json"\n'
    if key:
        headers += f'wrk.headers["Authorization"] = "Bearer {key}"\n'
    script.write_text(f'wrk.method = "POST"\nwrk.body = [[{BODY % model}]]\n{headers}')
    threads = min(2, connections)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    script.unlink()
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))

    def parse(text: str) -> float:
        match = re.match(r"([\d.]+)(\w+)", text)
        assert match, text
        return _ms(match.group(1), match.group(2))

    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return WrkResult(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        p50_ms=parse(latency["50"]),
        p99_ms=parse(latency["99"]),
        requests=int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        errors=errors,
    )


async def ttft(url: str, model: str, key: str | None, count: int) -> float:
    """Median seconds to the first streamed content byte, sequential requests."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    body = {"model": model, "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    samples = []
    async with aiohttp.ClientSession() as session:
        for _ in range(count):
            start = time.perf_counter()
            async with session.post(url, json=body, headers=headers) as response:
                assert response.status == 200, await response.text()
                async for line in response.content:
                    if line.startswith(b"data: {"):
                        samples.append(time.perf_counter() - start)
                        break
                await response.read()
    return statistics.median(samples) * 1000


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")


def setup_store(db_url: str, sim_url: str) -> tuple[str, Path]:
    config = Path(tempfile.mkdtemp()) / "confiance.yaml"
    config.write_text(
        f"""version: 1
providers:
  sim: {{kind: simulated, base_url: "{sim_url}/v1", max_connections: 512}}
routes:
  bench: {{target: sim/bench-model}}
  slow: {{target: "sim/bench-model+latency-50ms"}}
server: {{trace_batch_size: 1000}}
"""
    )
    code = f"""
import asyncio
from confiance.app import open_services
from confiance.config.load import load_config
from confiance.domain.keys import Role
from confiance.settings import Settings
async def main():
    s = await open_services(Settings(database_url={db_url!r}))
    await s.revisions.apply(load_config({str(config)!r}), "bench", "bench")
    created = await s.keys.create("bench", Role.APP)
    print(created.secret)
    await s.close()
asyncio.run(main())
"""
    key = (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    return key, config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    db = tmp / "bench.db"
    db_url = f"sqlite+aiosqlite:///{db}"
    sim_port, gw_port = free_port(), free_port()
    sim_url, gw_url = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{gw_port}"
    env = {**os.environ, "CONFIANCE_DATABASE_URL": db_url, "CONFIANCE_LOG_LEVEL": "warning"}
    sim = subprocess.Popen(
        [sys.executable, "-m", "confiance.providers.simulated", "--port", str(sim_port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    gateway = None
    try:
        wait_http(sim_url)
        key, _ = setup_store(db_url, sim_url)
        gateway = subprocess.Popen(
            [sys.executable, "-m", "confiance", "serve", "--port", str(gw_port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_http(gw_url)
        time.sleep(1.0)
        run(args, sim_url, gw_url, key, gateway.pid, db)
    finally:
        for proc in (gateway, sim):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)


def run(args: argparse.Namespace, sim_url: str, gw_url: str, key: str, pid: int, db: Path) -> None:
    chat = "/v1/chat/completions"
    c, d = args.connections, args.duration
    wrk(gw_url + chat, "bench", key, c, 2)  # warm-up: connection pools, JIT-free but caches
    direct = wrk(sim_url + chat, "bench-model", None, c, d)
    through = wrk(gw_url + chat, "bench", key, c, d)
    memory = peak_rss_mb(pid)
    slow_direct = wrk(sim_url + chat, "bench-model+latency-50ms", None, 1, d)
    slow_through = wrk(gw_url + chat, "slow", key, 1, d)
    busy_direct = wrk(sim_url + chat, "bench-model+latency-50ms", None, 16, d)
    busy_through = wrk(gw_url + chat, "slow", key, 16, d)
    ttft_direct = asyncio.run(ttft(sim_url + chat, "bench-model", None, 200))
    ttft_through = asyncio.run(ttft(gw_url + chat, "bench", key, 200))
    time.sleep(2.0)  # let the trace sink flush its last batch
    stored = sqlite3.connect(db).execute("select count(*) from traces").fetchone()[0]
    print(f"\nGateway benchmark: {c} connections, {d}s per run, 1 gateway worker, 2 cores\n")
    print(f"{'scenario':<34}{'direct':>14}{'gateway':>14}{'ratio':>9}")
    rows = [
        ("requests/s", direct.rps, through.rps),
        ("p50 latency (ms)", direct.p50_ms, through.p50_ms),
        ("p99 latency (ms)", direct.p99_ms, through.p99_ms),
        ("errors", direct.errors, through.errors),
        ("p50, 50 ms upstream, 1 conn (ms)", slow_direct.p50_ms, slow_through.p50_ms),
        ("p50, 50 ms upstream, 16 conns (ms)", busy_direct.p50_ms, busy_through.p50_ms),
        ("time to first token p50 (ms)", ttft_direct, ttft_through),
    ]
    for name, a, b in rows:
        ratio = f"{b / a:.2f}x" if a else "-"
        print(f"{name:<34}{a:>14.2f}{b:>14.2f}{ratio:>9}")
    answered = through.requests + slow_through.requests + busy_through.requests + 200
    added = slow_through.p50_ms - slow_direct.p50_ms
    busy = busy_through.p50_ms - busy_direct.p50_ms
    print(f"\ngateway added at p50 with a 50 ms upstream: {added:.2f} ms (1 connection)")
    print(f"  ... with 16 connections sharing 2 cores with wrk and the simulator: {busy:.2f} ms")
    print(f"gateway added to time to first token:        {ttft_through - ttft_direct:.2f} ms")
    print(f"gateway peak memory (VmHWM):                 {memory:.0f} MiB")
    print(f"traces stored: {stored} (>= {answered} answered in measured runs)")
    ok = (
        through.rps >= 2000
        and through.errors == 0
        and stored >= answered
        and slow_through.p50_ms - slow_direct.p50_ms <= 2.0
        and ttft_through - ttft_direct <= 2.0
    )
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()
