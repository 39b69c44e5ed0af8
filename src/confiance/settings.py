"""Process settings, read once from the environment (``CONFIANCE_*``) and passed explicitly.

| variable | default | meaning |
|---|---|---|
| ``CONFIANCE_DATABASE_URL`` | ``sqlite+aiosqlite:///./confiance.db`` | the store |
| ``CONFIANCE_REDIS_URL`` | unset | shared limits and cache when several gateways run |
| ``CONFIANCE_CONFIG`` | ``confiance.yaml`` | config file ``serve`` and ``apply`` read |
| ``CONFIANCE_HOST`` / ``CONFIANCE_PORT`` | ``127.0.0.1`` / ``8080`` | where ``serve`` listens |
| ``CONFIANCE_LOG_LEVEL`` | ``info`` | log level |
| ``CONFIANCE_KEY_ENV_ALLOW`` | unset | the variables a provider's ``api_key_env`` may name |

Every variable is described in ``docs/configuration.md``. A malformed value raises
``ValueError`` naming the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["DEFAULT_DATABASE_URL", "KEY_ENV_ALLOW", "Settings"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./confiance.db"
KEY_ENV_ALLOW = "CONFIANCE_KEY_ENV_ALLOW"
_KEY_ENV_ENTRY = re.compile(r"^[A-Z0-9_*?]+$")
_SEPARATORS = re.compile(r"[,\s]+")


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    config_path: str = "confiance.yaml"
    host: str = "127.0.0.1"
    port: int = 8080
    log_level: str = "info"
    key_env_allow: tuple[str, ...] = ()

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
            key_env_allow=parse_key_env_allow(env.get(KEY_ENV_ALLOW)),
        )


def parse_key_env_allow(text: str | None) -> tuple[str, ...]:
    """The names and shell-style patterns of ``CONFIANCE_KEY_ENV_ALLOW`` (comma- or
    space-separated); empty when unset."""
    entries = tuple(e for e in _SEPARATORS.split(text or "") if e)
    for entry in entries:
        if not _KEY_ENV_ENTRY.match(entry):
            raise ValueError(
                f"{KEY_ENV_ALLOW}: {entry!r} is not a variable name or pattern (use upper-case "
                "letters, digits and '_', with '*' or '?' as wildcards, separated by commas)"
            )
    return entries
