"""The security review checklist: statuses, evidence, rendering and sign-off staleness."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from confiance.codescan import ScanOptions, scan
from confiance.codescan.checklist import (
    ItemStatus,
    build_checklist,
    covered_files,
    project_files,
    render,
)
from confiance.codescan.checklist_items import ITEMS, ItemKind, item_by_id
from confiance.codescan.signoff import SignOff, digest_files, load_signoffs, save_signoff
from confiance.errors import ConfigError

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
CHAT = (
    "from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef answer(q):\n"
    "    return client.chat.completions.create(model='m', messages=[{'role': 'user',"
    " 'content': q}])\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    (root / "app").mkdir(parents=True)
    (root / "app" / "chat.py").write_text(CHAT)
    (root / "web").mkdir()
    (root / "web" / "page.js").write_text("el.innerHTML = '<b>' + name + '</b>';\n")
    (root / "requirements.txt").write_text("openai==1.40.0\n")
    return root


def _checklist(root: Path, signoffs: dict | None = None, now: datetime = NOW):
    result = scan([root], ScanOptions(root=root, jobs=1))
    return build_checklist(
        result,
        files=list(result.files),
        signoffs=signoffs or {},
        now=now,
        max_age_days=180,
        project=root.name,
    )


def _item(checklist, item_id: str):
    return next(r for r in checklist.items if r.item.id == item_id)


def _signoff(root: Path, item_id: str, at: datetime) -> SignOff:
    item = item_by_id(item_id)
    assert item is not None
    digest, hashes = digest_files(covered_files(item, project_files(root)))
    return SignOff(item_id, "Ana Lima", at, "reviewed with the team", digest, hashes)


def test_every_item_has_a_status_and_automated_items_have_evidence(project: Path) -> None:
    checklist = _checklist(project)
    assert len(checklist.items) == len(ITEMS)
    xss = _item(checklist, "no-xss")
    assert xss.status is ItemStatus.FAIL
    assert [(e.path, e.line) for e in xss.evidence] == [("web/page.js", 1)]
    assert "CF-JS-XSS" in xss.rule_ids
    secrets = _item(checklist, "no-secrets")
    assert secrets.status is ItemStatus.PASS
    assert "CF-SECRET-OPENAI" in secrets.rule_ids
    manual = _item(checklist, "prompt-injection-threat-model")
    assert manual.status is ItemStatus.NEEDS_REVIEW
    assert [e.path for e in manual.evidence] == ["app/chat.py"]
    assert _item(checklist, "personal-data-minimized").reason.startswith("not applicable")
    deps = _item(checklist, "dependencies-reviewed")
    assert [e.path for e in deps.evidence] == ["requirements.txt"]


def test_signoff_passes_then_goes_stale_when_covered_files_change(project: Path) -> None:
    signoffs = {"prompt-injection-threat-model": _signoff(project, "prompt-injection-threat-model",
                                                          NOW - timedelta(days=3))}  # fmt: skip
    item = _item(_checklist(project, signoffs), "prompt-injection-threat-model")
    assert item.status is ItemStatus.PASS
    assert item.reason == "signed off by Ana Lima on 2026-01-12"

    (project / "app" / "chat.py").write_text(CHAT + "\n# new tool\n")
    (project / "app" / "agent.py").write_text("import anthropic\ntools = [run_shell]\n")
    stale = _item(_checklist(project, signoffs), "prompt-injection-threat-model")
    assert stale.status is ItemStatus.NEEDS_REVIEW
    assert "changed: app/chat.py" in stale.reason
    assert "new: app/agent.py" in stale.reason


def test_signoff_goes_stale_with_age(project: Path) -> None:
    signoffs = {"vendor-dpa-checked": _signoff(project, "vendor-dpa-checked",
                                               NOW - timedelta(days=200))}  # fmt: skip
    item = _item(_checklist(project, signoffs), "vendor-dpa-checked")
    assert item.status is ItemStatus.NEEDS_REVIEW
    assert "signed off 200 days ago (limit 180)" in item.reason


def test_signoff_file_round_trip_and_errors(tmp_path: Path) -> None:
    path = tmp_path / ".confiance-signoff.yaml"
    first = SignOff("vendor-dpa-checked", "A", NOW, "n1", "sha256:x", {"a.py": "1"})
    second = SignOff("authorization-model-reviewed", "B", NOW, "n2", "sha256:y")
    save_signoff(path, first)
    save_signoff(path, second)
    save_signoff(path, SignOff("vendor-dpa-checked", "C", NOW, "n3", "sha256:z"))
    loaded = load_signoffs(path)
    assert sorted(loaded) == ["authorization-model-reviewed", "vendor-dpa-checked"]
    assert loaded["vendor-dpa-checked"].by == "C"
    assert loaded["vendor-dpa-checked"].at == NOW
    path.write_text("version: 1\nsignoffs:\n- item: x\n  by: A\n  at: yesterday\n  digest: d\n")
    with pytest.raises(ConfigError, match=r"signoffs\[0\]: 'at' is not an ISO date-time"):
        load_signoffs(path)
    path.write_text(yaml.safe_dump({"version": 1, "signoffs": [{"item": "x"}]}))
    with pytest.raises(ConfigError, match="missing by, at, digest"):
        load_signoffs(path)


def test_markdown_lists_every_item_with_status(project: Path) -> None:
    text = render(_checklist(project), "md")
    for item in ITEMS:
        assert f"`{item.id}`" in text
    assert "| ❌ fail | HTML output is escaped (no XSS) (`no-xss`)" in text
    assert "`web/page.js:1` CF-JS-XSS:" in text
    manual = [i for i in ITEMS if i.kind is ItemKind.MANUAL]
    assert text.count("confiance scan signoff ") == len(manual)


def test_html_is_self_contained_and_escapes_evidence(project: Path) -> None:
    (project / "web" / "evil.js").write_text("el.innerHTML = '<script>alert(1)</script>' + x;\n")
    html = render(_checklist(project), "html")
    assert html.startswith("<!DOCTYPE html>")
    assert "<style>" in html
    assert not re.search(r"<(?:link|script|img|iframe)\b", html, re.IGNORECASE)
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html)
    assert "web/evil.js:1" in html
    assert 'class="badge fail"' in html


RUNNER = (
    "import subprocess\nfrom flask import Flask\nfrom flask_login import login_required\n\n"
    "app = Flask(__name__)\n\n\n@app.post('/run')\ndef run():\n"
    "    return subprocess.run(['make', 'deploy'], capture_output=True).stdout\n\n\n"
    "@app.post('/deploy')\n@login_required\ndef deploy():\n"
    "    return subprocess.run(['make', 'deploy'], capture_output=True).stdout\n"
)


def test_states_never_pass_unreviewed_items_and_explain_what_is_out_of_scope(
    tmp_path: Path,
) -> None:
    root = tmp_path / "ops"
    root.mkdir()
    (root / "ops.py").write_text(RUNNER)
    checklist = _checklist(root)
    # Nothing calls an LLM here: LLM items are not applicable, and say why.
    bounded = _item(checklist, "llm-calls-bounded")
    assert bounded.status is ItemStatus.NOT_APPLICABLE
    assert "no file in scope (llm-call)" in bounded.reason
    threat = _item(checklist, "prompt-injection-threat-model")
    assert threat.status is ItemStatus.NOT_APPLICABLE
    # Routes exist: the manual authorization review is in scope and nobody signed it off.
    review = _item(checklist, "authorization-model-reviewed")
    assert review.status is ItemStatus.NEEDS_REVIEW
    assert [e.path for e in review.evidence] == ["ops.py"]
    manual = [r for r in checklist.items if r.item.kind is ItemKind.MANUAL]
    assert all(r.status is not ItemStatus.PASS for r in manual)
    # The unauthenticated POST /run that runs commands fails the routes item; /deploy does not.
    routes = _item(checklist, "routes-authenticated")
    assert routes.status is ItemStatus.FAIL
    assert [(e.line, e.text.split(":")[0]) for e in routes.evidence] == [
        (9, "CF-PY-UNAUTHENTICATED-ACTION")
    ]
    inventory = {(r.path, r.auth, r.operations) for r in checklist.routes}
    assert inventory == {
        ("/run", "", ("run commands",)),
        ("/deploy", "@login_required", ("run commands",)),
    }
    text = render(checklist, "md")
    assert "| ⚠ | POST | `/run` | `ops.py:9` run | flask | none | run commands |" in text
    assert "| ➖ not applicable | LLM calls are bounded" in text
    html = render(checklist, "html")
    assert "<td><code>/deploy</code></td>" in html and "@login_required" in html
