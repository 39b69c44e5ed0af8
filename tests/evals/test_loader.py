"""Suite files: strict schema, every problem located by file and line, datasets, hashing."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from confiance.errors import ConfigError
from confiance.evals.loader import load_suite
from confiance.evals.problems import InvalidSuite


def write(tmp_path: Path, text: str, name: str = "suite.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path, **kwargs: object) -> list[str]:
    with pytest.raises(InvalidSuite) as caught:
        load_suite(path, **kwargs)  # type: ignore[arg-type]
    return [str(problem) for problem in caught.value.problems]


def test_a_valid_suite_expands_defaults_templates_and_variables(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        name: support
        defaults:
          system: "You are the bot. Token {{ canary }}."
          template: "Customer asks: {{ question }}"
          params: {temperature: 0}
          tags: [support]
          repeats: 2
          assert:
            - {kind: latency, max_ms: 5000}
        cases:
          - id: refund
            vars: {question: "Can I return shoes?"}
            tags: [returns]
            params: {max_tokens: 50}
            assert:
              - {kind: contains, value: "{{ question }}"}
          - input: plain text
            repeats: 3
            default_assertions: false
            assert:
              - {kind: regex, pattern: "\\\\d+ days", ignore_case: true}
        """,
    )
    suite = load_suite(path, variables={"canary": "CANARY-42"})
    refund, second = suite.cases
    assert refund.messages == (
        {"role": "system", "content": "You are the bot. Token CANARY-42."},
        {"role": "user", "content": "Customer asks: Can I return shoes?"},
    )
    assert refund.params == {"temperature": 0, "max_tokens": 50}
    assert refund.tags == ("support", "returns")
    assert [a.kind for a in refund.assertions] == ["latency", "contains"]
    assert refund.repeats == 2
    assert second.id == "case-2"
    assert second.repeats == 3
    assert [a.kind for a in second.assertions] == ["regex"]
    assert suite.trials == 5
    assert refund.source == f"{path}:11"
    assert refund.body("m", seed=7)["seed"] == 7


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        name: broken
        cases:
          - id: a
            input: hello
            assert:
              - kind: contians
                value: x
          - id: b
            input: hi
            assert:
              - {kind: regex, pattern: "(["}
              - {kind: contains, vaule: y}
              - {kind: json-schema, schema: {type: nonsense}}
          - id: c
            input: "{{ missing }}"
          - id: a
            input: again
            colour: blue
        """,
    )
    found = problems_of(path)
    assert found[0].startswith(f"{path}:6:15: cases[0].assert[0].kind: unknown assertion kind")
    assert "did you mean 'contains'?" in found[0]
    assert any(p.startswith(f"{path}:11:") and "invalid regular expression" in p for p in found)
    assert any(
        p.startswith(f"{path}:12:") and "unknown key 'vaule'" in p and "'value'" in p for p in found
    )
    assert any(p.startswith(f"{path}:13:") and "invalid JSON Schema" in p for p in found)
    assert any(p.startswith(f"{path}:18:") and "unknown key 'colour'" in p for p in found)


def test_template_errors_and_duplicate_ids(tmp_path: Path) -> None:
    undefined = write(tmp_path, "name: s\ncases:\n  - input: '{{ nope }}'\n")
    assert problems_of(undefined) == [
        f"{undefined}:3:5: cases[0]: template error: 'nope' is undefined "
        "(define it in the case's vars)"
    ]
    duplicated = write(tmp_path, "name: s\ncases:\n  - {id: x, input: a}\n  - {id: x, input: b}\n")
    assert problems_of(duplicated) == [
        f"{duplicated}:4:10: cases[1].id: duplicate case id 'x' (also case 1) "
        "(give each case a distinct id)"
    ]
    no_input = write(tmp_path, "name: s\ncases:\n  - {id: x, vars: {a: 1}}\n")
    assert "the case has no input" in problems_of(no_input)[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ":1:1: the file is empty"),
        ("- a\n- b\n", "the top level must be a mapping"),
        ("name: [unclosed\n", "YAML syntax error"),
        ("name: s\nname: t\ncases: [{input: a}]\n", "duplicate key 'name'"),
        ("name: s\n", "a suite needs `cases:` or `datasets:`"),
        ("name: 'bad name!'\ncases: [{input: a}]\n", "name: String should match pattern"),
        ("name: s\ncases: [{input: a, messages: [{role: user, content: b}]}]\n", "not both"),
        ("name: s\ncases: [{messages: [{role: tool, content: x}]}]\n", "tool_call_id"),
        ("name: s\ncases: [{input: a, assert: [{value: 1}]}]\n", "needs `kind:`"),
    ],
)
def test_bad_files_are_refused_precisely(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    found = problems_of(path)
    assert any(expected in problem for problem in found), found


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="suite file not found"):
        load_suite(tmp_path / "nope.yaml")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"name: s\n\xff\xfe")
    with pytest.raises(ConfigError, match=r":2: the file is not valid UTF-8"):
        load_suite(binary)


DATASET_SUITE = """\
name: data
defaults:
  template: "Q: {{ question }}"
datasets:
  - path: rows.jsonl
    id_field: id
    tags: [dataset]
    assert:
      - {kind: contains, value: "{{ expected }}"}
"""


def test_dataset_rows_become_cases_and_bad_rows_are_reported(tmp_path: Path) -> None:
    (tmp_path / "rows.jsonl").write_text(
        '{"id": "r1", "question": "capital of France?", "expected": "Paris"}\n'
        "not json\n"
        "[1, 2]\n"
        '{"id": "r4", "question": "no expectation"}\n'
        "\n"
        '{"id": "r1", "question": "dup", "expected": "x"}\n',
        encoding="utf-8",
    )
    path = write(tmp_path, DATASET_SUITE)
    suite = load_suite(path)
    assert [c.id for c in suite.cases] == ["r1"]
    assert suite.cases[0].messages[-1]["content"] == "Q: capital of France?"
    assert suite.cases[0].tags == ("dataset",)
    assert [str(p) for p in suite.skipped_rows] == [
        "rows.jsonl:2: not valid JSON: Expecting value",
        "rows.jsonl:3: a row must be a JSON object {...}",
        "rows.jsonl:4: datasets.0.assert.0: template error: 'expected' is undefined "
        "(define it in the case's vars)",
        "rows.jsonl:6: duplicate case id 'r1'",
    ]
    with pytest.raises(InvalidSuite, match=r"rows.jsonl:2:1: not valid JSON"):
        load_suite(path, strict_data=True)


def test_csv_datasets_and_the_version_hash(tmp_path: Path) -> None:
    data = tmp_path / "rows.csv"
    data.write_text('question,answer\n"2+2?",4\n"3+3?",6,extra\n', encoding="utf-8")
    path = write(
        tmp_path,
        """\
        name: math
        datasets:
          - path: rows.csv
            input_field: question
            assert: [{kind: number, value: "{{ answer }}"}]
        """,
    )
    first = load_suite(path)
    assert [c.id for c in first.cases] == ["rows-2"]
    assert [str(p) for p in first.skipped_rows] == ["rows.csv:3: has 3 cells, the header has 2"]
    assert load_suite(path).version_hash == first.version_hash
    data.write_text('question,answer\n"2+2?",5\n', encoding="utf-8")
    assert load_suite(path).version_hash != first.version_hash


def test_a_missing_dataset_points_at_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, "name: s\ndatasets:\n  - path: gone.jsonl\n")
    assert problems_of(path) == [
        f"{path}:3:11: datasets[0].path: gone.jsonl: dataset file not found "
        "(paths are relative to the suite file)"
    ]
