"""Credentials handled insecurely: passwords stored as they were typed, and credentials put
where they leak (URL query strings, cookies)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import dotted, last_name
from confiance.codescan.python.routes import FunctionNode

__all__ = ["CREDENTIAL_EXPOSED", "PLAINTEXT_PASSWORD"]

PLAINTEXT_PASSWORD = rules.register(
    Rule(
        id="CF-PY-PLAINTEXT-PASSWORD",
        name="Password stored in plain text",
        family="credential_storage",
        cwe=256,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        description="A password is written to a model, database row, store or file as it was "
        "typed: one leak of the table or a backup gives away every account (and, through "
        "reuse, accounts elsewhere).",
        fix="Store only a slow salted hash: argon2-cffi (PasswordHasher().hash), bcrypt, "
        "werkzeug generate_password_hash, Django make_password / set_password.",
        owasp=("ASVS V2.4.1",),
    )
)
CREDENTIAL_EXPOSED = rules.register(
    Rule(
        id="CF-PY-CREDENTIAL-EXPOSED",
        name="Credential sent where it leaks",
        family="credential_storage",
        cwe=522,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        description="A password, token or API key is put in a URL query string (kept in server, "
        "proxy and browser logs and in Referer headers) or in a cookie value (readable on the "
        "client, sent with every request).",
        fix="Send credentials in a header (Authorization) or a POST body over HTTPS; keep a "
        "session id, never the password, in cookies.",
        owasp=("ASVS V2.10.1", "ASVS V3.1.1"),
    )
)

_PASSWORD = re.compile(
    r"^(?:password|passwd|pwd|pass|passphrase|user_password|new_password|"
    r"raw_password|plain_password|password1|password_plain)$",
    re.I,
)
_PASSWORD_FIELD = re.compile(r"pass(?:word|wd)?$|^pwd$|passphrase", re.I)
_HASHED = re.compile(r"hash|digest|crypt|encrypted|salt", re.I)
_HASHERS = re.compile(
    r"hash|bcrypt|argon|scrypt|pbkdf|make_password|set_password|crypt|encrypt|hasher|"
    r"PasswordHasher|sha\d|md5",
    re.I,
)
_STORE_METHODS = frozenset(
    {"create", "insert", "insert_one", "insert_many", "update_one", "update", "add", "set",
     "hset", "put_item", "put", "save", "dump", "write", "setex", "execute", "executemany"}
)  # fmt: skip
_MENTIONS_PASSWORD = re.compile(r"pass|pwd", re.I)
_FILE_NAME = re.compile(r"^(?:f|fh|fp|out|handle|stream|writer)$|file", re.I)
_URL_CREDENTIAL = re.compile(r"[?&](?:password|passwd|pwd|token|api_?key|apikey|secret)=", re.I)


def _raw_passwords(function: FunctionNode) -> set[str]:
    names = {
        a.arg for a in [*function.args.args, *function.args.kwonlyargs] if _PASSWORD.match(a.arg)
    }
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if (
                isinstance(target, ast.Name)
                and _PASSWORD.match(target.id)
                and not _calls_hasher(node.value)
            ):
                names.add(target.id)
    return names


def _calls_hasher(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call) and _HASHERS.search(dotted(n.func) or last_name(n.func))
        for n in ast.walk(node)
    )


def _hashed_somewhere(function: FunctionNode, names: set[str]) -> set[str]:
    hashed = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and _HASHERS.search(
            dotted(node.func) or last_name(node.func)
        ):
            for child in ast.walk(node):
                if isinstance(child, ast.Name) and child.id in names:
                    hashed.add(child.id)
    return hashed


def _is_raw(node: ast.expr | None, raw: set[str]) -> bool:
    return isinstance(node, ast.Name) and node.id in raw


def _stored(function: FunctionNode, raw: set[str]) -> Iterator[tuple[ast.AST, str]]:
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and _PASSWORD_FIELD.search(target.attr)
                    and not _HASHED.search(target.attr)
                    and _is_raw(node.value, raw)
                ):
                    yield node, f"assigned to {dotted(target)}"
                if isinstance(target, ast.Subscript) and _dict_with_password(node.value, raw):
                    yield node, f"stored in {dotted(target.value) or 'a mapping'}"
        elif isinstance(node, ast.Call):
            found = _call_stores(node, raw)
            if found:
                yield node, found


def _dict_with_password(node: ast.expr, raw: set[str]) -> bool:
    if not isinstance(node, ast.Dict):
        return False
    return any(
        isinstance(k, ast.Constant)
        and isinstance(k.value, str)
        and _PASSWORD_FIELD.search(k.value)
        and not _HASHED.search(k.value)
        and _is_raw(v, raw)
        for k, v in zip(node.keys, node.values, strict=True)
    )


def _call_stores(node: ast.Call, raw: set[str]) -> str | None:
    name = last_name(node.func)
    is_store = name in _STORE_METHODS or name[:1].isupper()
    if not is_store:
        return None
    for keyword in node.keywords:
        if (
            keyword.arg
            and _PASSWORD_FIELD.search(keyword.arg)
            and not _HASHED.search(keyword.arg)
            and _is_raw(keyword.value, raw)
        ):
            return f"passed as {keyword.arg}= to {name}()"
    if any(_dict_with_password(a, raw) for a in node.args):
        return f"stored by {name}()"
    if name in ("execute", "executemany") and len(node.args) >= 2:
        sql = node.args[0]
        text = sql.value if isinstance(sql, ast.Constant) and isinstance(sql.value, str) else ""
        if (
            re.search(r"\b(insert|update)\b", text, re.I)
            and re.search(r"pass", text, re.I)
            and any(isinstance(n, ast.Name) and n.id in raw for n in ast.walk(node.args[1]))
        ):
            return "written to the database by SQL"
    receiver = dotted(node.func.value) if isinstance(node.func, ast.Attribute) else ""
    if (
        name == "write"
        and _FILE_NAME.search(receiver or "")
        and any(isinstance(n, ast.Name) and n.id in raw for a in node.args for n in ast.walk(a))
    ):
        return "written to a file"
    return None


@checks.module
def _plaintext(context: ModuleContext) -> Iterator[Finding]:
    if not _MENTIONS_PASSWORD.search(context.source):
        return
    for info in context.index.functions.values():
        function = info.node
        if function.name == "__init__":
            continue  # a constructor copies what its caller gives; the caller is judged
        raw = _raw_passwords(function)
        if not raw:
            continue
        raw -= _hashed_somewhere(function, raw)
        for node, how in _stored(function, raw):
            yield context.finding(PLAINTEXT_PASSWORD, node, f"plain-text password {how}")


@checks.on(ast.JoinedStr, ast.BinOp)
def _url(node: ast.JoinedStr | ast.BinOp, context: ModuleContext) -> Iterator[Finding]:
    parts = node.values if isinstance(node, ast.JoinedStr) else [node.left]
    text = "".join(
        p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str)
    )
    if "://" in text and _URL_CREDENTIAL.search(text):
        yield context.finding(CREDENTIAL_EXPOSED, node, "a credential is put in a URL query string")


@checks.on_call(methods=("set_cookie",))
def _cookie(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    key = node.args[0] if node.args else None
    for keyword in node.keywords:
        if keyword.arg == "key":
            key = keyword.value
    if (isinstance(key, ast.Constant) and isinstance(key.value, str)) and (
        _PASSWORD_FIELD.search(key.value) or re.search(r"api_?key|secret", key.value, re.I)
    ):
        yield context.finding(CREDENTIAL_EXPOSED, node, f"cookie {key.value!r} holds a credential")
