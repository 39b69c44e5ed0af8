"""Shared vocabulary of the rule families: which names mean secrets, which strings are
placeholders rather than real values, and which names mean security decisions."""

from __future__ import annotations

import ast
import re

__all__ = [
    "LLM_KEY_SHAPE",
    "SECRET_NAME",
    "is_placeholder",
    "is_secret_name",
    "name_of",
    "snake",
]

SECRET_NAME = re.compile(
    r"(?:^|_)(password|passwd|pwd|secret|secret_key|token|api_key|apikey|access_key|"
    r"secret_access_key|private_key|client_secret|auth_key|access_token|refresh_token|"
    r"bearer_token|auth_token|credential|credentials|passphrase|signing_key|encryption_key|"
    r"session_key|master_key|jwt_secret|webhook_secret)$"
)
LLM_KEY_SHAPE = re.compile(
    r"^(sk-(?:ant-|proj-|svcacct-)?[A-Za-z0-9_\-]{16,}|AIza[0-9A-Za-z_\-]{30,}|gsk_[A-Za-z0-9]{20,}|"
    r"xai-[A-Za-z0-9]{20,}|hf_[A-Za-z0-9]{20,}|r8_[A-Za-z0-9]{20,}|pplx-[A-Za-z0-9]{20,})$"
)
_PLACEHOLDER = re.compile(
    r"^(|x+|\*+|\.+|-+|_+|#+|0+|changeme|change[-_ ]?me|placeholder|dummy|example|sample|test|"
    r"testing|none|null|nil|undefined|redacted|secret|password|passwd|token|api[-_]?key|"
    r"your[-_ ].*|my[-_ ].*|enter[-_ ].*|insert[-_ ].*|replace[-_ ].*|todo|tbd|fixme|fake.*|"
    r"not[-_ ]?(needed|used|required|set)|empty|ollama|lm[-_]?studio|local|no[-_]?key|"
    r"sk-\.+|sk-x+|sk-\*+|sk-your.*|sk-\.\.\..*)$",
    re.I,
)
_TEMPLATE = re.compile(r"^<.*>$|^\$\{?.*\}?$|^\{\{?.*\}?\}$|^%\(.*\)s$|^%s$|^\{.*\}$|\.\.\.")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*[A-Z0-9]$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake(name: str) -> str:
    """``dbPassword`` → ``db_password``; ``API_KEY`` → ``api_key``."""
    return _CAMEL.sub("_", name).lower()


def is_secret_name(name: str) -> bool:
    """Whether an identifier names a secret (``db_password``, ``API_TOKEN``, ``clientSecret``)."""
    last = snake(name).rsplit(".", 1)[-1]
    return bool(SECRET_NAME.search(last))


def is_placeholder(value: str) -> bool:
    """Empty, masked, example, template or env-var-name values are not real secrets."""
    text = value.strip()
    if _PLACEHOLDER.match(text) or _TEMPLATE.search(text):
        return True
    if " " in text or len(text) < 4:
        return True
    return bool(_ENV_NAME.match(text) and "_" in text)


def name_of(node: ast.expr) -> str | None:
    """The identifier a target or argument names: ``x``, ``obj.attr``'s ``attr``, ``d["k"]``'s
    ``k``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    return None
