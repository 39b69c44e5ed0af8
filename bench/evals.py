"""Benchmark of the eval runner: a 1,000-case suite against the simulated vendor.

Run: ``python bench/evals.py [--cases 1000] [--latency-ms 10] [--concurrency 10]``

The simulator runs in its own process (as a vendor would), every answer taking ``--latency-ms``.
With ``C`` calls in flight the ideal time is ``cases x latency / C``. Measured in the same run:

* ``raw client``: bare aiohttp requests at the same concurrency, no runner (what the network and
  the simulator cost on this machine);
* ``runner``: :func:`confiance.evals.runner.run_cases` (bodies, assertions, results), no store;
* ``service``: the whole ``EvalService.execute`` path, results written to a SQLite store in
  batches, run row created and finished, gate evaluated.

It prints cases/s and each path's time over the ideal. The simulator's 10 ms answers take a
little longer than 10 ms (timer overshoot and scheduling), so even the raw client cannot reach
the ideal; what the runner *adds* is its time over the raw client at the same concurrency, and
the target is < 10% for the whole service path.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import orjson

from confiance.evals.client import ChatEndpoint, RetryPolicy
from confiance.evals.loader import load_suite
from confiance.evals.runner import RunContext, run_cases, work_items
from confiance.evals.service import EvalService, RunOptions, utc_now
from confiance.evals.sources import FileSource
from confiance.evals.targets import TargetSpec
from confiance.store import Store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_suite(directory: Path, cases: int) -> Path:
    lines = ["name: bench", "defaults:", "  system: You are a concise assistant.", "  assert:"]
    lines += ["    - {kind: contains, value: About}", "    - {kind: length, max_words: 200}"]
    lines += ["    - {kind: no-secrets}", "cases:"]
    for index in range(cases):
        lines += [f"  - id: case-{index:05d}", f"    input: Question number {index}, please."]
    path = directory / "bench.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def wait_ready(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("the simulator did not start")


async def raw_client(base: str, model: str, cases: int, concurrency: int) -> float:
    queue = list(range(cases))
    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            while queue:
                index = queue.pop()
                body = {"model": model, "messages": [{"role": "user", "content": f"Q {index}"}]}
                async with session.post(f"{base}/chat/completions", data=orjson.dumps(body)) as r:
                    orjson.loads(await r.read())

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


async def runner_only(base: str, model: str, suite_path: Path, concurrency: int) -> float:
    suite = load_suite(suite_path, variables={"canary": "CANARY-bench"})
    async with aiohttp.ClientSession() as session:
        endpoint = ChatEndpoint(session, base, None, RetryPolicy())
        context = RunContext(run_id="bench", model=model, clock=utc_now)
        items = work_items(suite.cases)
        started = time.perf_counter()
        results = await run_cases(items, endpoint, context, concurrency=concurrency)
        took = time.perf_counter() - started
    assert all(r.verdict.value == "pass" for r in results), "bench cases must pass"
    return took


async def service_path(
    base: str, model: str, suite_path: Path, concurrency: int, database: Path
) -> float:
    async with await Store.open(f"sqlite+aiosqlite:///{database}") as store:
        async with aiohttp.ClientSession() as session:
            service = EvalService(store.evals, session)
            target = TargetSpec.at_url(model, base, None)
            plan = await service.plan(
                FileSource(suite_path), target, RunOptions(concurrency=concurrency)
            )
            started = time.perf_counter()
            report = await service.execute(plan)
            took = time.perf_counter() - started
        assert report.run.summary is not None
        assert report.run.summary.passed == len(plan.items)
        assert len(await store.evals.results(report.run.id)) == len(plan.items)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per path")
    args = parser.parse_args()
    port = free_port()
    simulator = subprocess.Popen(
        [sys.executable, "-m", "confiance.providers.simulated", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    model = f"bench+latency-{args.latency_ms:g}ms"
    ideal = args.cases * args.latency_ms / 1000 / args.concurrency
    try:
        asyncio.run(wait_ready(base_url))
        with tempfile.TemporaryDirectory() as tmp:
            suite = write_suite(Path(tmp), args.cases)
            base = f"{base_url}/v1"
            timings = {
                "raw client": [
                    asyncio.run(raw_client(base, model, args.cases, args.concurrency))
                    for _ in range(args.repeat)
                ],
                "runner": [
                    asyncio.run(runner_only(base, model, suite, args.concurrency))
                    for _ in range(args.repeat)
                ],
                "service": [
                    asyncio.run(
                        service_path(base, model, suite, args.concurrency, Path(tmp) / f"{n}.db")
                    )
                    for n in range(args.repeat)
                ],
            }
    finally:
        simulator.terminate()
        simulator.wait(timeout=10)
    print(
        f"{args.cases} cases, {args.latency_ms:g} ms simulated latency, concurrency "
        f"{args.concurrency}, cpus {os.cpu_count()}: ideal {ideal:.3f} s"
    )
    raw = min(timings["raw client"])
    print(f"{'path':<12} {'best s':>8} {'cases/s':>9} {'vs ideal':>10} {'added vs raw':>13}")
    for name, runs in timings.items():
        best = min(runs)
        print(
            f"{name:<12} {best:8.3f} {args.cases / best:9.0f} {(best - ideal) / ideal:10.1%} "
            f"{(best - raw) / raw:13.1%}"
        )
    added = (min(timings["service"]) - raw) / raw
    verdict = "OK" if added < 0.10 else "ABOVE TARGET"
    print(f"time the service path adds over the raw client: {added:.1%} (target < 10%): {verdict}")


if __name__ == "__main__":
    main()
