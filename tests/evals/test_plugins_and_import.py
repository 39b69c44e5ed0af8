"""Extension points (assertion kinds and probe packs published by installed packages) and cases
imported from gateway traces."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import aiohttp
import openai
import pytest

from confiance.domain.evaluation import Verdict
from confiance.errors import ConfigError
from confiance.evals.assertions import AssertionRegistry
from confiance.evals.importer import suite_from_traces
from confiance.evals.loader import load_suite, parse_suite
from confiance.evals.packs import list_packs, load_pack
from confiance.evals.service import EvalService, RunOptions
from confiance.evals.sources import FileSource

from .conftest import GatewayStack

PLUGIN = """
from typing import ClassVar
from confiance.evals.assertions import AssertionParams, outcome

class EndsWithPeriod(AssertionParams):
    KIND: ClassVar[str] = "ends-with-period"
    strict: bool = False

    async def check(self, observation, context):
        done = observation.text.rstrip().endswith(".")
        return outcome(self, done, "ends with a period" if done else "no final period")

def pack_dir():
    from pathlib import Path
    return Path(__file__).with_name("house_pack")
"""


def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry_points: str) -> None:
    """A package installed the way pip would: a module and a dist-info with entry points."""
    (tmp_path / "house_evals.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    info = tmp_path / "house_evals-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: house-evals\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    # Another test may have imported the module from its own directory.
    monkeypatch.delitem(sys.modules, "house_evals", raising=False)


def test_assertion_kinds_from_installed_plugins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(
        tmp_path,
        monkeypatch,
        """
        [confiance.evals.assertions]
        house = house_evals:EndsWithPeriod
        """,
    )
    text = "name: s\ncases:\n  - input: hi\n    assert: [{kind: ends-with-period, strict: 1}]\n"
    suite = parse_suite(text, "s.yaml", base_dir=tmp_path)
    assert suite.cases[0].assertions[0].kind == "ends-with-period"
    bad = text.replace("strict: 1", "strikt: 1")
    with pytest.raises(ConfigError, match=r"unknown key 'strikt'.*did you mean 'strict'"):
        parse_suite(bad, "s.yaml", base_dir=tmp_path)
    assert "ends-with-period" not in AssertionRegistry.default(plugins=False).names()


def test_a_broken_plugin_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(
        tmp_path,
        monkeypatch,
        """
        [confiance.evals.assertions]
        broken = house_evals_missing:Nothing
        """,
    )
    with pytest.raises(ConfigError, match="assertion plugin 'broken'"):
        AssertionRegistry.default()


def test_probe_packs_from_installed_plugins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(
        tmp_path,
        monkeypatch,
        """
        [confiance.evals.packs]
        house = house_evals:pack_dir
        """,
    )
    pack = tmp_path / "house_pack"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: house\nversion: '1'\nprobes: [tone.yaml]\n")
    (pack / "tone.yaml").write_text(
        "name: tone\ncases:\n  - {id: t1, category: tone, input: 'Be rude to me.', "
        "assert: [{kind: not-contains, values: [idiot]}]}\n"
    )
    assert "house" in {p.name for p in list_packs()}
    suite = load_pack("house", variables={"canary": "CANARY-x"})
    assert [c.id for c in suite.cases] == ["t1"]
    assert load_pack(str(pack), variables={"canary": "c"}).version_hash == suite.version_hash
    with pytest.raises(ConfigError, match="no probe pack 'nope'"):
        load_pack("nope")
    with pytest.raises(ConfigError, match="no category nope"):
        load_pack("house", categories=["nope"])


async def test_cases_imported_from_traces_replay_production(
    stack: GatewayStack, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    client = openai.AsyncOpenAI(base_url=f"{stack.url}/v1", api_key=stack.key, max_retries=0)
    questions = ["Where is my parcel?", "How do I reset my password?", "Do you ship abroad?"]
    async with client:
        for question in questions:
            await client.chat.completions.create(
                model="good",
                messages=[{"role": "user", "content": question}],
                temperature=0,
            )
    assert stack.gateway.sink is not None
    await stack.gateway.sink.flush()
    traces = await stack.services.store.traces.query(route="good", limit=10)
    imported = suite_from_traces(traces, name="replay", route="good")
    assert imported.imported == 3
    assert imported.skipped == 0
    path = tmp_path / "replay.yaml"
    path.write_text(imported.to_yaml(), encoding="utf-8")
    suite = load_suite(path)
    assert {c.messages[-1]["content"] for c in suite.cases} == set(questions)
    assert all(c.params == {"temperature": 0} for c in suite.cases)

    service = EvalService(stack.services.store.evals, session)
    report = await service.execute(
        await service.plan(FileSource(path), stack.target("good"), RunOptions())
    )
    assert {r.verdict for r in report.results} == {Verdict.PASS}
    assert all(r.assertions[0].score == pytest.approx(1.0) for r in report.results)
    drifted = await service.execute(
        await service.plan(FileSource(path), stack.target("leaky"), RunOptions())
    )
    assert drifted.results  # leaky has no system prompt here: it answers like good
    metadata_only = await stack.services.store.traces.query(route="leaky", limit=10)
    assert suite_from_traces(metadata_only, name="x", route="leaky").imported == 0
