"""Prometheus metrics of the gateway.

Label sets are bounded: ``route`` is a configured route name (or ``_unknown`` / ``_direct``),
``provider`` and ``model`` are configured targets (never the free-form model name a vendor
answers with), ``status`` is the HTTP status class, ``error_class`` a closed set of labels.
Each :class:`GatewayMetrics` owns its registry so several gateways can live in one process (tests).
"""

from __future__ import annotations

from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "GatewayMetrics"]

M = TypeVar("M", Counter, Gauge, Histogram)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class GatewayMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self._children: dict[tuple[Any, ...], Any] = {}
        r = self.registry
        self.requests = Counter(
            "confiance_requests",
            "Requests answered by the gateway.",
            ["endpoint", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "confiance_request_duration_seconds",
            "Time from request received to response finished.",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.ttft = Histogram(
            "confiance_time_to_first_token_seconds",
            "Time from request received to the first streamed chunk sent.",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.attempts = Counter(
            "confiance_upstream_attempts",
            "Calls to upstream providers, by outcome.",
            ["provider", "model", "outcome"],
            registry=r,
        )
        self.tokens = Counter(
            "confiance_tokens",
            "Tokens used, by route, provider, model and kind (prompt/completion).",
            ["route", "provider", "model", "kind"],
            registry=r,
        )
        self.errors = Counter(
            "confiance_errors",
            "Requests that failed, by error class.",
            ["route", "error_class"],
            registry=r,
        )
        self.fallbacks = Counter(
            "confiance_fallbacks",
            "Requests answered by a target other than the route's primary.",
            ["route"],
            registry=r,
        )
        self.traces_dropped = Counter(
            "confiance_traces_dropped",
            "Traces dropped because the trace queue was full or the store failed.",
            ["reason"],
            registry=r,
        )
        self.traces_written = Counter(
            "confiance_traces_written", "Traces written to the store.", registry=r
        )
        self.traces_stubbed = Counter(
            "confiance_traces_stubbed",
            "Traces the store refused as they were, stored without bodies and with the error.",
            registry=r,
        )
        self.trace_queue = Gauge(
            "confiance_trace_queue_depth", "Traces waiting to be written.", registry=r
        )
        self.in_flight = Gauge(
            "confiance_requests_in_flight", "Requests being handled now.", registry=r
        )
        self.circuit_open = Gauge(
            "confiance_circuit_open",
            "1 while the circuit breaker of a provider+model is open.",
            ["provider", "model"],
            registry=r,
        )
        self.config_revision = Gauge(
            "confiance_config_revision", "Config revision the gateway is serving.", registry=r
        )
        self.connections = Gauge(
            "confiance_connections_open", "Client connections this worker holds.", registry=r
        )
        self.connections_refused = Counter(
            "confiance_connections_refused",
            "Connections answered 503 because the worker held its maximum.",
            registry=r,
        )
        self.connection_timeouts = Counter(
            "confiance_connection_timeouts",
            "Connections closed for sending request headers or a body too slowly.",
            ["phase"],
            registry=r,
        )

    def child(self, metric: M, *labels: str) -> M:
        """``metric.labels(*labels)``, remembered: the request path asks for the same few
        children every time, and ``labels`` converts, locks and looks up on each call. Label
        sets are bounded (see the module docstring), so this cache is too."""
        key = (id(metric), *labels)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = metric.labels(*labels)
        return found

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
