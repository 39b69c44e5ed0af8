"""Assertions on the answer's text: equality, substrings, patterns, prefixes and length."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from confiance.domain.evaluation import AssertionOutcome
from confiance.evals.assertions.base import AssertionParams, CheckContext, Observation, outcome

__all__ = ["Contains", "Equals", "Length", "NotContains", "NotRegex", "Regex", "StartsWith"]

_SHOWN = 60


def _shown(text: str) -> str:
    return repr(text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "...")


def _fold(text: str, ignore_case: bool) -> str:
    return text.casefold() if ignore_case else text


class _Substrings(AssertionParams):
    """``value`` (one string) or ``values`` (several)."""

    value: str | None = None
    values: list[str] = Field(default_factory=list)
    ignore_case: bool = False

    @model_validator(mode="after")
    def _some_value(self) -> _Substrings:
        if (self.value is None) == (not self.values):
            raise ValueError("give either value (one string) or values (a list), not both")
        if any(not v for v in self.needles):
            raise ValueError("values must not be empty strings")
        return self

    @property
    def needles(self) -> list[str]:
        return [self.value] if self.value is not None else list(self.values)

    def found(self, text: str) -> list[str]:
        haystack = _fold(text, self.ignore_case)
        return [n for n in self.needles if _fold(n, self.ignore_case) in haystack]


class Equals(AssertionParams):
    """The whole answer equals ``value`` (``strip`` trims whitespace first)."""

    KIND: ClassVar[str] = "equals"
    value: str
    ignore_case: bool = False
    strip: bool = True

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome:
        text = observation.text.strip() if self.strip else observation.text
        expected = self.value.strip() if self.strip else self.value
        if _fold(text, self.ignore_case) == _fold(expected, self.ignore_case):
            return outcome(self, True, "the answer equals the expected value")
        return outcome(self, False, f"expected {_shown(expected)}, got {_shown(text)}")


class Contains(_Substrings):
    """The answer contains ``any`` (default) or ``all`` of the values."""

    KIND: ClassVar[str] = "contains"
    mode: Literal["any", "all"] = "any"

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome:
        found = self.found(observation.text)
        needles = self.needles
        wanted = len(needles) if self.mode == "all" else 1
        score = len(found) / len(needles)
        if len(found) >= wanted:
            return outcome(self, True, f"found {', '.join(map(_shown, found))}", score)
        missing = [n for n in needles if n not in found]
        return outcome(self, False, f"missing {', '.join(map(_shown, missing))}", score)


class NotContains(_Substrings):
    """The answer contains none of the values."""

    KIND: ClassVar[str] = "not-contains"

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome:
        found = self.found(observation.text)
        if found:
            return outcome(self, False, f"the answer contains {', '.join(map(_shown, found))}")
        return outcome(self, True, "none of the values appear")


class _Pattern(AssertionParams):
    pattern: str
    ignore_case: bool = False
    multiline: bool = False
    _compiled: re.Pattern[str] = PrivateAttr()

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"invalid regular expression: {error}") from None
        return value

    def model_post_init(self, context: Any) -> None:
        flags = (re.IGNORECASE if self.ignore_case else 0) | (re.MULTILINE if self.multiline else 0)
        self._compiled = re.compile(self.pattern, flags)


class Regex(_Pattern):
    """The answer matches ``pattern`` somewhere (Python ``re`` syntax)."""

    KIND: ClassVar[str] = "regex"

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome:
        match = self._compiled.search(observation.text)
        if match is not None:
            return outcome(self, True, f"matched {_shown(match.group(0))}")
        return outcome(self, False, f"no match for /{self.pattern}/")


class NotRegex(_Pattern):
    """The answer does not match ``pattern`` anywhere."""

    KIND: ClassVar[str] = "not-regex"

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome:
        match = self._compiled.search(observation.text)
        if match is None:
            return outcome(self, True, f"no match for /{self.pattern}/")
        return outcome(self, False, f"matched {_shown(match.group(0))}")


class StartsWith(AssertionParams):
    """The answer (leading whitespace ignored) starts with ``value``."""

    KIND: ClassVar[str] = "starts-with"
    value: str = Field(min_length=1)
    ignore_case: bool = False

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome:
        text = _fold(observation.text.lstrip(), self.ignore_case)
        if text.startswith(_fold(self.value, self.ignore_case)):
            return outcome(self, True, f"starts with {_shown(self.value)}")
        return outcome(self, False, f"starts with {_shown(observation.text.lstrip()[:40])}")


class Length(AssertionParams):
    """Bounds on the answer's length in characters and/or words (inclusive)."""

    KIND: ClassVar[str] = "length"
    min_chars: int | None = Field(default=None, ge=0)
    max_chars: int | None = Field(default=None, ge=0)
    min_words: int | None = Field(default=None, ge=0)
    max_words: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _some_bound(self) -> Length:
        if all(v is None for v in (self.min_chars, self.max_chars, self.min_words, self.max_words)):
            raise ValueError("set at least one of min_chars, max_chars, min_words, max_words")
        return self

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome:
        chars, words = len(observation.text), len(observation.text.split())
        problems = [
            f"{name} {value} {op} {bound}"
            for name, value, bound, op in (
                ("chars", chars, self.min_chars, "<"),
                ("chars", chars, self.max_chars, ">"),
                ("words", words, self.min_words, "<"),
                ("words", words, self.max_words, ">"),
            )
            if bound is not None and (value < bound if op == "<" else value > bound)
        ]
        if problems:
            return outcome(self, False, "; ".join(problems))
        return outcome(self, True, f"{chars} chars, {words} words within bounds")
