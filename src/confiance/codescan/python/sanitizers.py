"""Sanitizers and guards: what ends taint, for which sinks.

* Conversions to numbers/booleans, hashing, ``url_for``/``reverse`` and pydantic validation
  (``Model.model_validate(json.loads(text))``) end taint for every sink.
* ``shlex.quote`` ends it for shell commands, ``html.escape``/``markupsafe.escape``/``bleach.clean``
  for HTML, ``os.path.basename``/``secure_filename`` for file paths, LDAP escaping for LDAP
  filters, ``psycopg2.sql.Identifier``/``Literal`` for SQL.
* ``os.path.realpath``/``abspath``/``normpath``/``Path.resolve`` do not sanitize but mark the value
  as normalised, so that a later ``startswith(base)`` guard makes it safe for paths.
* Guards (:func:`guard_clears`) are conditions that, when true (or false), prove a variable safe:
  allowlist membership, ``isdigit()``, ``re.fullmatch``, containment checks on normalised paths,
  host allowlists on ``urlparse(url).hostname``, Django's ``url_has_allowed_host_and_scheme``.
"""

from __future__ import annotations

import ast
import re

from confiance.codescan.python.names import dotted, last_name
from confiance.codescan.python.taint import SinkKind

__all__ = [
    "ALL_SINKS",
    "NORMALIZERS",
    "Clears",
    "guard_clears",
    "sanitizer_clears",
]

K = SinkKind
ALL_SINKS = frozenset(SinkKind)
_PATHS = frozenset({K.PATH, K.FILE_WRITE})
_URLS = frozenset({K.SSRF, K.REDIRECT})
Clears = dict[str, frozenset[SinkKind]]

_BY_QUALNAME: dict[str, frozenset[SinkKind]] = {
    # A number can still be too big: int() clears everything but SIZE.
    **dict.fromkeys(("int", "float", "decimal.Decimal"), ALL_SINKS - {K.SIZE}),
    **dict.fromkeys(("min", "builtins.min"), frozenset({K.SIZE})),
    **dict.fromkeys(("repr", "json.dumps"), frozenset({K.LOG, K.HEADER})),
    **dict.fromkeys(
        ("urllib.parse.quote", "urllib.parse.quote_plus", "urllib.parse.urlencode"),
        frozenset({K.LOG, K.HEADER}),
    ),
    **dict.fromkeys(("re.escape", "regex.escape"), frozenset({K.REGEX})),
    **dict.fromkeys(
        [
            "bool",
            "complex",
            "len",
            "abs",
            "round",
            "hash",
            "id",
            "type",
            "isinstance",
            "issubclass",
            "callable",
            "ord",
            "uuid.UUID",
            "flask.url_for",
            "quart.url_for",
            "django.urls.reverse",
            "django.shortcuts.resolve_url",
            "hmac.compare_digest",
            "secrets.compare_digest",
            "flask.jsonify.status_code",
        ],
        ALL_SINKS,
    ),
    **dict.fromkeys(("shlex.quote", "pipes.quote", "shlex.join"), frozenset({K.COMMAND})),
    **dict.fromkeys(
        [
            "html.escape",
            "cgi.escape",
            "markupsafe.escape",
            "flask.escape",
            "jinja2.escape",
            "django.utils.html.escape",
            "django.utils.html.conditional_escape",
            "bleach.clean",
            "bleach.linkify",
            "xml.sax.saxutils.escape",
            "markupsafe.Markup.escape",
            "nh3.clean",
        ],
        frozenset({K.XSS}),
    ),
    # Response objects are sinks (or safe) themselves; returning one from a view is not a
    # second place where text becomes HTML.
    **dict.fromkeys(
        [
            "flask.jsonify",
            "quart.jsonify",
            "flask.make_response",
            "flask.Response",
            "flask.render_template",
            "flask.send_file",
            "flask.send_from_directory",
            "flask.redirect",
            "quart.render_template",
            "django.http.HttpResponse",
            "django.http.JsonResponse",
            "django.shortcuts.render",
            "fastapi.responses.HTMLResponse",
            "starlette.responses.HTMLResponse",
        ],
        frozenset({K.XSS}),
    ),
    **dict.fromkeys(
        ("os.path.basename", "werkzeug.utils.secure_filename", "werkzeug.secure_filename"),
        _PATHS,
    ),
    **dict.fromkeys(
        [
            "ldap.filter.escape_filter_chars",
            "ldap.dn.escape_dn_chars",
            "ldap3.utils.conv.escape_filter_chars",
            "ldap3.utils.dn.escape_rdn",
        ],
        frozenset({K.LDAP}),
    ),
    **dict.fromkeys(
        ("psycopg2.sql.Identifier", "psycopg2.sql.Literal", "psycopg.sql.Identifier"),
        frozenset({K.SQL}),
    ),
}
# SQLAlchemy's IdentifierPreparer: the right way to put a schema or table name into SQL text.
_SQL_IDENTIFIER_METHODS = frozenset({"quote_identifier", "quote_schema", "format_table"})
# Method names that validate or reduce a value to a number, boolean or digest.
_CLEAN_METHODS = frozenset(
    {
        "model_validate",
        "model_validate_json",
        "parse_obj",
        "parse_raw",
        "validate_python",
        "validate_json",
        "hexdigest",
        "digest",
        "count",
        "index",
        "find",
        "rfind",
        "startswith",
        "endswith",
        "isdigit",
        "isalnum",
        "isalpha",
        "isdecimal",
        "isnumeric",
        "isidentifier",
        "is_relative_to",
    }
)
_HASH_PREFIXES = ("hashlib.", "hmac.new")
NORMALIZERS = frozenset(
    {"os.path.realpath", "os.path.abspath", "os.path.normpath", "resolve", "absolute"}
)
_FULL_CHECKS = frozenset(
    {"isdigit", "isalnum", "isalpha", "isdecimal", "isnumeric", "isidentifier"}
)
_URL_CHECKS = frozenset({"url_has_allowed_host_and_scheme", "is_safe_url", "is_safe_redirect"})
_ABSOLUTE_PREFIX = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]+/", re.I)


def sanitizer_clears(call: ast.Call, qual: str | None) -> frozenset[SinkKind]:
    """The sink kinds a call's result is safe for, whatever its arguments (empty: none)."""
    if qual is not None:
        found = _BY_QUALNAME.get(qual)
        if found is not None:
            return found
        if qual.startswith(_HASH_PREFIXES):
            return ALL_SINKS
    if isinstance(call.func, ast.Attribute) and call.func.attr in _CLEAN_METHODS:
        return ALL_SINKS
    if isinstance(call.func, ast.Attribute) and call.func.attr in _SQL_IDENTIFIER_METHODS:
        return frozenset({K.SQL})
    return frozenset()


def safe_url_prefix(text: str) -> frozenset[SinkKind]:
    """A string that starts with a fixed scheme and host (or a fixed local path) decides where
    a URL points, whatever follows it."""
    if _ABSOLUTE_PREFIX.match(text):
        return _URLS
    if len(text) > 1 and text[0] == "/" and text[1] not in "/\\":
        return frozenset({K.REDIRECT})
    return frozenset()


def guard_clears(test: ast.expr) -> tuple[Clears, Clears]:
    """What a condition proves: (variables safe when it is true, safe when it is false)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        when_true, when_false = guard_clears(test.operand)
        return when_false, when_true
    if isinstance(test, ast.BoolOp):
        parts = [guard_clears(v) for v in test.values]
        if isinstance(test.op, ast.And):
            return _union(p[0] for p in parts), {}
        return {}, _union(p[1] for p in parts)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        return _compare(test)
    if isinstance(test, ast.Call):
        return _call_guard(test), {}
    return {}, {}


def _union(parts: object) -> Clears:
    out: Clears = {}
    for part in parts:  # type: ignore[attr-defined]
        for name, kinds in part.items():
            out[name] = out.get(name, frozenset()) | kinds
    return out


def _compare(test: ast.Compare) -> tuple[Clears, Clears]:
    op, right = test.ops[0], test.comparators[0]
    left = test.left
    if isinstance(op, ast.Lt | ast.LtE | ast.Gt | ast.GtE):
        # A bound was checked: either branch knows the size is considered.
        bounded = {n: frozenset({K.SIZE}) for n in (dotted(left), dotted(right)) if n}
        return bounded, bounded
    if isinstance(op, ast.In | ast.NotIn):
        clears = _membership(left)
        return (clears, {}) if isinstance(op, ast.In) else ({}, clears)
    if isinstance(op, ast.Eq | ast.NotEq):
        name = dotted(left)
        if name and isinstance(right, ast.Constant):
            clears = {name: ALL_SINKS}
            return (clears, {}) if isinstance(op, ast.Eq) else ({}, clears)
        if isinstance(left, ast.Call) and last_name(left.func) == "commonpath":
            found = _commonpath(left)
            return (found, {}) if isinstance(op, ast.Eq) else ({}, found)
    return {}, {}


def _membership(left: ast.expr) -> Clears:
    name = dotted(left)
    if name is not None and isinstance(left, ast.Name):
        return {name: ALL_SINKS}
    # urlparse(url).hostname in ALLOWED, parsed.netloc in ALLOWED
    base = left.value if isinstance(left, ast.Attribute) else None
    if isinstance(left, ast.Attribute) and left.attr in ("hostname", "netloc", "host"):
        if isinstance(base, ast.Call) and base.args:
            inner = dotted(base.args[0])
            return {inner: _URLS} if inner else {}
        inner = dotted(base) if base is not None else None
        return {inner: _URLS} if inner else {}
    if name is not None:
        return {name: ALL_SINKS}
    return {}


def _commonpath(call: ast.Call) -> Clears:
    if call.args and isinstance(call.args[0], ast.List | ast.Tuple):
        names = [dotted(e) for e in call.args[0].elts]
        return {n: _PATHS for n in names if n}
    return {}


def _call_guard(call: ast.Call) -> Clears:
    func = call.func
    name = last_name(func)
    if isinstance(func, ast.Attribute):
        target = dotted(func.value)
        if name in _FULL_CHECKS and target:
            return {target: ALL_SINKS}
        if name == "startswith" and target and call.args:
            prefix = call.args[0]
            kinds = _PATHS
            if isinstance(prefix, ast.Constant) and isinstance(prefix.value, str):
                kinds = kinds | safe_url_prefix(prefix.value)
            return {target: kinds}
        if name == "is_relative_to" and target:
            return {target: _PATHS}
        if name in ("fullmatch", "match") and call.args:
            subject = dotted(call.args[0])
            return {subject: ALL_SINKS} if subject else {}
    if name in ("fullmatch", "match") and len(call.args) >= 2:
        pattern, subject = call.args[0], dotted(call.args[1])
        anchored = name == "fullmatch" or (
            isinstance(pattern, ast.Constant) and str(pattern.value).endswith(("$", "\\Z"))
        )
        return {subject: ALL_SINKS} if subject and anchored else {}
    if name in _URL_CHECKS and call.args:
        subject = dotted(call.args[0])
        return {subject: _URLS} if subject else {}
    return {}
