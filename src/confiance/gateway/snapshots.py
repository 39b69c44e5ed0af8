"""Snapshots: the route table plus the provider adapters it calls, swapped as one.

Provider adapters (and their pooled HTTP sessions) are reused across snapshots while their config
and secret are unchanged, so a config change does not drop warm connections. An adapter that a
new snapshot no longer uses is closed after a grace period long enough for requests that started
on the old snapshot to finish.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import aiohttp

from confiance.config.keyenv import KeyEnvPolicy
from confiance.config.schema import CircuitBreakerConfig, ConfianceConfig, ProviderConfig
from confiance.gateway.logscrub import KeyScrubbingFilter
from confiance.gateway.routing import RouteTable
from confiance.providers.base import Provider, ProviderContext, ProviderRegistry
from confiance.providers.http import create_session

__all__ = ["Snapshot", "SnapshotManager"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Snapshot:
    table: RouteTable
    providers: Mapping[str, Provider]

    def breaker_config(self, provider: str) -> CircuitBreakerConfig:
        config = self.table.config
        spec = config.providers.get(provider)
        return (spec.circuit_breaker if spec else None) or config.circuit_breaker


@dataclass(frozen=True, slots=True)
class _Pooled:
    config: ProviderConfig
    api_key: str | None
    session: aiohttp.ClientSession
    provider: Provider


class SnapshotManager:
    def __init__(
        self,
        registry: ProviderRegistry,
        env: Mapping[str, str],
        grace_seconds: float = 150.0,
        *,
        key_env: KeyEnvPolicy | None = None,
    ) -> None:
        self._registry = registry
        self._env = env
        self._key_env = key_env or KeyEnvPolicy()
        self.log_filter = KeyScrubbingFilter()
        self._grace = grace_seconds
        self._pool: dict[str, _Pooled] = {}
        self._retiring: dict[asyncio.Task[None], _Pooled] = {}
        self.current = Snapshot(RouteTable.empty(), MappingProxyType({}))

    def missing_secrets(self, config: ConfianceConfig) -> list[str]:
        """Providers whose ``api_key_env`` names an unset variable (warned about, not fatal:
        local servers such as Ollama need no key), or one the key-variable policy refuses
        (a revision stored before the policy; the variable is then never read)."""
        warnings: list[str] = []
        for name, spec in config.providers.items():
            variable = spec.api_key_env
            refusal = self._key_env.refusal(variable) if variable else None
            if refusal is not None:
                warnings.append(f"provider {name!r}: {refusal}; its calls are sent without a key")
            elif variable and not self._env.get(variable):
                warnings.append(f"provider {name!r}: environment variable {variable} is not set")
        return warnings

    def _secret(self, spec: ProviderConfig) -> str | None:
        variable = spec.api_key_env
        if not variable or self._key_env.refusal(variable) is not None:
            return None
        return self._env.get(variable)

    def install(self, config: ConfianceConfig, revision: int) -> Snapshot:
        """Build the snapshot of ``config`` and make it current (one reference assignment)."""
        pool: dict[str, _Pooled] = {}
        for name, spec in config.providers.items():
            api_key = self._secret(spec)
            old = self._pool.get(name)
            if old is not None and old.config == spec and old.api_key == api_key:
                pool[name] = old
            else:
                pool[name] = self._create(name, spec, api_key, config.timeouts.connect)
        retired = [p for name, p in self._pool.items() if pool.get(name) is not p]
        self._pool = pool
        # Keys still in use by retiring adapters stay scrubbed too.
        held = [*pool.values(), *retired, *self._retiring.values()]
        self.log_filter.update(p.api_key for p in held)
        self.current = Snapshot(
            table=RouteTable.build(config, revision),
            providers=MappingProxyType({name: p.provider for name, p in pool.items()}),
        )
        for pooled in retired:
            self._retire_later(pooled)
        return self.current

    def _create(
        self, name: str, spec: ProviderConfig, api_key: str | None, connect: float
    ) -> _Pooled:
        connect_timeout = spec.timeouts.connect if spec.timeouts else connect
        session = create_session(spec, connect_timeout=connect_timeout)
        context = ProviderContext(name=name, config=spec, session=session, api_key=api_key)
        return _Pooled(spec, api_key, session, self._registry.create(context))

    def _retire_later(self, pooled: _Pooled) -> None:
        async def close_after_grace() -> None:
            await asyncio.sleep(self._grace)
            await pooled.session.close()

        task = asyncio.get_running_loop().create_task(close_after_grace())
        self._retiring[task] = pooled
        task.add_done_callback(lambda done: self._retiring.pop(done, None))

    async def close(self) -> None:
        """Close every session now (shutdown: in-flight requests have been drained)."""
        retiring = list(self._retiring.items())
        for task, _ in retiring:
            task.cancel()
        pooled = [*self._pool.values(), *(p for _, p in retiring)]
        sessions = {id(p.session): p.session for p in pooled}
        self._pool = {}
        for session in sessions.values():
            await session.close()
        self.current = Snapshot(RouteTable.empty(), MappingProxyType({}))
