"""XML external entities: untrusted XML parsed by parsers that expand entities, and lxml
parsers configured to resolve them."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.taint import SinkKind, SourceKind

__all__ = ["XXE"]

XXE = rules.register(
    Rule(
        id="CF-PY-XXE",
        name="XML external entity expansion",
        family="xxe",
        cwe=611,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        description="Untrusted XML is parsed with the standard library or lxml, or an lxml "
        "parser is told to resolve entities / use the network: entity expansion can read local "
        "files, reach internal hosts or exhaust memory (billion laughs).",
        fix="Parse untrusted XML with defusedxml (defusedxml.ElementTree.fromstring), and build "
        "lxml parsers with resolve_entities=False, no_network=True.",
        owasp=("ASVS V5.5.2",),
    )
)

checks.taint(
    XXE, [SinkKind.XXE], {SourceKind.REMOTE: Confidence.HIGH, SourceKind.LLM: Confidence.MEDIUM}
)


# Options that make lxml fetch or expand what the document declares (huge_tree lifts the
# limits that stop entity-expansion bombs).
_TURNED_ON = frozenset({"resolve_entities", "load_dtd", "dtd_validation", "huge_tree"})
_SAX_FEATURES = (
    "feature_external_ges",
    "feature_external_pes",
    "external-general-entities",
    "external-parameter-entities",
)


@checks.on_call(
    names=("lxml.etree.XMLParser", "lxml.etree.XSLTAccessControl", "lxml.objectify.makeparser")
)
def _lxml_parser(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    for keyword in node.keywords:
        value = keyword.value
        if not isinstance(value, ast.Constant):
            continue
        if (keyword.arg in _TURNED_ON and value.value is True) or (
            keyword.arg in ("no_network", "read_network")
            and value.value is (keyword.arg == "read_network")
        ):
            yield context.finding(
                XXE,
                node,
                f"lxml parser built with {keyword.arg}={value.value}: entities from "
                "untrusted documents are resolved",
            )
            return


@checks.on_call(methods=("setFeature",))
def _sax_feature(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    if len(node.args) < 2:
        return
    feature, enabled = node.args[0], node.args[1]
    name = context.qualname(feature) if isinstance(feature, ast.Attribute | ast.Name) else None
    if isinstance(feature, ast.Attribute):
        name = name or feature.attr
    elif isinstance(feature, ast.Constant):
        name = str(feature.value)
    if (name or "").endswith(_SAX_FEATURES) and (
        isinstance(enabled, ast.Constant) and enabled.value in (True, 1)
    ):
        yield context.finding(XXE, node, "SAX parser enables external entities")
