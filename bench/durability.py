"""Trace durability's cost, side by side in one run (``python bench/gateway.py --durability``).

Two gateway workers, each with its own SQLite store in a temporary directory, pinned to the same
core and measured one after the other under the same wrk load:

- **memory**: ``CONFIANCE_TRACE_SPOOL=off``, traces only in the in-memory queue until written
  (the behaviour before the spool: a kill -9 loses the queue);
- **spool**: the default, each trace in the local spool in the loop turn that answers;
- **sync**: a ``trace_durability: sync`` route on the spool gateway (the answer waits for the
  commit).

Rows are requests per CPU-second of the serving process (utime + stime, so the ratio holds when
other work shares the machine), runs alternated ``--rounds`` times and summed, for the default
retention (``metadata``) and for ``retention: full``. Target (issue 7): spool >= 90 % of memory.
After the runs, every answered request must have its trace stored and none dropped: one worker's
SQLite writer keeps up with ``retention: full`` at the rate the benchmark reaches.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gateway import LOAD_CORE, SERVER_CORE, WrkResult, combined, free_port, start, wait_http, wrk

CONFIG = """version: 1
providers:
  sim: {{kind: simulated, base_url: "{sim}/v1", max_connections: 512}}
routes:
  bench: {{target: sim/bench-model}}
  full: {{target: sim/bench-model, retention: full}}
  bench-sync: {{target: sim/bench-model, trace_durability: sync}}
limits: {{max_concurrency: 4096}}
"""

SETUP = """
import asyncio, sys
from confiance.app import open_services
from confiance.config.load import load_config
from confiance.domain.keys import Role
from confiance.settings import Settings
async def main():
    s = await open_services(Settings(database_url=sys.argv[1]))
    await s.revisions.apply(load_config(sys.argv[2]), "bench", "bench")
    print((await s.keys.create("bench", Role.APP)).secret)
    await s.close()
asyncio.run(main())
"""


def gateway(
    name: str, sim_url: str, spool: str | None, tmp: Path
) -> tuple[subprocess.Popen[bytes], str, str, Path]:
    """A gateway worker over its own store: (process, url, app key, database file)."""
    db = tmp / f"{name}.db"
    config = tmp / f"{name}.yaml"
    config.write_text(CONFIG.format(sim=sim_url))
    url = f"sqlite+aiosqlite:///{db}"
    made = subprocess.run(
        [sys.executable, "-c", SETUP, url, str(config)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp,  # not bench/: its modules would shadow the standard library's
    )
    env = {**os.environ, "CONFIANCE_DATABASE_URL": url, "CONFIANCE_LOG_LEVEL": "warning"}
    env["CONFIANCE_TRACE_SPOOL"] = spool or str(tmp / "spool")
    port = free_port()
    command = [sys.executable, "-m", "confiance", "serve", "--port", str(port)]
    process = start(command, env, SERVER_CORE)
    return process, f"http://127.0.0.1:{port}", made.stdout.strip().splitlines()[-1], db


def stored(db: Path) -> int:
    return int(sqlite3.connect(db).execute("select count(*) from traces").fetchone()[0])


def run(sim_url: str, connections: int, duration: int, rounds: int) -> bool:
    tmp = Path(tempfile.mkdtemp())
    memory = gateway("memory", sim_url, "off", tmp)
    spool = gateway("spool", sim_url, None, tmp)
    try:
        for _, url, _, _ in (memory, spool):
            wait_http(url, timeout=120)
        time.sleep(1.0)
        chat = "/v1/chat/completions"
        cases = {
            ("metadata", "memory"): (memory, "bench"),
            ("metadata", "spool"): (spool, "bench"),
            ("metadata", "sync"): (spool, "bench-sync"),
            ("full", "memory"): (memory, "full"),
            ("full", "spool"): (spool, "full"),
        }
        for (_, url, key, _), route in cases.values():  # warm-up
            wrk(url + chat, route, key, connections, 2)
        results: dict[tuple[str, str], list[WrkResult]] = {case: [] for case in cases}
        order = list(cases)
        for turn in range(rounds):  # alternated, so a change in the machine's load hits all
            for case in order[turn % len(order) :] + order[: turn % len(order)]:
                (process, url, key, _), route = cases[case]
                results[case].append(
                    wrk(url + chat, route, key, connections, duration, pid=process.pid)
                )
        time.sleep(3.0)  # the last batches
        rows = {case: combined(runs) for case, runs in results.items()}
        answered = {"memory": 0, "spool": 0}
        for (_, mode), result in rows.items():
            answered["memory" if mode == "memory" else "spool"] += result.requests
        return report(rows, answered, {"memory": stored(memory[3]), "spool": stored(spool[3])})
    finally:
        for process, *_ in (memory, spool):
            process.terminate()
            process.wait(timeout=60)


def report(
    rows: dict[tuple[str, str], WrkResult], answered: dict[str, int], kept: dict[str, int]
) -> bool:
    print(
        "\nTrace durability: requests per CPU-second of one gateway worker (SQLite), "
        f"gateways on core {SERVER_CORE}, simulator and wrk on core {LOAD_CORE}"
    )
    print(f"{'retention':<11}{'mode':<8}{'req/CPU-s':>11}{'vs memory':>11}{'req/s':>9}"
          f"{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}")  # fmt: skip
    ok = True
    for (retention, mode), result in rows.items():
        base = rows[(retention, "memory")]
        share = result.per_cpu_s / base.per_cpu_s
        print(f"{retention:<11}{mode:<8}{result.per_cpu_s:>11,.0f}{share:>11.0%}"
              f"{result.rps:>9,.0f}{result.p50_ms:>8.2f}{result.p99_ms:>8.2f}"
              f"{result.errors:>8}")  # fmt: skip
        ok = ok and result.errors == 0 and (mode != "spool" or share >= 0.90)
    for name in ("memory", "spool"):
        print(f"{name} gateway: {kept[name]} traces stored, {answered[name]} measured answers")
        ok = ok and kept[name] >= answered[name]
    load = os.getloadavg()
    print(f"load average: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} on {os.cpu_count()} "
          "cores (other work on the machine shows here)")  # fmt: skip
    print("durability targets met (spool >= 90 % of memory, every trace stored)" if ok
          else "DURABILITY TARGETS MISSED")  # fmt: skip
    return ok
