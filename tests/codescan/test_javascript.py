"""JavaScript/TypeScript analyzer: the labelled corpus and the behaviour behind the rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from confiance.codescan import ScanOptions, scan
from confiance.codescan.findings import rules
from confiance.codescan.javascript import analyze, dialect_for

from .corpus_labels import CORPUS, corpus_files, labels_in, observed

JS = CORPUS / "js"


@pytest.fixture(scope="module")
def corpus_scan() -> list:
    result = scan([JS], ScanOptions(root=JS, jobs=1))
    assert result.skipped == ()
    return list(result.findings)


@pytest.mark.parametrize("path", corpus_files(JS), ids=lambda p: p.name)
def test_corpus_file_reports_exactly_its_labels(path: Path, corpus_scan: list) -> None:
    rel = path.relative_to(JS).as_posix()
    expected = labels_in(path, JS)
    found = {label for label in observed(corpus_scan, ("CF-",)) if label[0] == rel}
    assert found - expected == set(), "false positives"
    assert expected - found == set(), "missed"


def test_corpus_covers_every_js_rule() -> None:
    labelled = {rule for p in corpus_files(JS) for _, _, rule in labels_in(p, JS)}
    assert {r.id for r in rules.all() if r.id.startswith("CF-JS-")} <= labelled


def test_model_output_finding_has_a_trace_from_the_source_line() -> None:
    source = (
        "async function f(el) {\n"
        "  const r = await client.chat.completions.create({});\n"
        "  const text = r.choices[0].message.content;\n"
        "  el.innerHTML = text;\n"
        "}\n"
    )
    [finding] = analyze(source, "web/f.js")
    assert finding.rule_id == "CF-JS-XSS-LLM"
    assert finding.line == 4
    assert finding.column == 3
    assert finding.trace[0].startswith("web/f.js:2:")
    assert finding.trace[-1].startswith("web/f.js:4:")


def test_sanitizing_clears_taint_in_order() -> None:
    source = (
        "function f(el, c) {\n"
        "  let t = c.choices[0].message.content;\n"
        "  t = DOMPurify.sanitize(t);\n"
        "  el.innerHTML = t;\n"
        "  t = c.choices[0].message.content;\n"
        "  el.innerHTML = t;\n"
        "}\n"
    )
    assert [(f.rule_id, f.line) for f in analyze(source, "f.js")] == [("CF-JS-XSS-LLM", 6)]


def test_taint_flows_into_nested_callbacks_but_not_between_sibling_functions() -> None:
    source = (
        "function a(el, c) {\n"
        "  const t = c.choices[0].message.content;\n"
        "  items.forEach((x) => { el.innerHTML = t; });\n"
        "}\n"
        "function b(el, t) {\n"
        "  el.innerHTML = t;\n"
        "}\n"
    )
    found = [(f.rule_id, f.line) for f in analyze(source, "f.js")]
    assert found == [("CF-JS-XSS-LLM", 3), ("CF-JS-XSS", 6)]


def test_broken_syntax_is_recovered_and_the_valid_part_is_still_checked() -> None:
    source = "function broken( {\n  return ;;; }}}\n}\neval(userInput);\n"
    found = analyze(source, "broken.js")
    assert ("CF-JS-EVAL", 4) in [(f.rule_id, f.line) for f in found]


def test_typescript_generics_and_casts_parse_with_the_right_dialect() -> None:
    source = (
        "function f<T>(el: HTMLElement, c: any): void {\n"
        "  const t = (c.choices[0].message.content as string)!;\n"
        "  el.innerHTML = t;\n"
        "}\n"
    )
    assert dialect_for("a.ts") == "typescript"
    assert dialect_for("a.tsx") == "tsx"
    assert [f.rule_id for f in analyze(source, "a.ts")] == ["CF-JS-XSS-LLM"]


def test_routes_are_not_reported_when_no_sibling_uses_auth() -> None:
    source = "app.get('/a', (q, s) => s.end());\napp.post('/b', (q, s) => s.end());\n"
    assert analyze(source, "server.js") == []


def test_use_with_path_prefix_guards_only_that_prefix() -> None:
    source = (
        "app.use('/api', requireAuth);\n"
        "app.post('/api/items', (q, s) => s.end());\n"
        "app.post('/internal/items', (q, s) => s.end());\n"
    )
    found = [(f.rule_id, f.line) for f in analyze(source, "server.js")]
    assert found == [("CF-JS-ROUTE-NO-AUTH", 3)]


def test_minified_bundle_is_only_scanned_for_secrets(tmp_path: Path) -> None:
    key = "sk-proj-" + "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm1Qw2Er3Ty4Ui5Op6As7"
    bundle = "var a=1;" * 1000 + f'var k="{key}";eval(a);'
    (tmp_path / "app.min.js").write_text(bundle)
    result = scan([tmp_path], ScanOptions(root=tmp_path, jobs=1))
    assert [f.rule_id for f in result.findings] == ["CF-SECRET-OPENAI"]
    assert result.skipped[0].partial
    assert "minified" in result.skipped[0].reason


def test_express_routes_enter_the_inventory_with_auth_and_operations() -> None:
    from confiance.codescan.javascript import analyze_module

    source = (CORPUS / "js" / "ops_server.js").read_text()
    _, routes = analyze_module(source, "ops_server.js")
    assert [(r.methods, r.path, r.handler, r.auth, r.operations) for r in routes] == [
        (("POST",), "/run", "inline arrow function", "", ("run commands",)),
        (("POST",), "/run-protected", "inline arrow function", "requireAuth", ("run commands",)),
        (("POST",), "/signup", "inline arrow function", "", ("write to the store",)),
        (("POST",), "/notes", "saveNote", "", ("write to the store",)),
        (("GET",), "/notes", "inline arrow function", "", ()),
    ]
    assert {r.framework for r in routes} == {"express"}
