"""The declarative configuration: schema, strict loading with located errors, references, diffs.

Pure (layer 0): reads text and validates it; applying a config to the store is the job of
:mod:`confiance.control`.
"""

from confiance.config.diff import ChangeKind, ConfigDiff, EntryChange, FieldChange, diff_documents
from confiance.config.load import (
    LoadedConfig,
    check_environment,
    document_digest,
    load_config,
    load_document,
    parse_config,
)
from confiance.config.problems import ConfigProblem, InvalidConfig
from confiance.config.references import Target, reference_problems, resolve_chain
from confiance.config.schema import ConfianceConfig, ProviderConfig, RouteConfig

__all__ = [
    "ChangeKind",
    "ConfianceConfig",
    "ConfigDiff",
    "ConfigProblem",
    "EntryChange",
    "FieldChange",
    "InvalidConfig",
    "LoadedConfig",
    "ProviderConfig",
    "RouteConfig",
    "Target",
    "check_environment",
    "diff_documents",
    "document_digest",
    "load_config",
    "load_document",
    "parse_config",
    "reference_problems",
    "resolve_chain",
]
