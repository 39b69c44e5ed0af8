"""Insecure deserialization: untrusted bytes given to pickle and its relatives (marshal,
shelve, dill, jsonpickle, joblib, torch.load without weights_only), and yaml.load with a loader
that constructs arbitrary Python objects."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.index import is_constant
from confiance.codescan.python.names import last_name
from confiance.codescan.python.taint import SinkKind, SourceKind

__all__ = ["DESERIALIZATION", "UNSAFE_YAML"]

H, M, L = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW

DESERIALIZATION = rules.register(
    Rule(
        id="CF-PY-DESERIALIZATION",
        name="Insecure deserialization",
        family="deserialization",
        cwe=502,
        severity=Severity.CRITICAL,
        confidence=H,
        description="Data from a request, socket, file or the user is unpickled (pickle, "
        "marshal, shelve, dill, jsonpickle, joblib, torch.load): unpickling runs code chosen by "
        "whoever wrote the bytes.",
        fix="Exchange data as JSON (or another data-only format) and validate it; load model "
        "weights with torch.load(..., weights_only=True) or safetensors; sign what must be "
        "pickled and verify the signature (hmac.compare_digest) before loading.",
        owasp=("ASVS V5.5.3",),
    )
)
UNSAFE_YAML = rules.register(
    Rule(
        id="CF-PY-UNSAFE-YAML",
        name="Unsafe YAML load",
        family="deserialization",
        cwe=502,
        severity=Severity.HIGH,
        confidence=H,
        description="yaml.load with Loader/UnsafeLoader/FullLoader (or yaml.unsafe_load) builds "
        "arbitrary Python objects from tags in the document.",
        fix="yaml.safe_load(data) or yaml.load(data, Loader=yaml.SafeLoader).",
        owasp=("ASVS V5.5.3",),
    )
)

checks.taint(
    DESERIALIZATION,
    [SinkKind.DESERIALIZE],
    {
        SourceKind.REMOTE: H,
        SourceKind.LOCAL: M,
        SourceKind.FILE: M,
        SourceKind.ENV: L,
        SourceKind.PARAM: L,
    },
)

_SAFE_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})


@checks.on_call(
    names=(
        "yaml.load",
        "yaml.load_all",
        "yaml.unsafe_load",
        "yaml.unsafe_load_all",
        "yaml.full_load",
        "yaml.full_load_all",
    )
)
def _yaml(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    data = node.args[0] if node.args else None
    for keyword in node.keywords:
        if keyword.arg == "stream":
            data = keyword.value
    if data is None or is_constant(data):
        return
    qual = context.qualname(node.func) or ""
    loader: ast.expr | None = node.args[1] if len(node.args) > 1 else None
    for keyword in node.keywords:
        if keyword.arg == "Loader":
            loader = keyword.value
    safe_loader = loader is not None and last_name(loader) in _SAFE_LOADERS
    if safe_loader and ".unsafe" not in qual and ".full" not in qual:
        return
    loader_name = last_name(loader) if loader is not None else "default"
    yield context.finding(
        UNSAFE_YAML,
        node,
        f"{qual.rpartition('.')[2]}() with loader {loader_name} builds arbitrary Python objects",
    )
