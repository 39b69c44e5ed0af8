"""Minimal valid instances of JSON Schemas: tool-call arguments and structured outputs.

The instance holds the required properties only, each with the simplest value its type and
constraints allow (``const``, then the first ``enum`` value, then a formatted sample or a number in
range). Handled: ``type`` (also lists and the upper-case names Gemini uses), ``properties`` /
``required``, ``minProperties``, ``items`` / ``prefixItems`` / ``minItems`` / ``uniqueItems``,
``minLength`` / ``maxLength``, common ``format`` values, ``pattern`` (a string built from the
regular expression itself: the first alternative, the minimum repetitions), ``minimum`` /
``maximum`` / exclusive bounds / ``multipleOf``, ``anyOf`` / ``oneOf`` (first branch), ``allOf``
(merged), ``$ref`` into ``$defs`` / ``definitions``.
"""

from __future__ import annotations

import importlib
import math
import re
from typing import Any

from confiance.domain.types import JSONObject

__all__ = ["minimal_instance", "pattern_sample"]

# The standard library's own regular-expression parser (public as sre_parse until 3.11, which
# now warns on import): walking its tree is the reliable way to build a matching string.
_re_parser: Any = importlib.import_module("re._parser")

_MAX_DEPTH = 24
_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "hostname": "example.com",
}


def minimal_instance(schema: Any, *, word: str = "example") -> Any:
    """A small value valid for ``schema``; strings are built from ``word``."""
    return _Builder(schema if isinstance(schema, dict) else {}, word).build(schema, 0, 0)


class _Builder:
    def __init__(self, root: JSONObject, word: str) -> None:
        self.root = root
        self.word = word

    def build(self, schema: Any, variant: int, depth: int) -> Any:
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return {}
        schema = self._resolve(schema)
        if "const" in schema:
            return schema["const"]
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return enum[variant % len(enum)]
        for key in ("anyOf", "oneOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                return self.build(_prefer_non_null(branches), variant, depth + 1)
        if isinstance(schema.get("allOf"), list):
            return self.build(self._merge(schema), variant, depth + 1)
        kind = _type_of(schema)
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, depth)
        if kind == "integer":
            return int(_number(schema, variant, integral=True))
        if kind == "number":
            return _number(schema, variant, integral=False)
        if kind == "boolean":
            return variant % 2 == 0
        if kind == "null":
            return None
        return self._string(schema, variant)

    def _resolve(self, schema: JSONObject) -> JSONObject:
        seen = 0
        while isinstance(schema.get("$ref"), str) and seen < _MAX_DEPTH:
            target: Any = self.root
            for part in str(schema["$ref"]).removeprefix("#").strip("/").split("/"):
                if not part:
                    continue
                target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
                if not isinstance(target, dict):
                    return {}
            schema = target
            seen += 1
        return schema

    def _merge(self, schema: JSONObject) -> JSONObject:
        merged: JSONObject = {k: v for k, v in schema.items() if k != "allOf"}
        properties: JSONObject = dict(merged.get("properties") or {})
        required: list[str] = list(merged.get("required") or [])
        for part in schema["allOf"]:
            part = self._resolve(part) if isinstance(part, dict) else {}
            for key, value in part.items():
                if key == "properties" and isinstance(value, dict):
                    properties.update(value)
                elif key == "required" and isinstance(value, list):
                    required.extend(name for name in value if name not in required)
                elif key != "allOf":
                    merged.setdefault(key, value)
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = required
        return merged

    def _object(self, schema: JSONObject, depth: int) -> JSONObject:
        properties = schema.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        names = [n for n in schema.get("required") or [] if isinstance(n, str)]
        wanted = schema.get("minProperties")
        if isinstance(wanted, int):
            names += [n for n in properties if n not in names][: max(0, wanted - len(names))]
        return {name: self.build(properties.get(name, {}), 0, depth + 1) for name in names}

    def _array(self, schema: JSONObject, depth: int) -> list[Any]:
        prefix = schema.get("prefixItems")
        prefix = prefix if isinstance(prefix, list) else []
        items = schema.get("items")
        count = max(int(schema.get("minItems") or 0), len(prefix))
        values = []
        for index in range(count):
            item_schema = prefix[index] if index < len(prefix) else items
            # Each item gets its own variant so ``uniqueItems`` holds.
            values.append(self.build(item_schema or {}, index, depth + 1))
        return values

    def _string(self, schema: JSONObject, variant: int) -> str:
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            sample = pattern_sample(pattern, self.word)
            if sample is not None:
                return sample
        fmt = schema.get("format")
        text = _FORMATS.get(fmt, "") if isinstance(fmt, str) else ""
        if not text:
            text = self.word if variant == 0 else f"{self.word}-{variant}"
        low = schema.get("minLength")
        if isinstance(low, int) and len(text) < low:
            text += "x" * (low - len(text))
        high = schema.get("maxLength")
        if isinstance(high, int) and len(text) > high:
            text = text[:high] if variant == 0 else (str(variant) * high)[:high]
        return text


def _prefer_non_null(branches: list[Any]) -> Any:
    for branch in branches:
        if not (isinstance(branch, dict) and _type_of(branch) == "null"):
            return branch
    return branches[0]


def _type_of(schema: JSONObject) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        named = [str(k).lower() for k in kind if str(k).lower() != "null"]
        return named[0] if named else "null"
    if isinstance(kind, str):
        return kind.lower()
    if "properties" in schema or "required" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    return "string"


def _number(schema: JSONObject, variant: int, *, integral: bool) -> float:
    step = schema.get("multipleOf")
    step = float(step) if isinstance(step, int | float) and step > 0 else (1.0 if integral else 0)
    low = _bound(schema, "minimum", "exclusiveMinimum", step or 1.0, upward=True)
    high = _bound(schema, "maximum", "exclusiveMaximum", step or 1.0, upward=False)
    value = float(variant)
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    if step:
        value = math.ceil(value / step - 1e-9) * step
        if high is not None and value > high:
            value = math.floor(high / step + 1e-9) * step
    return float(round(value)) if integral else value


def _bound(
    schema: JSONObject, inclusive: str, exclusive: str, step: float, *, upward: bool
) -> float | None:
    value = schema.get(inclusive)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    edge = schema.get(exclusive)
    if isinstance(edge, int | float) and not isinstance(edge, bool):
        # Step strictly inside the open bound (half a step keeps non-integers valid too).
        return float(edge) + (step / 2 if upward else -step / 2)
    return None


_CATEGORY_SAMPLES = {
    "CATEGORY_DIGIT": "0",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": "-",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
}
_CATEGORY_CLASSES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
}
_CANDIDATES = "a0xA_- .Z9@"


def pattern_sample(pattern: str, word: str = "example") -> str | None:
    """A string that ``re.search(pattern, ...)`` accepts: ``word`` when it already does, else
    one built from the pattern; ``None`` when the pattern is invalid or too clever."""
    try:
        if re.search(pattern, word):
            return word
        text = _emit(_re_parser.parse(pattern))
        return text if re.search(pattern, text) else None
    except (re.error, RecursionError, ValueError, OverflowError, TypeError):
        return None


def _emit(items: Any) -> str:
    out: list[str] = []
    for op, value in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(value))
        elif name == "NOT_LITERAL":
            out.append("b" if value == ord("a") else "a")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_class_sample(value))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _, sub = value
            out.append(_emit(sub) * low)
        elif name == "SUBPATTERN":
            out.append(_emit(value[-1]))
        elif name == "ATOMIC_GROUP":
            out.append(_emit(value))
        elif name == "BRANCH":
            out.append(_emit(value[1][0]))
        elif name == "CATEGORY":
            out.append(_CATEGORY_SAMPLES.get(str(value), "a"))
        # Anchors, lookarounds and back-references add no characters of their own.
    return "".join(out)


def _class_sample(items: list[Any]) -> str:
    negated = bool(items) and str(items[0][0]) == "NEGATE"
    members = items[1:] if negated else items
    if not negated and members:
        op, value = members[0]
        name = str(op)
        if name == "LITERAL":
            return chr(value)
        if name == "RANGE":
            return chr(value[0])
    for candidate in _CANDIDATES:
        if _in_class(candidate, members) != negated:
            return candidate
    return "a"


def _in_class(char: str, members: list[Any]) -> bool:
    code = ord(char)
    for op, value in members:
        name = str(op)
        if name == "LITERAL" and code == value:
            return True
        if name == "RANGE" and value[0] <= code <= value[1]:
            return True
        if name == "CATEGORY" and re.fullmatch(_CATEGORY_CLASSES.get(str(value), "(?!)"), char):
            return True
    return False
