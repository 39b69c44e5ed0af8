"""The trace spool: what a killed process leaves is replayed once, by one process, into its own
store; what is committed is removed."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from confiance.domain.trace import Attempt, Trace, TraceStatus
from confiance.gateway.spool import TraceSpool, decode, encode, spool_directory
from confiance.gateway.tracesink import TraceSink
from confiance.observability.metrics import GatewayMetrics
from confiance.settings import Settings
from confiance.store import Store


def trace(i: int) -> Trace:
    return Trace(
        id=f"t{i:03d}",
        started_at=datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
        endpoint="chat",
        route="r",
        status=TraceStatus.ERROR,
        http_status=502,
        attempts=[Attempt("sim", "m", 0.5, 12.25, 503, "http_5xx", "busy")],
        request_body={"messages": [{"role": "user", "content": "é ✓"}]},
        metadata={"params": {"temperature": 0.2}},
    )


def test_a_trace_survives_the_spool_line_unchanged() -> None:
    assert decode(encode(trace(1))) == trace(1)


def _spool_and_die(directory: str, count: int) -> None:
    async def main() -> None:
        async def never(items: Sequence[Trace]) -> None:
            await asyncio.Event().wait()

        sink = TraceSink(never, GatewayMetrics(), spool=TraceSpool(Path(directory)))
        for i in range(count):
            sink.submit(trace(i))
        await asyncio.sleep(0.05)  # one loop turn is enough for the spool write
        os._exit(9)  # like kill -9: no flush, no cleanup

    asyncio.run(main())


async def test_traces_of_a_killed_process_are_replayed_into_the_store_once(
    tmp_path: Path,
) -> None:
    spool = tmp_path / "spool"
    process = multiprocessing.get_context("spawn").Process(
        target=_spool_and_die, args=(str(spool), 25)
    )
    process.start()
    process.join(60)
    assert process.exitcode == 9
    (left,) = spool.glob("traces-*.jsonl")
    changed = replace(trace(3), status=TraceStatus.ERROR, http_status=503)
    with left.open("ab") as torn:
        torn.write(b"R" + encode(changed))  # a correction: the client got a 503 after all
        torn.write(b'{"id": "half')  # a write cut short by the kill
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path / 's.db'}") as store:
        sink = TraceSink(store.traces.add_many, GatewayMetrics(), spool=TraceSpool(spool))
        assert sink.recover() == 25
        await sink.close()
        stored = await store.traces.query(limit=100)
        again = TraceSink(store.traces.add_many, GatewayMetrics(), spool=TraceSpool(spool))
        assert again.recover() == 0
        await again.close()
    assert sorted(t.id for t in stored) == [f"t{i:03d}" for i in range(25)]
    assert stored[-1].attempts == trace(0).attempts
    assert next(t for t in stored if t.id == "t003").http_status == 503
    assert list(spool.iterdir()) == []  # replayed, committed, removed


def test_a_live_process_s_spool_is_not_recovered_by_another(tmp_path: Path) -> None:
    mine = TraceSpool(tmp_path)
    mine.write(encode(trace(1)), 1)
    other = TraceSpool(tmp_path)
    assert other.recover() == []
    mine.close()
    other.close()


def test_committed_traces_leave_the_spool_and_sealed_files_are_removed(tmp_path: Path) -> None:
    spool = TraceSpool(tmp_path, segment_bytes=1000)
    first = spool.write(encode(trace(1)) + encode(trace(2)), 2)
    assert first.sealed and spool.current is not first  # past 1000 bytes: rotated
    live = spool.write(encode(trace(3)), 1)
    spool.committed(first)
    assert first.path.exists()
    spool.committed(first)
    assert not first.path.exists()
    spool.committed(live)
    assert live.path.stat().st_size == 0  # the live file is emptied, not removed
    spool.close()
    assert list(tmp_path.iterdir()) == []


def test_each_database_has_its_own_spool_directory(tmp_path: Path) -> None:
    a = spool_directory(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"))
    b = spool_directory(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"))
    assert a is not None and b is not None and a != b
    assert a.parent == tmp_path / "confiance-spool"
    chosen = Settings(database_url="postgresql+asyncpg://u:pw@db/x", trace_spool=str(tmp_path))
    pg = spool_directory(chosen)
    assert pg is not None and pg.parent == tmp_path and "pw" not in str(pg)
    assert (
        spool_directory(Settings(database_url=str(chosen.database_url), trace_spool="off")) is None
    )
