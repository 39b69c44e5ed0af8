"""``confiance traces tail|show`` through the real CLI, over traces stored with add_many."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from confiance.cli import traces as traces_cli
from confiance.cli.traces import LOOKBACK, TraceFollower
from confiance.domain.keys import ApiKey, Role
from confiance.domain.trace import Attempt, Trace, TraceStatus
from confiance.store import Store

T0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def make_trace(
    number: int,
    *,
    route: str = "support-bot",
    status: TraceStatus = TraceStatus.OK,
    at: datetime | None = None,
    body: bool = False,
) -> Trace:
    attempts = [Attempt("sim", "fast-1", 3.0, 41.5, 200)]
    if status is TraceStatus.ERROR:
        attempts = [Attempt("sim", "fast-1", 0.0, 30.0, 503, "upstream_http", "HTTP 503 [busy]")]
    return Trace(
        id=f"tr_{number:05d}",
        started_at=at or T0 + timedelta(seconds=number),
        endpoint="chat",
        route=route,
        revision=4,
        provider="sim",
        model_requested=route,
        model_answered="fast-1",
        status=status,
        http_status=200 if status is TraceStatus.OK else 503,
        error_class=None if status is TraceStatus.OK else "upstream_http",
        prompt_tokens=100 + number,
        completion_tokens=7,
        cost_usd=0.000125,
        latency_ms=1234.4,
        ttft_ms=87.0 if number % 2 else None,
        fallback_used=number % 3 == 0,
        attempts=attempts,
        request_body={"messages": [{"role": "user", "content": "hi [redacted-email]"}]}
        if body
        else None,
        metadata={"user_agent": "pytest"},
    )


def _with_store(url: str, work: object) -> object:
    async def main() -> object:
        store = await Store.open(url)
        try:
            return await work(store)  # type: ignore[operator]
        finally:
            await store.close()

    return asyncio.run(main())


class Cli:
    def __init__(self, tmp_path: Path) -> None:
        self.app = typer.Typer()
        traces_cli.register(self.app)
        self.url = f"sqlite+aiosqlite:///{tmp_path / 'cf.db'}"
        self.env = {"CONFIANCE_DATABASE_URL": self.url, "COLUMNS": "220"}

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(self.app, list(args), env=self.env)

    def add(self, traces: list[Trace]) -> None:
        _with_store(self.url, lambda store: store.traces.add_many(traces))


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    made = Cli(tmp_path)
    made.add(
        [make_trace(n, status=TraceStatus.ERROR if n == 4 else TraceStatus.OK) for n in range(1, 6)]
        + [make_trace(6, route="other", body=True)]
    )
    return made


def test_tail_shows_the_newest_traces_oldest_first(cli: Cli) -> None:
    result = cli("traces", "tail", "--limit", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    ids = [word for line in lines for word in line.split() if word.startswith("tr_")]
    assert ids == ["tr_00004", "tr_00005", "tr_00006"]
    row = next(line for line in lines if "tr_00005" in line)
    cells = ("02-01 09:00:05", "support-bot", "sim/support-bot", "fast-1", "ok", "1,234.4 ms")
    for cell in (*cells, "87.0 ms"):
        assert cell in row, (cell, row)
    assert "105+7" in row
    assert "$0.000125" in row
    assert "error" in next(line for line in lines if "tr_00004" in line)


def test_tail_filters_by_route_and_status(cli: Cli) -> None:
    errors = cli("traces", "tail", "--status", "error", "--json")
    assert [t["id"] for t in json.loads(errors.stdout)["traces"]] == ["tr_00004"]
    other = json.loads(cli("traces", "tail", "--route", "other", "--json").stdout)["traces"]
    assert [t["id"] for t in other] == ["tr_00006"]
    assert other[0]["started_at"] == "2026-02-01T09:00:06+00:00"
    assert other[0]["attempts"][0]["duration_ms"] == 41.5
    nothing = cli("traces", "tail", "--route", "nobody")
    assert nothing.exit_code == 0
    assert "no traces with route nobody yet" in nothing.stderr


def test_bad_options_are_usage_errors(cli: Cli) -> None:
    bad_status = cli("traces", "tail", "--status", "great")
    assert bad_status.exit_code == 2
    assert "great" in bad_status.output
    assert cli("traces", "tail", "--limit", "0").exit_code == 2


def test_show_prints_every_field_attempts_and_bodies(cli: Cli) -> None:
    result = cli("traces", "show", "tr_00006")
    assert result.exit_code == 0, result.output
    for text in ("model_answered", "fast-1", "http_status", "attempts", "request body", "pytest"):
        assert text in result.stdout, text
    assert "hi [redacted-email]" in result.stdout
    failed = cli("traces", "show", "tr_00004")
    assert "HTTP 503 [busy]" in failed.stdout
    assert "not retained" in failed.stdout
    as_json = json.loads(cli("traces", "show", "tr_00004", "--json").stdout)
    assert as_json["status"] == "error"
    assert as_json["attempts"][0]["status"] == 503


def test_show_of_an_unknown_trace_exits_2(cli: Cli) -> None:
    result = cli("traces", "show", "tr_nope")
    assert result.exit_code == 2
    assert "tr_nope" in result.stderr
    as_json = cli("traces", "show", "tr_nope", "--json")
    assert json.loads(as_json.stdout)["error"]["code"] == "not_found"


def test_follow_prints_traces_stored_while_it_runs(cli: Cli) -> None:
    def writer() -> None:
        time.sleep(0.4)
        cli.add([make_trace(7), make_trace(8, route="other")])

    thread = threading.Thread(target=writer)
    thread.start()
    args = ["traces", "tail", "--route", "support-bot", "--limit", "2", "--json", "--follow"]
    result = cli(*args, "--interval", "0.2", "--max-polls", "8")
    thread.join()
    assert result.exit_code == 0, result.output
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == ["tr_00004", "tr_00005", "tr_00007"]


async def test_the_follower_returns_each_new_trace_once(tmp_path: Path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'f.db'}")
    try:
        await store.traces.add_many([make_trace(n) for n in range(1, 4)])
        follower = TraceFollower(store, route=None, status=None)
        first, _ = await follower.poll()
        assert [t.id for t in first] == ["tr_00001", "tr_00002", "tr_00003"]
        assert (await follower.poll())[0] == []
        # Written late but started within the look-back window: still found, once.
        late = make_trace(9, at=T0 + timedelta(seconds=3) - LOOKBACK / 2)
        await store.traces.add_many([make_trace(4), late])
        second, truncated = await follower.poll()
        assert sorted(t.id for t in second) == ["tr_00004", "tr_00009"]
        assert not truncated
        assert (await follower.poll())[0] == []
    finally:
        await store.close()


HEADERS = (
    "time (UTC)", "id", "route asked", "status", "latency", "model asked", "model answered",
    "rev", "TTFT", "tokens", "cost", "fallback", "tries",
)  # fmt: skip


def test_narrow_terminals_wrap_rows_and_keep_every_column(cli: Cli) -> None:
    narrow = CliRunner().invoke(cli.app, ["traces", "tail"], env={**cli.env, "COLUMNS": "80"})
    lines = narrow.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    header_lines = lines[: next(i for i, line in enumerate(lines) if "tr_" in line)]
    header = " ".join(header_lines)
    for label in HEADERS:
        assert label in header, (label, header_lines)
    per_trace = len(header_lines)
    assert per_trace > 1
    rows = lines[per_trace:]
    assert len(rows) == 6 * per_trace  # every trace on as many lines as the header
    assert all(row.startswith("    ") for i, row in enumerate(rows) if i % per_trace)
    trace_5 = " ".join(rows[4 * per_trace : 5 * per_trace])
    for cell in ("tr_00005", "$0.000125", "105+7", "fast-1", "yes" if 5 % 3 == 0 else "no"):
        assert cell in trace_5, (cell, trace_5)
    wide = cli("traces", "tail").stdout.splitlines()[0]
    assert all(label in wide for label in HEADERS)


def test_columns_picks_and_orders_columns(cli: Cli) -> None:
    result = cli("traces", "tail", "--columns", "cost,id,route")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["cost", "id", "route", "asked"]
    assert rows[0].split() == ["$0.000125", "tr_00001", "support-bot"]
    bad = cli("traces", "tail", "--columns", "id,colour")
    assert bad.exit_code == 2
    assert "unknown column 'colour' for --columns (columns: time, id, route" in bad.output


def test_database_url_option_overrides_the_environment(cli: Cli, tmp_path: Path) -> None:
    empty_url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    _with_store(empty_url, lambda store: store.traces.query(limit=1))
    env = {**cli.env, "CONFIANCE_DATABASE_URL": empty_url}
    args = ["traces", "tail", "--json"]
    empty = CliRunner().invoke(cli.app, args, env=env)
    assert json.loads(empty.stdout)["traces"] == []
    chosen = CliRunner().invoke(cli.app, [*args, "--database-url", cli.url], env=env)
    assert len(json.loads(chosen.stdout)["traces"]) == 6


def test_show_names_the_key_and_rounds_times_and_costs(cli: Cli) -> None:
    async def with_key(store: Store) -> str:
        key = ApiKey("key_0123456789abcdef", "batch-job", "cf-0badc0de", "0" * 64, Role.APP, (), T0)
        await store.keys.add(key)
        traced = dataclasses.replace(make_trace(9), key_id=key.id, ttft_ms=2.2921790000509645)
        await store.traces.add_many([traced])
        return traced.id

    trace_id = _with_store(cli.url, with_key)
    shown = cli("traces", "show", str(trace_id))
    assert shown.exit_code == 0, shown.output
    assert "batch-job (cf-0badc0de)  key_0123456789abcdef" in shown.stdout
    assert "2.3 ms" in shown.stdout and "2.2921" not in shown.stdout
    assert "$0.000125" in shown.stdout
