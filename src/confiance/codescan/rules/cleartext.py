"""Cleartext transmission: credentials and personal data sent over plain HTTP, FTP, Telnet,
SMTP without STARTTLS, or a plain socket."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import dotted

__all__ = ["CLEARTEXT", "literal_prefix"]

CLEARTEXT = rules.register(
    Rule(
        id="CF-PY-CLEARTEXT-TRANSPORT",
        name="Sensitive data sent in clear text",
        family="cleartext",
        cwe=319,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        description="Credentials or personal data travel unencrypted: an http:// endpoint "
        "receiving a password, token or Authorization header, FTP or Telnet logins, SMTP login "
        "without STARTTLS, or a secret written to a plain socket. Anyone on the path reads them.",
        fix="Use https:// (and keep certificate checks on), ftplib.FTP_TLS or SFTP, SSH instead "
        "of Telnet, smtplib.SMTP_SSL or starttls() before login(), ssl.wrap_socket / "
        "SSLContext.wrap_socket for sockets.",
        owasp=("ASVS V9.1.1", "ASVS V9.2.2"),
    )
)

_LOCAL_HOST = re.compile(
    r"^http://(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\]|[^/:]+\.local|[^/:]+\.internal|"
    r"host\.docker\.internal|[^/:]*example\.(?:com|org|net))(?:[:/]|$)",
    re.I,
)
_SENSITIVE_KEY = re.compile(
    r"pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|authorization|credential|ssn|"
    r"social_security|card(?:_?number)?|cvv|iban|date_of_birth|dob",
    re.I,
)
_SENSITIVE_PATH = re.compile(r"login|signin|sign-in|auth|token|password|oauth|session", re.I)
_SEND = frozenset({"send", "sendall", "sendto", "write"})


def literal_prefix(node: ast.expr | None, context: ModuleContext) -> str | None:
    """The constant text a URL expression starts with (following one module constant)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        return literal_prefix(node.values[0], context)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return literal_prefix(node.left, context)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return literal_prefix(node.func.value, context)
    if isinstance(node, ast.Name):
        values = context.index.assigned.get(node.id, [])
        if len(values) == 1:
            return literal_prefix(values[0], context)
    return None


def _mentions_sensitive(node: ast.expr) -> bool:
    for child in ast.walk(node):
        text = None
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            text = child.value
        elif isinstance(child, ast.Name):
            text = child.id
        elif isinstance(child, ast.Attribute):
            text = child.attr
        if text and len(text) < 60 and _SENSITIVE_KEY.search(text):
            return True
    return False


def _url_argument(node: ast.Call, qual: str) -> ast.expr | None:
    position = 1 if qual.endswith(".request") else 0
    for keyword in node.keywords:
        if keyword.arg == "url":
            return keyword.value
    return node.args[position] if len(node.args) > position else None


@checks.on_call(
    names=("urllib.request.urlopen", "urllib.request.Request"),
    methods=("get", "post", "put", "patch", "request", "urlopen"),
)
def _http(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    name = context.qualname(node.func) or ""
    url = literal_prefix(_url_argument(node, name), context)
    if not url or not url.lower().startswith("http://") or _LOCAL_HOST.match(url):
        return
    carried = [k for k in node.keywords if k.arg in ("auth", "headers", "data", "json", "params")]
    if any(k.arg == "auth" for k in carried) or any(_mentions_sensitive(k.value) for k in carried):
        what = "credentials or personal data"
    elif _SENSITIVE_PATH.search(url.split("://", 1)[1].partition("/")[2]):
        what = "a login/token request"
    else:
        return
    yield context.finding(CLEARTEXT, node, f"{what} sent to {url[:60]!r} over plain HTTP")


@checks.on_call(names=("ftplib.FTP", "telnetlib.Telnet", "smtplib.SMTP"))
def _protocols(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    qual = context.qualname(node.func) or ""
    if qual == "smtplib.SMTP":
        methods = {
            n.func.attr
            for n in ast.walk(context.index.tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
        }
        if "login" not in methods or "starttls" in methods:
            return
        message = "SMTP login without starttls(): the password crosses the network in clear"
    elif qual == "ftplib.FTP":
        message = "FTP sends the login and the files in clear text (use FTP_TLS or SFTP)"
    else:
        message = "Telnet sends everything, passwords included, in clear text (use SSH)"
    yield context.finding(CLEARTEXT, node, message, confidence=Confidence.HIGH)


@checks.on_call(methods=tuple(_SEND))
def _socket(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    imports = context.index.imports
    if not imports.imports_any(frozenset({"socket"})) or imports.imports_any(frozenset({"ssl"})):
        return
    receiver = dotted(node.func.value) if isinstance(node.func, ast.Attribute) else None
    if not receiver or not re.search(r"sock|conn|client|peer", receiver, re.I):
        return
    if any(_mentions_sensitive(a) for a in node.args[:1]):
        yield context.finding(CLEARTEXT, node, "a secret is written to a plain (non-TLS) socket")
