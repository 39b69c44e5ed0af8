"""Process settings, read once from the environment (``CONFIANCE_*``) and passed explicitly.

| variable | default | meaning |
|---|---|---|
| ``CONFIANCE_DATABASE_URL`` | ``sqlite+aiosqlite:///./confiance.db`` | the store |
| ``CONFIANCE_REDIS_URL`` | unset | shared limits and cache when several gateways run |
| ``CONFIANCE_CONFIG`` | ``confiance.yaml`` | config file ``serve`` and ``apply`` read |
| ``CONFIANCE_HOST`` / ``CONFIANCE_PORT`` | ``127.0.0.1`` / ``8080`` | where ``serve`` listens |
| ``CONFIANCE_LOG_LEVEL`` | ``info`` | log level |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["DEFAULT_DATABASE_URL", "Settings"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./confiance.db"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    config_path: str = "confiance.yaml"
    host: str = "127.0.0.1"
    port: int = 8080
    log_level: str = "info"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        port = env.get("CONFIANCE_PORT", "8080")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"CONFIANCE_PORT must be a TCP port number, got {port!r}")
        return cls(
            database_url=env.get("CONFIANCE_DATABASE_URL", DEFAULT_DATABASE_URL),
            redis_url=env.get("CONFIANCE_REDIS_URL") or None,
            config_path=env.get("CONFIANCE_CONFIG", "confiance.yaml"),
            host=env.get("CONFIANCE_HOST", "127.0.0.1"),
            port=int(port),
            log_level=env.get("CONFIANCE_LOG_LEVEL", "info"),
        )
