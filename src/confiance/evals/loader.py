"""Loading suite files: strict schema, every problem located by file and line, and a version hash.

    suite = load_suite("evals/support.yaml", variables={"canary": "CANARY-1f2e3d"})

Problems in the suite file itself (syntax, unknown keys, bad assertion parameters, undefined
template variables, duplicate case ids) are all reported at once in one :class:`InvalidSuite`.
Unreadable dataset rows are reported with their file and line; by default the other rows still
run (the problems are kept in ``skipped_rows``), with ``strict_data`` the suite is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from confiance.config.problems import ConfigProblem, InvalidConfig, Issue, Pointer
from confiance.config.yamlnodes import YamlDocument, compose_document
from confiance.errors import ConfigError
from confiance.evals.assertions.registry import AssertionRegistry, UnknownAssertionKind
from confiance.evals.cases import CaseBuilder, CaseProblems, EvalCase
from confiance.evals.datasets import RowProblem, read_dataset
from confiance.evals.problems import InvalidSuite, model_issues
from confiance.evals.strategies import StrategyRegistry, UnknownStrategy, apply_strategies
from confiance.evals.suite import GateSpec, SuiteSpec

__all__ = ["LoadedSuite", "load_suite", "merge_suites", "parse_suite", "with_strategies"]

MAX_SUITE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class LoadedSuite:
    """Cases ready to run. ``version_hash`` is the SHA-256 of the suite document and the bytes
    of its datasets: two runs with the same hash ran the same cases and assertions."""

    name: str
    description: str
    source: str
    version_hash: str
    cases: tuple[EvalCase, ...]
    gate: GateSpec
    skipped_rows: tuple[RowProblem, ...] = ()

    @property
    def trials(self) -> int:
        """Case repeats in all: how many calls a full run makes."""
        return sum(case.repeats for case in self.cases)

    def case(self, case_id: str) -> EvalCase | None:
        return next((c for c in self.cases if c.id == case_id), None)


def load_suite(
    path: str | Path,
    *,
    registry: AssertionRegistry | None = None,
    variables: Mapping[str, Any] | None = None,
    strict_data: bool = False,
    categories: Collection[str] | None = None,
) -> LoadedSuite:
    """Read and expand a suite file. Raises ``ConfigError`` (``InvalidSuite`` listing every
    problem of the content)."""
    file = Path(path)
    try:
        if not file.exists():
            raise ConfigError(f"suite file not found: {file}")
        if not file.is_file():
            raise ConfigError(f"{file}: not a file (pass the path of a suite YAML file)")
        if file.stat().st_size > MAX_SUITE_BYTES:
            raise ConfigError(f"{file}: a suite file may be at most {MAX_SUITE_BYTES} bytes")
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"suite file not found: {file}") from None
    except OSError as error:
        raise ConfigError(f"cannot read {file}: {error.strerror}") from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ConfigError(f"{file}:{line}: the file is not valid UTF-8; save it as UTF-8") from None
    return parse_suite(
        text,
        str(file),
        base_dir=file.parent,
        registry=registry,
        variables=variables,
        strict_data=strict_data,
        categories=categories,
    )


def parse_suite(
    text: str,
    source: str,
    *,
    base_dir: Path,
    registry: AssertionRegistry | None = None,
    variables: Mapping[str, Any] | None = None,
    strict_data: bool = False,
    categories: Collection[str] | None = None,
) -> LoadedSuite:
    """Validate and expand suite ``text`` (``source`` names it in messages; dataset paths are
    relative to ``base_dir``). With ``categories`` (a probe pack's), every case must carry one
    of them. The suite's ``strategies`` add their rewritten copies of each case."""
    document = _compose(text, source)
    registry = registry or AssertionRegistry.default()
    try:
        spec = SuiteSpec.model_validate(document.data)
    except ValidationError as error:
        issues = model_issues(error, SuiteSpec) + _raw_assertion_issues(document.data, registry)
        raise InvalidSuite(_located(document, issues)) from None
    builder = CaseBuilder(spec, registry, variables or {})
    issues = builder.check_kinds() + _strategy_issues(spec)
    if categories is not None:
        issues += _category_issues(spec, categories)
    cases: list[EvalCase] = []
    for index, case in enumerate(spec.cases):
        line = document.locate(Issue(("cases", index), "")).line
        try:
            cases.append(builder.inline(index, case, f"{source}:{line}"))
        except CaseProblems as problems:
            issues.extend(problems.issues)
    issues += _duplicate_ids(cases, spec)
    if issues:
        raise InvalidSuite(_located(document, issues))
    digest = hashlib.sha256(_canonical(document.data).encode())
    skipped: list[RowProblem] = []
    for index in range(len(spec.datasets)):
        try:
            cases += _dataset_cases(
                builder, index, base_dir, {c.id for c in cases}, skipped, digest
            )
        except ConfigError as error:
            issue = Issue(("datasets", index, "path"), error.message)
            raise InvalidSuite(_located(document, [issue])) from None
    if skipped and strict_data:
        raise InvalidSuite([ConfigProblem(p.source, p.line, 1, (), p.message) for p in skipped])
    cases = apply_strategies(cases, spec.strategies)
    return LoadedSuite(
        spec.name,
        spec.description,
        source,
        digest.hexdigest(),
        tuple(cases),
        spec.gate,
        tuple(skipped),
    )


def merge_suites(name: str, description: str, suites: Sequence[LoadedSuite]) -> LoadedSuite:
    """One suite holding the cases of ``suites`` (a probe pack); ids must be distinct. The
    hash covers every part's hash in order; the gate is the first part's."""
    seen: dict[str, str] = {}
    problems: list[ConfigProblem] = []
    for suite in suites:
        for case in suite.cases:
            if case.id in seen:
                message = f"case id {case.id!r} is also used in {seen[case.id]}"
                problems.append(ConfigProblem(suite.source, None, None, (), message))
            seen[case.id] = suite.source
    if problems:
        raise InvalidSuite(problems)
    digest = hashlib.sha256("\x1e".join(s.version_hash for s in suites).encode()).hexdigest()
    return LoadedSuite(
        name=name,
        description=description,
        source=", ".join(s.source for s in suites),
        version_hash=digest,
        cases=tuple(c for s in suites for c in s.cases),
        gate=suites[0].gate if suites else GateSpec(),
        skipped_rows=tuple(p for s in suites for p in s.skipped_rows),
    )


def with_strategies(suite: LoadedSuite, strategies: Collection[str]) -> LoadedSuite:
    """``suite`` with each case's rewritten copies under ``strategies`` added (the version
    hash covers their names). Raises ``ConfigError`` for an unknown strategy."""
    if not strategies:
        return suite
    try:
        cases = apply_strategies(suite.cases, strategies)
    except UnknownStrategy as error:
        raise ConfigError(str(error)) from None
    digest = hashlib.sha256(f"{suite.version_hash}:{','.join(strategies)}".encode()).hexdigest()
    return replace(suite, cases=tuple(cases), version_hash=digest)


def _strategy_issues(spec: SuiteSpec) -> list[Issue]:
    registry = StrategyRegistry.default()
    issues: list[Issue] = []
    for index, name in enumerate(spec.strategies):
        try:
            registry.get(name)
        except UnknownStrategy as error:
            issues.append(Issue(("strategies", index), str(error), pointer=Pointer.VALUE))
    return issues


def _category_issues(spec: SuiteSpec, categories: Collection[str]) -> list[Issue]:
    known = ", ".join(sorted(categories))
    issues: list[Issue] = []
    places = [(("cases", i), c.category) for i, c in enumerate(spec.cases)]
    places += [(("datasets", i), d.category) for i, d in enumerate(spec.datasets)]
    for path, category in places:
        if category is None:
            issues.append(Issue(path, f"a probe needs `category:` (one of {known})"))
        elif category not in categories:
            message = f"unknown category {category!r} (the pack's categories: {known})"
            issues.append(Issue((*path, "category"), message, pointer=Pointer.VALUE))
    return issues


def _raw_assertion_issues(data: object, registry: AssertionRegistry) -> list[Issue]:
    """Assertion problems in a document that failed the schema, so one pass reports them too
    (specs holding templates are skipped: their values are only known per case)."""
    if not isinstance(data, dict):
        return []
    places: list[tuple[object, tuple[str | int, ...]]] = []
    defaults = data.get("defaults")
    if isinstance(defaults, dict):
        places.append((defaults.get("assert"), ("defaults", "assert")))
    for section in ("cases", "datasets"):
        items = data.get(section)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                places.append((item.get("assert"), (section, index, "assert")))
    issues: list[Issue] = []
    for specs, path in places:
        for j, spec in enumerate(specs if isinstance(specs, list) else []):
            if isinstance(spec, dict) and "{{" not in _canonical(spec):
                issues += _spec_issues(spec, (*path, j), registry)
    return issues


def _spec_issues(
    spec: dict[str, Any], path: tuple[str | int, ...], registry: AssertionRegistry
) -> list[Issue]:
    try:
        registry.build(spec)
    except UnknownAssertionKind as error:
        return [Issue((*path, "kind"), str(error))]
    except ValidationError as error:
        return model_issues(error, registry.get(str(spec.get("kind"))), path)
    return []


def _compose(text: str, source: str) -> YamlDocument:
    if not text.strip():
        problem = ConfigProblem(source, 1, 1, (), "the file is empty", "start with `name:`")
        raise InvalidSuite([problem])
    try:
        document, duplicates = compose_document(text, source)
    except InvalidConfig as error:
        # The config composer's hints name config sections; give suite ones instead.
        raise InvalidSuite([_suite_hint(p) for p in error.problems]) from None
    if duplicates:
        raise InvalidSuite(duplicates)
    return document


def _suite_hint(problem: ConfigProblem) -> ConfigProblem:
    if problem.message.startswith("the top level must be a mapping"):
        return replace(problem, hint="start with keys such as `name:`, `defaults:` and `cases:`")
    return problem


def _located(document: YamlDocument, issues: list[Issue]) -> list[ConfigProblem]:
    problems = {str(p): p for p in (document.locate(issue) for issue in issues)}
    return sorted(problems.values(), key=lambda p: (p.line or 0, p.column or 0))


def _duplicate_ids(cases: list[EvalCase], spec: SuiteSpec) -> list[Issue]:
    issues: list[Issue] = []
    first: dict[str, int] = {}
    for index, case in enumerate(cases):
        if case.id in first:
            message = f"duplicate case id {case.id!r} (also case {first[case.id] + 1})"
            path = ("cases", index, "id") if spec.cases[index].id else ("cases", index)
            issues.append(Issue(path, message, "give each case a distinct id", Pointer.VALUE))
        first.setdefault(case.id, index)
    return issues


def _dataset_cases(
    builder: CaseBuilder,
    index: int,
    base_dir: Path,
    taken: set[str],
    skipped: list[RowProblem],
    digest: Any,
) -> list[EvalCase]:
    dataset = builder.spec.datasets[index]
    file = base_dir / dataset.path
    rows, problems, raw = read_dataset(file, dataset.format, dataset.path)
    digest.update(b"\x1e" + hashlib.sha256(raw).digest())
    skipped.extend(problems)
    cases: list[EvalCase] = []
    for row in rows[: dataset.limit]:
        try:
            case = builder.row(index, dataset, row.fields, row.line, file.stem)
        except ValueError as error:
            skipped.append(RowProblem(dataset.path, row.line, str(error)))
            continue
        if case.id in taken:
            skipped.append(RowProblem(dataset.path, row.line, f"duplicate case id {case.id!r}"))
            continue
        taken.add(case.id)
        cases.append(case)
    return cases


def _canonical(data: object) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
