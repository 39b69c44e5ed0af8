"""Assertions on structured answers: JSON text, JSON Schema conformance and tool calls."""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

import jsonschema
from jsonschema.validators import validator_for
from pydantic import Field, field_validator

from confiance.domain.evaluation import AssertionOutcome
from confiance.evals.assertions.base import AssertionParams, CheckContext, Observation, outcome

__all__ = ["JsonSchema", "JsonValid", "ToolCall", "check_json_schema", "parse_json_answer"]

_FENCE = re.compile(r"^\s*```(?:json)?\s*\n(?P<body>.*?)\n\s*```\s*$", re.DOTALL)


def parse_json_answer(text: str, allow_fences: bool) -> tuple[Any, str | None]:
    """``(value, None)`` when ``text`` is JSON (optionally inside a Markdown fence), else
    ``(None, why)`` naming the line and column of the first problem."""
    if allow_fences:
        fenced = _FENCE.match(text)
        if fenced is not None:
            text = fenced.group("body")
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        return None, f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"


def check_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` if it is a valid JSON Schema (of the draft it declares, else 2020-12);
    raises ``ValueError`` naming what is wrong."""
    cls = validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as error:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise ValueError(f"invalid JSON Schema at {where}: {error.message}") from None
    return schema


def _schema_problem(schema: dict[str, Any], value: Any) -> str | None:
    cls = validator_for(schema, default=jsonschema.Draft202012Validator)
    error = jsonschema.exceptions.best_match(cls(schema).iter_errors(value))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return f"at {where}: {error.message}"


class JsonValid(AssertionParams):
    """The answer is JSON (``allow_fences`` accepts it inside a ```json fence)."""

    KIND: ClassVar[str] = "json-valid"
    allow_fences: bool = False

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome:
        _, problem = parse_json_answer(observation.text, self.allow_fences)
        if problem is not None:
            return outcome(self, False, problem)
        return outcome(self, True, "valid JSON")


class JsonSchema(AssertionParams):
    """The answer is JSON valid against ``schema`` (the schema itself is checked on load)."""

    KIND: ClassVar[str] = "json-schema"
    json_schema: dict[str, Any] = Field(alias="schema")
    allow_fences: bool = False

    _valid_schema = field_validator("json_schema")(check_json_schema)

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome:
        value, problem = parse_json_answer(observation.text, self.allow_fences)
        if problem is not None:
            return outcome(self, False, problem)
        mismatch = _schema_problem(self.json_schema, value)
        if mismatch is not None:
            return outcome(self, False, f"does not match the schema {mismatch}")
        return outcome(self, True, "matches the schema")


class ToolCall(AssertionParams):
    """The answer calls a tool (``tool`` names which) with JSON arguments valid against
    ``schema``, or, when no schema is given, against the ``parameters`` of that tool as sent."""

    KIND: ClassVar[str] = "tool-call"
    tool: str | None = None
    arguments_schema: dict[str, Any] | None = Field(default=None, alias="schema")

    @field_validator("arguments_schema")
    @classmethod
    def _valid_schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else check_json_schema(value)

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome:
        calls = observation.tool_calls
        if self.tool is not None:
            calls = tuple(c for c in calls if c.name == self.tool)
        if not calls:
            made = ", ".join(c.name for c in observation.tool_calls) or "none"
            wanted = f"tool {self.tool!r}" if self.tool else "a tool"
            return outcome(self, False, f"no call to {wanted} (calls made: {made})")
        for call in calls:
            problem = self._call_problem(call.name, call.arguments, context)
            if problem is not None:
                return outcome(self, False, f"{call.name}: {problem}")
        return outcome(self, True, f"valid call to {calls[0].name}")

    def _call_problem(self, name: str, arguments: str, context: CheckContext) -> str | None:
        value, problem = parse_json_answer(arguments, allow_fences=False)
        if problem is not None:
            return f"arguments are {problem}"
        schema = self.arguments_schema or _sent_schema(name, context)
        if schema is None:
            return None if isinstance(value, dict) else "arguments are not a JSON object"
        mismatch = _schema_problem(schema, value)
        return None if mismatch is None else f"arguments do not match the schema {mismatch}"


def _sent_schema(name: str, context: CheckContext) -> dict[str, Any] | None:
    for tool in context.tools:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and function.get("name") == name:
            parameters = function.get("parameters")
            return parameters if isinstance(parameters, dict) else None
    return None
