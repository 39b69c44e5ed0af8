"""Process settings, read once from the environment (``CONFIANCE_*``) and passed explicitly.

| variable | default | meaning |
|---|---|---|
| ``CONFIANCE_DATABASE_URL`` | ``sqlite+aiosqlite:///./confiance.db`` | the store |
| ``CONFIANCE_REDIS_URL`` | unset | shared limits and cache when several gateways run |
| ``CONFIANCE_CONFIG`` | ``confiance.yaml`` | config file ``serve`` and ``apply`` read |
| ``CONFIANCE_HOST`` / ``CONFIANCE_PORT`` | ``127.0.0.1`` / ``8080`` | where ``serve`` listens |
| ``CONFIANCE_LOG_LEVEL`` | ``info`` | log level |
| ``CONFIANCE_KEY_ENV_ALLOW`` | unset | the variables a provider's ``api_key_env`` may name |
| ``CONFIANCE_TRUSTED_PROXIES`` | unset | proxies whose ``X-Forwarded-Proto`` is believed |
| ``CONFIANCE_SESSION_IDLE_MINUTES`` | ``30`` | web UI sessions end after this long unused |
| ``CONFIANCE_SESSION_MAX_HOURS`` | ``8`` | and this long after sign-in, whatever happens |
| ``CONFIANCE_TRACE_SPOOL`` | see ``gateway.spool`` | the trace spool directory |
| ``CONFIANCE_HEADER_TIMEOUT`` | ``10`` | seconds a client has to send a request's headers |
| ``CONFIANCE_BODY_TIMEOUT`` | ``60`` | seconds a client has to send a request's body |
| ``CONFIANCE_KEEPALIVE_TIMEOUT`` | ``75`` | seconds an idle keep-alive connection stays open |
| ``CONFIANCE_MAX_CONNECTIONS`` | ``1000`` | client connections per worker |

Every variable is described in ``docs/configuration.md``. A malformed value raises
``ValueError`` naming the variable.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["DEFAULT_DATABASE_URL", "KEY_ENV_ALLOW", "TRUSTED_PROXIES", "Settings"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./confiance.db"
KEY_ENV_ALLOW = "CONFIANCE_KEY_ENV_ALLOW"
TRUSTED_PROXIES = "CONFIANCE_TRUSTED_PROXIES"
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
    trusted_proxies: tuple[str, ...] = ()
    session_idle_minutes: float = 30.0
    session_max_hours: float = 8.0
    trace_spool: str | None = None
    header_timeout: float = 10.0
    body_timeout: float = 60.0
    keepalive_timeout: float = 75.0
    max_connections: int = 1000

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
            trusted_proxies=parse_trusted_proxies(env.get(TRUSTED_PROXIES)),
            session_idle_minutes=_duration(
                env, "CONFIANCE_SESSION_IDLE_MINUTES", 30.0, 7 * 24 * 60
            ),
            session_max_hours=_duration(env, "CONFIANCE_SESSION_MAX_HOURS", 8.0, 31 * 24),
            trace_spool=env.get("CONFIANCE_TRACE_SPOOL") or None,
            header_timeout=_duration(env, "CONFIANCE_HEADER_TIMEOUT", 10.0, 3600),
            body_timeout=_duration(env, "CONFIANCE_BODY_TIMEOUT", 60.0, 3600),
            keepalive_timeout=_duration(env, "CONFIANCE_KEEPALIVE_TIMEOUT", 75.0, 86400),
            max_connections=_count(env, "CONFIANCE_MAX_CONNECTIONS", 1000, 1_000_000),
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


def parse_trusted_proxies(text: str | None) -> tuple[str, ...]:
    """The addresses and networks (``10.0.0.5``, ``10.0.0.0/8``, ``::1``) of
    ``CONFIANCE_TRUSTED_PROXIES``, normalised; empty when unset."""
    networks: list[str] = []
    for entry in (e for e in _SEPARATORS.split(text or "") if e):
        try:
            networks.append(str(ipaddress.ip_network(entry, strict=False)))
        except ValueError:
            raise ValueError(
                f"{TRUSTED_PROXIES}: {entry!r} is not an IP address or network (write e.g. "
                "10.0.0.5 or 10.0.0.0/8, separated by commas)"
            ) from None
    return tuple(networks)


def _duration(env: Mapping[str, str], name: str, default: float, most: float) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= most:
        raise ValueError(f"{name} must be a number above 0 and at most {most:g}, got {text!r}")
    return value


def _count(env: Mapping[str, str], name: str, default: int, most: int) -> int:
    text = env.get(name)
    if not text:
        return default
    if not text.isdigit() or not 0 < int(text) <= most:
        raise ValueError(f"{name} must be a whole number from 1 to {most}, got {text!r}")
    return int(text)
