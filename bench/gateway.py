"""Gateway benchmark: the gateway's own cost per request against a floor measured in the same run.

    python bench/gateway.py [--duration 10] [--connections 32] [--rounds 3]

Needs ``wrk`` (Debian: ``apt-get install wrk``). Starts three processes on loopback: the simulated
vendor (answering at once, or in 50 ms), one gateway worker (SQLite store in a temporary
directory, default trace durability, every trace stored) and the floor, a bare aiohttp
pass-through (bench/passthrough.py). The gateway and the floor are pinned to core 0, the
simulator and wrk to core 1, and they are measured one after the other under the same load:

1. requests per CPU-second of the measured process (utime + stime from /proc, so the ratio
   holds when other work shares the machine), non-streaming and streaming, floor and gateway
   runs alternated ``--rounds`` times and summed;
2. latency at 128 connections with a 50 ms upstream: p50 and p99 direct, through the floor and
   through the gateway;
3. time to first token, direct vs through the gateway (sequential streams);
4. every request answered through the gateway has its trace in the store.

Targets (issue 10), as ratios against the floor of the same run: streaming >= 60 % and
non-streaming >= 65 % of the floor's requests per CPU-second; at 128 connections and a 50 ms
upstream, p50 added <= 5 ms and p99 <= 1.25x the floor's.
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
CHAT = "/v1/chat/completions"
BODY = (
    '{"model": "%s", "messages": [{"role": "user", "content": "Say hello to the benchmark."}],'
    ' "max_tokens": 16%s}'
)
SERVER_CORE, LOAD_CORE = 0, 1
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    cpu_s: float = 0.0

    @property
    def per_cpu_s(self) -> float:
        return self.requests / self.cpu_s if self.cpu_s else float("nan")


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` (all its threads) and of its live descendants."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(proc.name) == pid or _descends(int(fields[1]), pid):
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def _descends(ppid: int, ancestor: int) -> bool:
    while ppid > 1:
        if ppid == ancestor:
            return True
        try:
            ppid = int((Path(f"/proc/{ppid}/stat").read_text().rsplit(")", 1)[1].split())[1])
        except OSError:
            return False
    return False


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(\w+)", text)
    assert match, text
    return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]


def wrk(
    url: str,
    model: str,
    key: str | None,
    connections: int,
    duration: int,
    *,
    stream: bool = False,
    pid: int | None = None,
) -> WrkResult:
    """One wrk run (pinned to the load core); CPU time of ``pid`` is measured across it."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    headers = 'wrk.headers["Content-Type"] = "application/json"\n'
    if key:
        headers += f'wrk.headers["Authorization"] = "Bearer {key}"\n'
    body = BODY % (model, ', "stream": true' if stream else "")
    script.write_text(f'wrk.method = "POST"\nwrk.body = [[{body}]]\n{headers}')
    command = ["taskset", "-c", str(LOAD_CORE), "wrk", f"-t{min(2, connections)}"]
    command += [f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url]
    before = cpu_seconds(pid) if pid else 0.0
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(pid) - before if pid else 0.0
    script.unlink()
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return WrkResult(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        requests=int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        errors=errors,
        cpu_s=cpu,
    )


async def ttft(url: str, model: str, key: str | None, count: int) -> float:
    """Median milliseconds to the first streamed content byte, sequential requests."""
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


def setup_store(db_url: str, sim_url: str) -> str:
    """Applies the benchmark's config (default trace settings) and returns an app key."""
    config = Path(tempfile.mkdtemp()) / "confiance.yaml"
    config.write_text(
        f"""version: 1
providers:
  sim: {{kind: simulated, base_url: "{sim_url}/v1", max_connections: 512}}
routes:
  bench: {{target: sim/bench-model}}
  slow: {{target: "sim/bench-model+latency-50ms"}}
limits: {{max_concurrency: 4096}}
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
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def start(command: list[str], env: dict[str, str], core: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        ["taskset", "-c", str(core), *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--rounds", type=int, default=3, help="floor/gateway runs alternated per throughput row"
    )
    parser.add_argument(
        "--durability",
        action="store_true",
        help="instead: trace durability's cost (memory / spool / sync), see bench/durability.py",
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    db = tmp / "bench.db"
    db_url = f"sqlite+aiosqlite:///{db}"
    sim_port, gw_port, floor_port = free_port(), free_port(), free_port()
    urls = {name: f"http://127.0.0.1:{p}" for name, p in
            (("sim", sim_port), ("gw", gw_port), ("floor", floor_port))}  # fmt: skip
    env = {**os.environ, "CONFIANCE_DATABASE_URL": db_url, "CONFIANCE_LOG_LEVEL": "warning"}
    py = sys.executable
    processes = [
        start([py, "-m", "confiance.providers.simulated", "--port", str(sim_port)], env, LOAD_CORE)
    ]
    try:
        wait_http(urls["sim"])
        if args.durability:
            import durability

            durability.run(urls["sim"], args.connections, args.duration, args.rounds)
            return
        key = setup_store(db_url, urls["sim"])
        gateway = start([py, "-m", "confiance", "serve", "--port", str(gw_port)], env, SERVER_CORE)
        floor_cmd = [py, str(ROOT / "bench" / "passthrough.py"), str(floor_port), urls["sim"]]
        floor = start(floor_cmd, env, SERVER_CORE)
        processes += [gateway, floor]
        wait_http(urls["gw"])
        wait_http(urls["floor"])
        time.sleep(1.0)
        run(args, urls, key, gateway.pid, floor.pid, db)
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=60)


def run(
    args: argparse.Namespace, urls: dict[str, str], key: str, gw_pid: int, floor_pid: int, db: Path
) -> None:
    c, d = args.connections, args.duration
    gw, floor, sim = urls["gw"] + CHAT, urls["floor"] + CHAT, urls["sim"] + CHAT
    model, slow = "bench-model", "bench-model+latency-50ms"
    for stream in (False, True):  # warm-up: connection pools, caches
        wrk(gw, "bench", key, c, 2, stream=stream)
        wrk(floor, model, None, c, 2, stream=stream)
    rows: dict[str, tuple[WrkResult, WrkResult]] = {}
    for name, stream in (("non-streaming", False), ("streaming", True)):
        runs: list[tuple[WrkResult, WrkResult]] = []
        for _ in range(args.rounds):  # alternated, so a change in the machine's load hits both
            base = wrk(floor, model, None, c, d, stream=stream, pid=floor_pid)
            runs.append((base, wrk(gw, "bench", key, c, d, stream=stream, pid=gw_pid)))
        rows[name] = (combined([b for b, _ in runs]), combined([t for _, t in runs]))
    memory = peak_rss_mb(gw_pid)
    direct = wrk(sim, slow, None, 128, d)
    floor_slow = wrk(floor, slow, None, 128, d, pid=floor_pid)
    gw_slow = wrk(gw, "slow", key, 128, d, pid=gw_pid)
    ttft_direct = asyncio.run(ttft(sim, model, None, 200))
    ttft_through = asyncio.run(ttft(gw, "bench", key, 200))
    time.sleep(3.0)  # let the trace sink write its last batch
    stored = sqlite3.connect(db).execute("select count(*) from traces").fetchone()[0]
    answered = sum(t.requests for _, t in rows.values()) + gw_slow.requests + 200
    report(args, rows, direct, floor_slow, gw_slow, (ttft_direct, ttft_through))
    load = os.getloadavg()
    print(f"gateway peak memory (VmHWM): {memory:.0f} MiB")
    print(f"traces stored: {stored} (>= {answered} answered through the gateway in measured runs)")
    print(f"load average during the run: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
          f"on {os.cpu_count()} cores (other work on the machine shows here)")  # fmt: skip
    errors = sum(b.errors + t.errors for b, t in rows.values()) + gw_slow.errors
    ok = (
        ratio(rows["non-streaming"]) >= 0.65
        and ratio(rows["streaming"]) >= 0.60
        and gw_slow.p50_ms - direct.p50_ms <= 5.0
        and gw_slow.p99_ms <= 1.25 * floor_slow.p99_ms
        and errors == 0
        and stored >= answered
    )
    print("targets met" if ok else "TARGETS MISSED")


def combined(results: list[WrkResult]) -> WrkResult:
    """Several runs of one scenario as one: summed requests, errors and CPU time; the rate and
    latencies of the median run."""
    middle = sorted(results, key=lambda r: r.rps)[len(results) // 2]
    return WrkResult(
        rps=middle.rps,
        p50_ms=middle.p50_ms,
        p99_ms=middle.p99_ms,
        requests=sum(r.requests for r in results),
        errors=sum(r.errors for r in results),
        cpu_s=sum(r.cpu_s for r in results),
    )


def ratio(pair: tuple[WrkResult, WrkResult]) -> float:
    base, through = pair
    return through.per_cpu_s / base.per_cpu_s


def report(
    args: argparse.Namespace,
    rows: dict[str, tuple[WrkResult, WrkResult]],
    direct: WrkResult,
    floor_slow: WrkResult,
    gw_slow: WrkResult,
    ttfts: tuple[float, float],
) -> None:
    print(f"\nGateway benchmark: {args.connections} connections, {args.duration}s per run "
          f"({args.rounds} alternated rounds per throughput row), "
          "gateway and floor pinned to core 0, simulator and wrk to core 1\n")  # fmt: skip
    print("requests per CPU-second of the serving process (floor: bare aiohttp pass-through)")
    print(f"{'':<16}{'floor':>10}{'gateway':>10}{'ratio':>8}{'target':>8}"
          f"{'floor req/s':>13}{'gateway req/s':>15}{'errors':>8}")  # fmt: skip
    for (name, (base, through)), target in zip(rows.items(), (0.65, 0.60), strict=True):
        print(f"{name:<16}{base.per_cpu_s:>10,.0f}{through.per_cpu_s:>10,.0f}"
              f"{ratio((base, through)):>8.0%}{target:>8.0%}{base.rps:>13,.0f}"
              f"{through.rps:>15,.0f}{base.errors + through.errors:>8}")  # fmt: skip
    print("\n128 connections, 50 ms upstream, non-streaming (ms)")
    print(f"{'':<10}{'direct':>10}{'floor':>10}{'gateway':>10}{'  gateway added (target)':>28}")
    print(f"{'p50':<10}{direct.p50_ms:>10.2f}{floor_slow.p50_ms:>10.2f}{gw_slow.p50_ms:>10.2f}"
          f"{gw_slow.p50_ms - direct.p50_ms:>16.2f} (<= 5 ms)")  # fmt: skip
    print(f"{'p99':<10}{direct.p99_ms:>10.2f}{floor_slow.p99_ms:>10.2f}{gw_slow.p99_ms:>10.2f}"
          f"{gw_slow.p99_ms / floor_slow.p99_ms:>15.2f}x of floor (<= 1.25x)")  # fmt: skip
    print(f"{'req/s':<10}{direct.rps:>10,.0f}{floor_slow.rps:>10,.0f}{gw_slow.rps:>10,.0f}")
    print(f"\ntime to first token p50: direct {ttfts[0]:.2f} ms, gateway {ttfts[1]:.2f} ms "
          f"(+{ttfts[1] - ttfts[0]:.2f} ms)")  # fmt: skip


if __name__ == "__main__":
    main()
