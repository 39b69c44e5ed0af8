"""Key strength and entropy: RSA/DSA keys under 2048 bits and weak curves, secrets made from
too few random bytes or from predictable seeds, and TLS/SSL protocol versions that are broken."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import dotted, last_name
from confiance.codescan.rules._words import snake

__all__ = ["LOW_ENTROPY", "WEAK_KEY", "WEAK_TLS"]

WEAK_KEY = rules.register(
    Rule(
        id="CF-PY-WEAK-KEY",
        name="Key too short or weak curve",
        family="crypto",
        cwe=326,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        description="An RSA or DSA key shorter than 2048 bits, or an elliptic curve below 224 "
        "bits (SECP192R1, SECT163K1...), is generated: such keys are factored or broken with "
        "public tools.",
        fix="Generate RSA keys of 3072 bits (2048 at the very least) or, better, use Ed25519 / "
        "ECDSA on P-256 (ec.SECP256R1()).",
        owasp=("ASVS V6.2.3",),
    )
)
LOW_ENTROPY = rules.register(
    Rule(
        id="CF-PY-LOW-ENTROPY",
        name="Secret with too little entropy",
        family="crypto",
        cwe=331,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        description="A token, key, salt or session id is made of fewer than 16 random bytes, "
        "from uuid1() (a timestamp and the MAC address), or from random after seeding it with "
        "a constant or the time: an attacker can guess or enumerate it.",
        fix="Use secrets.token_urlsafe(32) / secrets.token_bytes(32) (at least 16 bytes) and "
        "never seed the generator; uuid4() is random, uuid1() is not.",
        owasp=("ASVS V6.3.1",),
    )
)
WEAK_TLS = rules.register(
    Rule(
        id="CF-PY-WEAK-TLS-PROTOCOL",
        name="Broken SSL/TLS protocol version",
        family="tls",
        cwe=327,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        description="SSLv2, SSLv3, TLS 1.0 or TLS 1.1 is selected (ssl.PROTOCOL_TLSv1, "
        "TLSVersion.TLSv1, SSL.TLSv1_METHOD): these versions have practical attacks (POODLE, "
        "BEAST) and are disabled by current browsers and servers.",
        fix="Use ssl.create_default_context() (TLS 1.2+), or set "
        "context.minimum_version = ssl.TLSVersion.TLSv1_2.",
        owasp=("ASVS V9.1.2",),
    )
)

_MIN_BITS = 2048
_WEAK_CURVES = frozenset(
    {"SECP192R1", "SECT163K1", "SECT163R2", "SECT233K1", "SECT233R1", "SECP112R1", "SECP160R1"}
)
_BROKEN_PROTOCOLS = re.compile(
    r"^(?:PROTOCOL_SSLv2|PROTOCOL_SSLv3|PROTOCOL_TLSv1|PROTOCOL_TLSv1_1|"
    r"SSLv2_METHOD|SSLv3_METHOD|TLSv1_METHOD|TLSv1_1_METHOD)$"
)
_SECRET_TARGET = re.compile(r"token|secret|key|session|password|salt|otp|reset|api|auth|csrf")
_MAKES_SECRETS = re.compile(r"\b\w*(?:token|password|secret|otp|session_id|api_key)\w*\s*=", re.I)
_NOT_SECRET_TARGET = re.compile(r"(?:^|_)(?:iv|nonce|id|request_id|trace|filename|name)$")


def _int_argument(node: ast.Call, position: int, keyword: str) -> int | None:
    value: ast.expr | None = node.args[position] if len(node.args) > position else None
    for item in node.keywords:
        if item.arg == keyword:
            value = item.value
    if isinstance(value, ast.Constant) and isinstance(value.value, int):
        return value.value
    return None


@checks.on_call(methods=("generate_private_key", "generate", "newkeys"))
def _key_size(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    qual = context.qualname(node.func) or ""
    owner = qual.rsplit(".", 2)[-2] if qual.count(".") else ""
    if qual.endswith("rsa.generate_private_key"):
        bits = _int_argument(node, 1, "key_size")
    elif qual.endswith("dsa.generate_private_key"):
        bits = _int_argument(node, 0, "key_size")
    elif owner in ("RSA", "DSA") and qual.endswith(".generate"):
        bits = _int_argument(node, 0, "bits")
    elif qual == "rsa.newkeys":
        bits = _int_argument(node, 0, "nbits")
    elif qual.endswith("ec.generate_private_key"):
        curve = node.args[0] if node.args else None
        name = last_name(curve.func if isinstance(curve, ast.Call) else curve) if curve else ""
        if name in _WEAK_CURVES:
            yield context.finding(WEAK_KEY, node, f"elliptic curve {name} is too weak")
        return
    else:
        return
    if bits is not None and bits < _MIN_BITS:
        yield context.finding(WEAK_KEY, node, f"{bits}-bit key: {_MIN_BITS} bits is the minimum")


@checks.on(ast.Attribute)
def _protocol(node: ast.Attribute, context: ModuleContext) -> Iterator[Finding]:
    if not _BROKEN_PROTOCOLS.match(node.attr) and not (
        node.attr in ("TLSv1", "TLSv1_1", "SSLv3") and last_name(node.value) == "TLSVersion"
    ):
        return
    qual = context.qualname(node) or ""
    if qual.startswith(("ssl.", "OpenSSL.SSL.", "OpenSSL.")) or "TLSVersion" in qual:
        yield context.finding(WEAK_TLS, node, f"{node.attr} selects a broken protocol version")


def _target_names(context: ModuleContext) -> list[str]:
    statement = context.statement
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = list(statement.targets)
    elif isinstance(statement, ast.AnnAssign):
        targets = [statement.target]
    elif isinstance(statement, ast.Return) and context.function is not None:
        return [snake(context.function.node.name)]
    names = []
    for target in targets:
        text = dotted(target.value if isinstance(target, ast.Subscript) else target)
        if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
            text = str(target.slice.value)
        if text:
            names.append(snake(text.rpartition(".")[2]))
    return names


def _for_secret(context: ModuleContext, node: ast.Call) -> str | None:
    """The secret-looking name the call's value is assigned to or returned as, when the call
    is the whole value (``token = token_hex(4)``, ``str(uuid1())``), not a part of it."""
    statement = context.statement
    value = getattr(statement, "value", None)
    if isinstance(value, ast.Call) and last_name(value.func) == "str" and value.args:
        value = value.args[0]
    if value is not node:
        return None
    for name in _target_names(context):
        if _SECRET_TARGET.search(name) and not _NOT_SECRET_TARGET.search(name):
            return name
    return None


@checks.on_call(
    names=("secrets.token_hex", "secrets.token_bytes", "secrets.token_urlsafe", "os.urandom")
)
def _short(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    keyword = "size" if context.qualname(node.func) == "os.urandom" else "nbytes"
    size = _int_argument(node, 0, keyword)
    used_for = _for_secret(context, node)
    if size is not None and size < 16 and used_for:
        yield context.finding(
            LOW_ENTROPY, node, f"{size} random bytes for {used_for!r}: at least 16 are needed"
        )


@checks.on_call(names=("uuid.uuid1",))
def _uuid1(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    used_for = _for_secret(context, node)
    if used_for:
        yield context.finding(
            LOW_ENTROPY, node, f"uuid1() for {used_for!r} is a timestamp plus the MAC address"
        )


@checks.on_call(names=("random.seed",))
def _seed(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    seed = node.args[0] if node.args else None
    if seed is None:
        return
    predictable = isinstance(seed, ast.Constant) or any(
        (context.qualname(n.func) or "").startswith(("time.", "datetime."))
        for n in ast.walk(seed)
        if isinstance(n, ast.Call)
    )
    if predictable and _MAKES_SECRETS.search(context.source):
        yield context.finding(
            LOW_ENTROPY,
            node,
            "random is seeded with a constant or the time in a module that makes secrets",
            confidence=Confidence.LOW,
        )
