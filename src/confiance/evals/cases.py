"""Eval cases ready to run, and how a suite's specs become them.

A case is expanded once: the conversation is built (system prompt, input or messages or the
rendered template), parameters and tags are merged with the suite defaults, and every assertion
is validated by the registry. Text fields are Jinja templates rendered (sandboxed, undefined
variables are errors) with the case's ``vars`` (or dataset row) and the run's variables, such as
``canary``; a text without ``{{`` or ``{%`` is used as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from pydantic import ValidationError

from confiance.config.problems import Issue
from confiance.domain.types import JSONObject
from confiance.evals.assertions.base import Assertion
from confiance.evals.assertions.registry import AssertionRegistry, UnknownAssertionKind
from confiance.evals.problems import Path, model_issues
from confiance.evals.suite import CASE_ID_PATTERN, CaseSpec, DatasetSpec, SuiteSpec

__all__ = ["CaseBuilder", "CaseProblems", "EvalCase", "render"]

_CASE_ID = re.compile(CASE_ID_PATTERN)
# Prompts are not HTML: escaping would corrupt them. The sandbox blocks attribute tricks.
_ENV = SandboxedEnvironment(
    undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
)


@dataclass(frozen=True, slots=True)
class EvalCase:
    """One case: what to send, how many times, and what must hold of each answer."""

    id: str
    messages: tuple[JSONObject, ...]
    assertions: tuple[Assertion, ...]
    params: JSONObject = field(default_factory=dict)
    tools: tuple[JSONObject, ...] = ()
    tags: tuple[str, ...] = ()
    category: str | None = None
    repeats: int = 1
    variables: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    description: str = ""

    def body(self, model: str, seed: int | None = None) -> JSONObject:
        """The OpenAI chat-completions body for ``model``; ``seed`` is added unless the case
        sets its own."""
        body: JSONObject = {"model": model, "messages": list(self.messages), **self.params}
        if self.tools:
            body["tools"] = list(self.tools)
        if seed is not None and "seed" not in self.params:
            body["seed"] = seed
        return body


class CaseProblems(Exception):
    """The issues that kept one case from being built (paths relative to the suite file)."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(issue.message for issue in issues))
        self.issues = issues


@lru_cache(maxsize=4096)
def _template(text: str) -> jinja2.Template:
    return _ENV.from_string(text)


def render(text: str, variables: Mapping[str, Any]) -> str:
    """``text`` rendered with ``variables``. Raises ``ValueError`` naming the problem."""
    if "{{" not in text and "{%" not in text:
        return text
    try:
        return _template(text).render(variables)
    except jinja2.UndefinedError as error:
        raise ValueError(
            f"template error: {error.message} (define it in the case's vars)"
        ) from None
    except jinja2.TemplateError as error:
        raise ValueError(f"template error: {error}") from None


def _render_value(value: Any, variables: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return render(value, variables)
    if isinstance(value, list):
        return [_render_value(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: _render_value(item, variables) for key, item in value.items()}
    return value


class CaseBuilder:
    """Builds the cases of one suite; ``variables`` are the run's (e.g. ``canary``)."""

    def __init__(
        self, spec: SuiteSpec, registry: AssertionRegistry, variables: Mapping[str, Any]
    ) -> None:
        self.spec = spec
        self.registry = registry
        self.variables = dict(variables)

    def inline(self, index: int, case: CaseSpec, source: str) -> EvalCase:
        """Case ``index`` of ``cases:``. Raises :class:`CaseProblems`."""
        path: Path = ("cases", index)
        variables = {**case.vars, **self.variables}
        issues: list[Issue] = []
        messages = self._messages(case, variables, path, issues)
        own = [(spec, (*path, "assert", j)) for j, spec in enumerate(case.assertions)]
        assertions = self._assertions(case.default_assertions, own, variables, issues)
        if issues:
            raise CaseProblems(issues)
        return EvalCase(
            id=case.id or f"case-{index + 1}",
            messages=messages,
            assertions=assertions,
            params={**self.spec.defaults.params, **case.params},
            tools=tuple(case.tools if case.tools is not None else self.spec.defaults.tools),
            tags=_merged(self.spec.defaults.tags, case.tags),
            category=case.category,
            repeats=case.repeats or self.spec.defaults.repeats,
            variables=case.vars,
            source=source,
            description=case.description,
        )

    def row(
        self, index: int, dataset: DatasetSpec, fields: dict[str, Any], line: int, stem: str
    ) -> EvalCase:
        """A dataset row as a case. Raises ``ValueError`` with what is wrong with the row."""
        case_id = self._row_id(dataset, fields, line, stem)
        variables = {**fields, **self.variables}
        text: Any
        if dataset.input_field is not None:
            text = fields.get(dataset.input_field)
            if not isinstance(text, str) or not text:
                raise ValueError(f"field {dataset.input_field!r} is missing or not text")
        elif self.spec.defaults.template is not None:
            text = render(self.spec.defaults.template, variables)
        else:
            raise ValueError("set input_field on the dataset or defaults.template in the suite")
        issues: list[Issue] = []
        path: Path = ("datasets", index, "assert")
        own = [(spec, (*path, j)) for j, spec in enumerate(dataset.assertions)]
        assertions = self._assertions(True, own, variables, issues)
        if issues:
            raise ValueError("; ".join(f"{_dotted(i.path)}: {i.message}" for i in issues))
        return EvalCase(
            id=case_id,
            messages=(*self._system(None, variables), {"role": "user", "content": text}),
            assertions=assertions,
            params=dict(self.spec.defaults.params),
            tools=tuple(self.spec.defaults.tools),
            tags=_merged(self.spec.defaults.tags, dataset.tags),
            category=dataset.category,
            repeats=self.spec.defaults.repeats,
            variables=fields,
            source=f"{dataset.path}:{line}",
        )

    def check_kinds(self) -> list[Issue]:
        """Unknown assertion kinds anywhere in the suite (found once, not once per case)."""
        issues: list[Issue] = []
        places: list[tuple[list[dict[str, Any]], Path]] = [
            (self.spec.defaults.assertions, ("defaults", "assert"))
        ]
        places += [(c.assertions, ("cases", i, "assert")) for i, c in enumerate(self.spec.cases)]
        places += [
            (d.assertions, ("datasets", i, "assert")) for i, d in enumerate(self.spec.datasets)
        ]
        for specs, path in places:
            for j, spec in enumerate(specs):
                try:
                    self.registry.get(str(spec.get("kind")))
                except UnknownAssertionKind as error:
                    issues.append(Issue((*path, j, "kind"), str(error)))
        return issues

    def _row_id(self, dataset: DatasetSpec, fields: dict[str, Any], line: int, stem: str) -> str:
        if dataset.id_field is None:
            return f"{stem}-{line}"
        value = fields.get(dataset.id_field)
        if value is None or not _CASE_ID.match(str(value)):
            raise ValueError(f"id field {dataset.id_field!r} is missing or not a valid case id")
        return str(value)

    def _system(self, own: str | None, variables: Mapping[str, Any]) -> tuple[JSONObject, ...]:
        system = own if own is not None else self.spec.defaults.system
        if system is None:
            return ()
        return ({"role": "system", "content": render(system, variables)},)

    def _messages(
        self, case: CaseSpec, variables: Mapping[str, Any], path: Path, issues: list[Issue]
    ) -> tuple[JSONObject, ...]:
        try:
            if case.messages is not None:
                sent = [
                    _render_value(m.model_dump(exclude_none=True), variables) for m in case.messages
                ]
                has_system = any(m["role"] == "system" for m in sent)
                prefix = () if has_system else self._system(case.system, variables)
                return (*prefix, *sent)
            if case.input is not None:
                user = render(case.input, variables)
            elif self.spec.defaults.template is not None:
                user = render(self.spec.defaults.template, variables)
            else:
                issues.append(
                    Issue(
                        path,
                        "the case has no input",
                        "add input:, messages:, or vars: with defaults.template",
                    )
                )
                return ()
            return (*self._system(case.system, variables), {"role": "user", "content": user})
        except ValueError as error:
            issues.append(Issue(path, str(error)))
            return ()

    def _assertions(
        self,
        with_defaults: bool,
        own: list[tuple[dict[str, Any], Path]],
        variables: Mapping[str, Any],
        issues: list[Issue],
    ) -> tuple[Assertion, ...]:
        specs = list(own)
        if with_defaults:
            defaults = self.spec.defaults.assertions
            specs = [(s, ("defaults", "assert", j)) for j, s in enumerate(defaults)] + specs
        built: list[Assertion] = []
        for spec, path in specs:
            try:
                rendered = _render_value(spec, variables)
                built.append(self.registry.build(rendered))
            except UnknownAssertionKind:
                continue  # reported once by check_kinds()
            except ValidationError as error:
                kind = self.registry.get(str(spec.get("kind")))
                issues.extend(model_issues(error, kind, path))
            except ValueError as error:
                issues.append(Issue(path, str(error)))
        return tuple(built)


def _merged(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tag for group in groups for tag in group))


def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)
