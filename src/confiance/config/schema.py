"""The schema of ``confiance.yaml``.

Every model forbids unknown keys and is frozen. Secrets never appear here: a provider names the
environment variable that holds its key (``api_key_env``). Cross-references (a route naming a
provider, a route falling back to another route) are checked in :mod:`confiance.config.references`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from confiance.domain.keys import Role
from confiance.domain.types import ProviderKind, Retention, TraceDurability, TraceOverflow

__all__ = [
    "CircuitBreakerConfig",
    "ConfianceConfig",
    "LimitsConfig",
    "PriceConfig",
    "ProviderConfig",
    "RegressionConfig",
    "RetryConfig",
    "RoleConfig",
    "RouteConfig",
    "RouteLimits",
    "ServerConfig",
    "TimeoutConfig",
]

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_NAME_RE = re.compile(NAME_PATTERN)
PositiveSeconds = Annotated[float, Field(gt=0, le=3600)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class TimeoutConfig(_Strict):
    """Seconds. ``connect`` bounds the TCP/TLS handshake; ``attempt`` one upstream call;
    ``total`` the whole request including retries and fallbacks."""

    connect: PositiveSeconds = 5.0
    attempt: PositiveSeconds = 60.0
    total: PositiveSeconds = 120.0

    @model_validator(mode="after")
    def _total_covers_attempt(self) -> TimeoutConfig:
        if self.total < self.attempt:
            raise ValueError(f"total ({self.total}s) must be at least attempt ({self.attempt}s)")
        return self


class RetryConfig(_Strict):
    """Retries on the same target for retryable failures (429, 5xx, timeouts, connection errors)."""

    max_attempts: int = Field(default=2, ge=1, le=10)
    backoff_initial: float = Field(default=0.1, ge=0, le=60)
    backoff_max: float = Field(default=2.0, ge=0, le=300)
    jitter: bool = True
    respect_retry_after: bool = True
    max_retry_after: float = Field(default=10.0, ge=0, le=300)


class CircuitBreakerConfig(_Strict):
    """Opens after ``failure_threshold`` consecutive failures of one provider+model; after
    ``reset_timeout`` seconds lets one probe through (half-open)."""

    enabled: bool = True
    failure_threshold: int = Field(default=5, ge=1, le=1000)
    reset_timeout: float = Field(default=30.0, gt=0, le=3600)


class ProviderConfig(_Strict):
    kind: ProviderKind
    base_url: str = Field(description="Vendor API base URL, e.g. https://api.openai.com/v1")
    api_key_env: str | None = Field(
        default=None, pattern=r"^[A-Z_][A-Z0-9_]*$", description="Env var holding the key"
    )
    api_version: str | None = Field(default=None, description="Azure OpenAI api-version")
    azure: bool = Field(default=False, description="Azure OpenAI: api-key header, api-version")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra non-secret headers")
    timeouts: TimeoutConfig | None = None
    max_connections: int = Field(default=256, ge=1, le=10000)
    circuit_breaker: CircuitBreakerConfig | None = None

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("headers")
    @classmethod
    def _no_secret_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if name.lower() in {"authorization", "x-api-key", "api-key", "x-goog-api-key"}:
                raise ValueError(
                    f"header {name!r} carries a secret: use api_key_env instead of a literal"
                )
        return value


class RouteLimits(_Strict):
    max_tokens: int | None = Field(default=None, ge=1, le=10_000_000)
    n: int = Field(default=1, ge=1, le=128)


class RegressionConfig(_Strict):
    """Eval suites that guard a route: run on config changes touching it and/or on a schedule.
    ``gate`` blocks the change when a suite fails its gate; ``report`` only records the result.
    Suites are suite file paths or ``pack:NAME`` (e.g. ``pack:security``)."""

    suites: tuple[str, ...] = Field(min_length=1)
    on: tuple[Literal["config_change", "schedule"], ...] = Field(
        default=("config_change",), min_length=1
    )
    mode: Literal["gate", "report"] = "report"
    interval_hours: float = Field(default=24.0, ge=0.25, le=24 * 31)

    @model_validator(mode="before")
    @classmethod
    def _yaml_on_key(cls, data: object) -> object:
        # YAML 1.1 reads an unquoted `on:` key as the boolean true.
        if isinstance(data, dict) and True in data and "on" not in data:
            return {("on" if key is True else key): value for key, value in data.items()}
        return data


class RouteConfig(_Strict):
    """A stable name applications call. ``target`` and each of ``fallbacks`` is either
    ``provider/model`` or the name of another route (whose chain is spliced in)."""

    kind: Literal["chat", "embedding"] = "chat"
    description: str = ""
    target: str
    fallbacks: tuple[str, ...] = ()
    params: dict[str, object] = Field(
        default_factory=dict, description="Default body parameters; the request's own win"
    )
    system_prompt: str | None = None
    timeouts: TimeoutConfig | None = None
    retry: RetryConfig | None = None
    limits: RouteLimits = Field(default_factory=RouteLimits)
    retention: Retention = Retention.METADATA
    redact: bool = True
    trace_durability: TraceDurability = TraceDurability.SPOOL
    trace_overflow: TraceOverflow = TraceOverflow.SHED
    regression: RegressionConfig | None = None


class RoleConfig(_Strict):
    """What keys of a role may call: route names (``"*"`` for all) and direct ``provider/model``."""

    routes: tuple[str, ...] = ("*",)
    direct_models: bool = False


class PriceConfig(_Strict):
    """US dollars per million tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)


class LimitsConfig(_Strict):
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, le=256 * 1024 * 1024)
    max_concurrency: int = Field(default=1024, ge=1, le=100_000)


class ServerConfig(_Strict):
    trace_queue_size: int = Field(default=50_000, ge=100, le=10_000_000)
    trace_batch_size: int = Field(default=500, ge=1, le=100_000)
    trace_flush_interval: float = Field(default=0.5, gt=0, le=60)
    drain_timeout: float = Field(default=30.0, gt=0, le=3600)
    trace_sync_timeout: float = Field(default=5.0, gt=0, le=300)


def _default_roles() -> dict[Role, RoleConfig]:
    return {
        Role.APP: RoleConfig(),
        Role.ADMIN: RoleConfig(direct_models=True),
        Role.REVIEWER: RoleConfig(routes=()),
    }


class ConfianceConfig(_Strict):
    """The whole ``confiance.yaml``."""

    version: Literal[1] = 1
    providers: dict[str, ProviderConfig] = Field(default_factory=dict)
    routes: dict[str, RouteConfig] = Field(default_factory=dict)
    roles: dict[Role, RoleConfig] = Field(default_factory=_default_roles)
    prices: dict[str, PriceConfig] = Field(
        default_factory=dict, description="Keyed by provider/model"
    )
    timeouts: TimeoutConfig = Field(default_factory=TimeoutConfig)
    retry: RetryConfig = Field(default_factory=RetryConfig)
    circuit_breaker: CircuitBreakerConfig = Field(default_factory=CircuitBreakerConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)

    @field_validator("providers", "routes")
    @classmethod
    def _names(cls, value: dict[str, object]) -> dict[str, object]:
        for name in value:
            if not _NAME_RE.match(name):
                raise ValueError(f"name {name!r} must match {NAME_PATTERN}")
        return value

    @field_validator("roles", mode="after")
    @classmethod
    def _all_roles(cls, value: dict[Role, RoleConfig]) -> dict[Role, RoleConfig]:
        return {**_default_roles(), **value}
