"""Configs and traces the API tests store."""

from __future__ import annotations

from datetime import datetime, timedelta

from confiance.domain.trace import Attempt, Trace, TraceStatus

from .conftest import T0


def config_yaml(temperature: float = 0.2, *, extra_route: bool = False) -> str:
    """A valid config: two providers, ``support-bot`` falling back to route ``backup``."""
    text = f"""\
providers:
  sim:
    kind: simulated
    base_url: http://127.0.0.1:9000/v1
  other:
    kind: openai
    base_url: http://127.0.0.1:9001/v1
    api_key_env: CF_TEST_UNSET_KEY_VARIABLE
routes:
  support-bot:
    target: sim/fast
    fallbacks: [backup]
    params:
      temperature: {temperature}
  backup:
    target: other/slow
    fallbacks: [sim/steady]
"""
    if extra_route:
        text += "  summarizer:\n    target: sim/fast\n"
    return text


def trace(
    number: int,
    *,
    route: str = "support-bot",
    status: TraceStatus = TraceStatus.OK,
    at: datetime | None = None,
) -> Trace:
    """Trace ``number``, started ``number`` minutes after T0 unless ``at`` says otherwise."""
    attempts = [Attempt("sim", "fast", 0.0, 12.5, 200)]
    if number % 2:
        failed = Attempt("other", "slow", 0.0, 30.0, 503, "upstream_http", "HTTP 503")
        attempts.insert(0, failed)
    return Trace(
        id=f"tr_{number:04d}",
        started_at=at or T0 + timedelta(minutes=number),
        endpoint="chat",
        route=route,
        key_id="key_app",
        revision=1,
        provider="sim",
        model_requested=route,
        model_answered="fast",
        status=status,
        http_status=200 if status is TraceStatus.OK else 502,
        error_class=None if status is TraceStatus.OK else "upstream_http",
        error=None if status is TraceStatus.OK else "every target failed",
        prompt_tokens=10 + number,
        completion_tokens=20,
        cost_usd=0.0001 * number,
        latency_ms=40.0 + number,
        ttft_ms=None,
        fallback_used=bool(number % 2),
        attempts=attempts,
        request_body={"messages": [{"role": "user", "content": f"question {number}"}]},
        response_body=None,
        metadata={"client": "test"},
    )
