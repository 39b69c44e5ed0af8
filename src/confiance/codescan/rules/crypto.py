"""Weak cryptography: fast or broken hashes for passwords and secrets, broken ciphers and ECB
mode, constant IVs and nonces, and the ``random`` module used for secrets.

Hash and random checks look at the context (the data hashed, the variable assigned, the
function's name) so that MD5 for cache keys or ``random.choice`` for a colour stays quiet.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.index import is_constant
from confiance.codescan.python.names import dotted, last_name
from confiance.codescan.rules._words import snake

__all__ = ["INSECURE_RANDOM", "STATIC_IV", "WEAK_CIPHER", "WEAK_HASH"]

WEAK_HASH = rules.register(
    Rule(
        id="CF-PY-WEAK-HASH",
        name="Weak hash for passwords or secrets",
        family="crypto",
        cwe=328,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        description="MD5 or SHA-1 protects a password, token or signature, or a fast hash "
        "(SHA-2, SHA-3, BLAKE2) stores a password: both can be brute-forced or collided.",
        fix="Hash passwords with argon2/bcrypt/scrypt (or hashlib.pbkdf2_hmac with a salt and "
        "600k+ iterations); sign with hmac.new(key, msg, hashlib.sha256); generate tokens with "
        "secrets.token_urlsafe(). MD5 for non-security checksums: usedforsecurity=False.",
        owasp=("ASVS V2.4.1", "ASVS V6.2.5"),
    )
)
WEAK_CIPHER = rules.register(
    Rule(
        id="CF-PY-WEAK-CIPHER",
        name="Broken cipher or ECB mode",
        family="crypto",
        cwe=327,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        description="DES, 3DES, RC4, RC2, Blowfish, IDEA, CAST5 or ECB mode: broken or leaking "
        "patterns of the plaintext.",
        fix="Use AES-GCM or ChaCha20-Poly1305 (cryptography's AESGCM / Fernet) with a random "
        "nonce per message.",
        owasp=("ASVS V6.2.2", "ASVS V6.2.5"),
    )
)
STATIC_IV = rules.register(
    Rule(
        id="CF-PY-STATIC-IV",
        name="Constant IV or nonce",
        family="crypto",
        cwe=1204,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        description="An IV or nonce is a constant: identical plaintexts encrypt identically, "
        "and reusing a GCM/ChaCha20 nonce with the same key breaks confidentiality and "
        "integrity.",
        fix="Generate a fresh IV/nonce per message (os.urandom(12/16), "
        "get_random_bytes()) and store it next to the ciphertext.",
        owasp=("ASVS V6.2.6",),
    )
)
INSECURE_RANDOM = rules.register(
    Rule(
        id="CF-PY-INSECURE-RANDOM",
        name="Predictable random value used as a secret",
        family="crypto",
        cwe=338,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        description="The random module (Mersenne Twister) generates a token, password, OTP, "
        "nonce, salt or session id; its output is predictable from earlier outputs.",
        fix="Use secrets.token_urlsafe(), secrets.token_hex(), secrets.choice() or "
        "secrets.randbelow().",
        owasp=("ASVS V6.3.1", "ASVS V6.3.2"),
    )
)

_BROKEN_HASHES = frozenset({"md5", "sha1", "sha"})
_FAST_HASHES = frozenset(
    {"sha224", "sha256", "sha384", "sha512", "blake2b", "blake2s", "sha3_256", "sha3_512"}
)
_SECRET_CONTEXT = re.compile(
    r"passw|pwd|passphrase|secret|token|signature|sign|api_?key|credential|auth|session|otp|"
    r"nonce|salt"
)
_PASSWORD_DATA = re.compile(r"passw|pwd|passphrase")
_RANDOM_CONTEXT = re.compile(
    r"token|secret|passw|pwd|otp|nonce|salt|api_?key|session_?(id|key)|csrf|verification|"
    r"reset_code|pin_code|(^|_)pin($|_)|invite_code|auth|one_time"
)
_RANDOM_FUNCS = frozenset(
    f"random.{n}"
    for n in (
        "random",
        "randint",
        "randrange",
        "choice",
        "choices",
        "sample",
        "getrandbits",
        "uniform",
        "randbytes",
        "shuffle",
    )
)
_BROKEN_CIPHERS = frozenset({"DES", "DES3", "ARC4", "ARC2", "Blowfish", "CAST", "XOR"})
_BROKEN_ALGORITHMS = frozenset({"TripleDES", "ARC4", "Blowfish", "IDEA", "CAST5", "SEED"})
_IV_MODES = frozenset({"CBC", "CFB", "CFB8", "OFB", "CTR", "GCM", "XTS"})
_AEADS = frozenset({"AESGCM", "ChaCha20Poly1305", "AESCCM", "AESOCB3", "AESGCMSIV"})


def _identifiers(node: ast.AST) -> list[str]:
    found: list[str] = []
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.append(snake(child.id))
        elif isinstance(child, ast.Attribute):
            found.append(snake(child.attr))
        elif isinstance(child, ast.arg):
            found.append(snake(child.arg))
    return found


def _targets(context: ModuleContext) -> list[str]:
    statement = context.statement
    names: list[str] = []
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            names.extend(_identifiers(target))
    elif isinstance(statement, ast.AnnAssign | ast.AugAssign):
        names.extend(_identifiers(statement.target))
    function = context.function
    if function is not None:
        names.append(snake(function.node.name))
    return names


def _hash_algorithm(node: ast.Call, qual: str) -> str | None:
    name = qual.rpartition(".")[2]
    if qual == "hashlib.new":
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value.lower().replace("-", "")
        return None
    if qual.startswith(("Crypto.Hash.", "Cryptodome.Hash.")) and name == "new":
        return qual.split(".")[2].lower()
    return name.lower()


@checks.on_call(
    names=(
        *(f"hashlib.{n}" for n in (*_BROKEN_HASHES, *_FAST_HASHES, "new")),
        "Crypto.Hash.MD5.new",
        "Crypto.Hash.SHA.new",
        "Crypto.Hash.SHA1.new",
        "Cryptodome.Hash.MD5.new",
        "Cryptodome.Hash.SHA1.new",
    )
)
def _hash(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    qual = context.qualname(node.func) or ""
    algorithm = _hash_algorithm(node, qual)
    if algorithm is None or any(
        k.arg == "usedforsecurity" and isinstance(k.value, ast.Constant) and not k.value.value
        for k in node.keywords
    ):
        return
    data = " ".join(w for arg in node.args for w in _identifiers(arg))
    if algorithm in _BROKEN_HASHES:
        context_words = f"{data} {' '.join(_targets(context))}"
        if _SECRET_CONTEXT.search(context_words):
            yield context.finding(
                WEAK_HASH, node, f"{algorithm.upper()} used for a password, secret or token"
            )
    elif algorithm in _FAST_HASHES and _PASSWORD_DATA.search(data):
        yield context.finding(WEAK_HASH, node, f"fast unsalted {algorithm} used to hash a password")


@checks.on_call(methods=("new",))
def _cipher_new(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    qual = context.qualname(node.func) or ""
    parts = qual.split(".")
    if len(parts) < 4 or parts[0] not in ("Crypto", "Cryptodome") or parts[1] != "Cipher":
        return
    cipher = parts[2]
    mode = node.args[1] if len(node.args) > 1 else None
    iv: ast.expr | None = node.args[2] if len(node.args) > 2 else None
    for keyword in node.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
        elif keyword.arg in ("iv", "IV", "nonce"):
            iv = keyword.value
    if cipher in _BROKEN_CIPHERS:
        yield context.finding(WEAK_CIPHER, node, f"broken cipher {cipher}")
    elif mode is not None and last_name(mode) == "MODE_ECB":
        yield context.finding(WEAK_CIPHER, node, f"{cipher} in ECB mode")
    if iv is not None and is_constant(iv, context.index):
        yield context.finding(STATIC_IV, node, f"{cipher} with a constant IV/nonce")


_ALGORITHM_NAMES = tuple(
    f"cryptography.hazmat.primitives.ciphers.algorithms.{n}" for n in _BROKEN_ALGORITHMS
)
_MODE_NAMES = tuple(
    f"cryptography.hazmat.primitives.ciphers.modes.{n}" for n in (*_IV_MODES, "ECB")
)


@checks.on_call(names=(*_ALGORITHM_NAMES, *_MODE_NAMES, "pyDes.des", "pyDes.triple_des"))
def _cryptography(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    name = (context.qualname(node.func) or "").rpartition(".")[2]
    if name == "ECB":
        yield context.finding(WEAK_CIPHER, node, "ECB mode")
    elif name in _IV_MODES:
        iv = node.args[0] if node.args else None
        for keyword in node.keywords:
            if keyword.arg in ("initialization_vector", "nonce", "tweak"):
                iv = keyword.value
        if iv is not None and is_constant(iv, context.index):
            yield context.finding(STATIC_IV, node, f"{name} mode with a constant IV/nonce")
    else:
        yield context.finding(WEAK_CIPHER, node, f"broken cipher {name}")


@checks.on_call(methods=("encrypt",))
def _aead_nonce(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    func = node.func
    if not isinstance(func, ast.Attribute) or not node.args:
        return
    receiver = func.value
    if isinstance(receiver, ast.Call):
        cls = last_name(receiver.func)
    else:
        found = context.index.instances.get(dotted(receiver) or "")
        cls = found[0].rpartition(".")[2] if found else ""
    if cls in _AEADS and is_constant(node.args[0], context.index):
        yield context.finding(STATIC_IV, node, f"{cls}.encrypt with a constant nonce")


@checks.on_call(names=tuple(_RANDOM_FUNCS))
def _random(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    used_for = next((w for w in _targets(context) if _RANDOM_CONTEXT.search(w)), None)
    if used_for is not None:
        name = (context.qualname(node.func) or "random").rpartition(".")[2]
        yield context.finding(
            INSECURE_RANDOM, node, f"random.{name}() generates a secret value ({used_for})"
        )
