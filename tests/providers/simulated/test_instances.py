"""Minimal instances of JSON Schemas are valid for them."""

from __future__ import annotations

import re

import jsonschema
import pytest

from confiance.providers.simulated.instances import minimal_instance, pattern_sample

SCHEMAS = [
    {"type": "string"},
    {"type": "string", "minLength": 20, "maxLength": 25},
    {"type": "string", "maxLength": 2},
    {"type": "string", "format": "email"},
    {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
    {"type": "integer", "minimum": 5, "maximum": 9, "multipleOf": 3},
    {"type": "integer", "exclusiveMinimum": 0},
    {"type": "number", "exclusiveMaximum": -1},
    {"type": "number", "minimum": 0.25, "multipleOf": 0.25},
    {"type": ["null", "boolean"]},
    {"enum": ["red", "green"]},
    {"const": {"fixed": True}},
    {"type": "array", "items": {"type": "integer"}, "minItems": 4, "uniqueItems": True},
    {
        "type": "array",
        "items": {"type": "string", "enum": ["a", "b", "c"]},
        "minItems": 3,
        "uniqueItems": True,
    },
    {"type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}]},
    {
        "anyOf": [
            {"type": "null"},
            {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]},
        ]
    },
    {"oneOf": [{"type": "integer", "minimum": 3}, {"type": "string"}]},
    {
        "allOf": [
            {"properties": {"a": {"type": "string"}}, "required": ["a"]},
            {"properties": {"b": {"type": "integer"}}, "required": ["b"]},
        ]
    },
    {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
        "minProperties": 2,
    },
    {
        "type": "object",
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}, "minItems": 1},
                },
                "required": ["id", "tags"],
            },
            "tag": {"type": "string", "pattern": "^#[a-z]+$"},
        },
        "properties": {"root": {"$ref": "#/$defs/node"}},
        "required": ["root"],
        "additionalProperties": False,
    },
    {
        "definitions": {"n": {"type": "integer"}},
        "type": "object",
        "properties": {"n": {"$ref": "#/definitions/n"}},
        "required": ["n"],
    },
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=[str(i) for i in range(len(SCHEMAS))])
def test_minimal_instance_is_valid(schema: dict) -> None:
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(minimal_instance(schema, word="sample"))


def test_only_required_properties_are_filled() -> None:
    schema = {
        "type": "object",
        "properties": {"need": {"type": "integer"}, "optional": {"type": "string"}},
        "required": ["need"],
    }
    assert minimal_instance(schema) == {"need": 0}


def test_gemini_upper_case_types() -> None:
    schema = {"type": "OBJECT", "properties": {"n": {"type": "INTEGER"}}, "required": ["n"]}
    assert minimal_instance(schema) == {"n": 0}


def test_self_referencing_schema_terminates() -> None:
    schema = {
        "$ref": "#",
        "type": "object",
        "properties": {"next": {"$ref": "#"}},
        "required": ["next"],
    }
    assert isinstance(minimal_instance(schema), dict)


@pytest.mark.parametrize(
    "pattern",
    [
        r"^\d{3}-\d{2}$",
        r"^(GET|POST)$",
        r"^[^0-9]+x$",
        r"^\S+@\S+\.\w+$",
        r"v\d+\.\d+",
        r"^[a-f0-9]{8}$",
    ],
)
def test_pattern_samples_match(pattern: str) -> None:
    sample = pattern_sample(pattern, "zz")
    assert sample is not None
    assert re.search(pattern, sample)


def test_invalid_pattern_gives_no_sample() -> None:
    assert pattern_sample("(unclosed") is None
