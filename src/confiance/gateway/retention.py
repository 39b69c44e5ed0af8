"""What a trace keeps of the bodies, per the route's retention policy.

``none`` keeps nothing; ``metadata`` (the default) keeps the parameters and the shape of the
request (counts, not content); ``full`` keeps the bodies, with secrets, e-mail addresses, phone
and card numbers redacted unless the route turns ``redact`` off.
"""

from __future__ import annotations

from confiance.domain.trace import Trace
from confiance.domain.types import JSONObject, Retention
from confiance.gateway.routing import CompiledRoute
from confiance.observability.redaction import redact_json

__all__ = ["retain_request", "retain_response"]

_CONTENT_FIELDS = frozenset({"messages", "input", "tools", "system", "prompt", "functions"})


def _metadata(body: JSONObject) -> JSONObject:
    meta: JSONObject = {
        "params": {k: v for k, v in body.items() if k not in _CONTENT_FIELDS and _scalar(v)}
    }
    for name in ("messages", "tools", "input"):
        value = body.get(name)
        if isinstance(value, list):
            meta[f"{name}_count"] = len(value)
    return meta


def _scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def retain_request(route: CompiledRoute, trace: Trace, body: JSONObject) -> None:
    if route.retention is Retention.NONE:
        return
    trace.metadata.update(_metadata(body))
    if route.retention is Retention.FULL:
        trace.request_body = redact_json(body) if route.redact else body


def retain_response(route: CompiledRoute, trace: Trace, body: JSONObject) -> None:
    if route.retention is Retention.FULL:
        trace.response_body = redact_json(body) if route.redact else body
