"""Running the gateway: one process, or several workers accepting from one listening socket.

Start-up fails safe: the port is bound first (:mod:`.listener`), then the store is opened and
probed for write access, and only then is a config applied (``serve --config``) or a key created
(``serve --demo``). Any of these failing stops ``serve`` with one line and exit code 2, with
nothing changed.

Shutdown on SIGINT/SIGTERM is graceful: the listener closes, in-flight requests finish (up to
``shutdown_timeout``), queued traces are flushed to the store, provider sessions close.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from aiohttp import web

from confiance.api.deps import ApplyHook
from confiance.app import Services, open_services
from confiance.config.keyenv import KeyEnvPolicy
from confiance.config.load import LoadedConfig, load_config
from confiance.control.revisions import ApplyResult
from confiance.domain.types import JSONObject
from confiance.gateway.change import apply_change
from confiance.gateway.connections import ConnectionGuard, ConnectionLimits, GuardedSite
from confiance.gateway.jobs import RegressionScheduler
from confiance.gateway.listener import BACKLOG
from confiance.gateway.server import Gateway
from confiance.gateway.spool import spool_directory
from confiance.gateway.workers import Supervisor, die_with_parent, watch_parent
from confiance.observability.tracing import spans_from_env
from confiance.providers.builtin import builtin_registry
from confiance.settings import Settings
from confiance.store.notify import ChangeFeed

__all__ = ["build_gateway", "prepare_store", "run_server", "serve_forever"]

log = logging.getLogger(__name__)


def build_gateway(services: Services, *, poll_interval: float = 1.0) -> Gateway:
    """The gateway over ``services``, with the management API mounted under ``/api`` and the
    web UI under ``/ui``."""
    from confiance.api import create_api
    from confiance.web import create_web

    return Gateway(
        services.store,
        builtin_registry(),
        poll_interval=poll_interval,
        management=create_api(
            services, apply_change=_apply_hook(services, config_dir(services.settings))
        ),
        web=create_web(services),
        spans=spans_from_env(os.environ),
        changes=ChangeFeed(services.store.database, services.settings.redis_url),
        key_env=KeyEnvPolicy.of(services.settings),
        spool=spool_directory(services.settings),
    )


def config_dir(settings: Settings) -> Path:
    """Where routes' regression suite paths are resolved: the config file's directory."""
    return Path(settings.config_path).resolve().parent


def _apply_hook(services: Services, suites_dir: Path) -> ApplyHook:
    """``POST /api/config`` applies through :func:`apply_change`: gate-mode regression suites
    run on a candidate gateway first."""

    async def apply(
        loaded: LoadedConfig, author: str, message: str
    ) -> tuple[ApplyResult | None, list[JSONObject]]:
        change = await apply_change(
            services, loaded, author=author, message=message, config_dir=suites_dir
        )
        return change.result, [outcome.to_json() for outcome in change.outcomes]

    return apply


async def prepare_store(settings: Settings, config: Path | None = None) -> str | None:
    """Open and migrate the store, check it can be written, then apply ``config`` if given.

    Returns what the apply did (``None`` without a config). Raises :class:`StoreError` (store
    missing its folder, unreadable or read-only) or :class:`ConfigError` before changing
    anything."""
    policy = KeyEnvPolicy.of(settings)
    loaded = load_config(config, key_env=policy) if config is not None else None
    services = await open_services(settings, actor="serve")
    try:
        await services.store.check_writable()
        if loaded is None:
            return None
        result = await services.revisions.apply(
            loaded, "serve", f"confiance serve --config {config}"
        )
        return result.message
    finally:
        await services.close()


async def serve_forever(
    settings: Settings,
    sock: socket.socket,
    *,
    worker: bool = False,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[str], None] | None = None,
    shutdown_timeout: float = 30.0,
) -> None:
    """Serve on the listening ``sock`` until ``stop`` is set or the process gets SIGINT/SIGTERM.

    A ``worker`` (one of several processes on the socket) does not migrate the store: the parent
    did, once, before starting the workers."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    # Changes reach this process only through the management API: audit them as "api:<key>".
    services = await open_services(settings, actor="api", migrate=not worker)
    gateway = build_gateway(services)
    runner = web.AppRunner(
        gateway.application(),
        handler_cancellation=True,
        access_log=None,
        shutdown_timeout=shutdown_timeout,
    )
    scheduler = RegressionScheduler(
        services, lambda: gateway.snapshots.current.table, config_dir(settings)
    )
    jobs: asyncio.Task[None] | None = None
    try:
        await runner.setup()
        guard = ConnectionGuard(connection_limits(settings), gateway.metrics)
        site = GuardedSite(runner, sock, guard, BACKLOG)
        await site.start()
        jobs = asyncio.get_running_loop().create_task(scheduler.run_forever(), name="jobs")
        _tune_gc()
        if on_ready is not None:
            on_ready(listening_url(sock))
        await stop.wait()
    finally:
        if jobs is not None:
            jobs.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await jobs
        await runner.cleanup()
        await services.close()


def _run(main: Coroutine[Any, Any, None]) -> None:
    """Run on uvloop where it exists (Linux, macOS): the benchmark measured it faster."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows
        asyncio.run(main)
    else:
        uvloop.run(main)


def connection_limits(settings: Settings) -> ConnectionLimits:
    return ConnectionLimits(
        header_timeout=settings.header_timeout,
        body_timeout=settings.body_timeout,
        keepalive_timeout=settings.keepalive_timeout,
        max_connections=settings.max_connections,
    )


def listening_url(sock: socket.socket) -> str:
    """``http://host:port`` of a listening socket (IPv6 hosts in brackets)."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _tune_gc() -> None:
    """Move everything alive after start-up out of the collector's view and collect the young
    generation less often: fewer full-heap pauses under load (measured in bench/gateway.py)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _worker(settings: Settings, sock: socket.socket, parent: int) -> None:
    """A ``--workers`` process: serve until SIGTERM/SIGINT or until the parent is gone."""
    die_with_parent(parent)
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(message)s")

    async def main() -> None:
        stop = asyncio.Event()
        watchdog = asyncio.get_running_loop().create_task(watch_parent(parent, stop))
        try:
            await serve_forever(settings, sock, worker=True, stop=stop)
        finally:
            watchdog.cancel()

    _run(main())


def run_server(
    settings: Settings,
    sock: socket.socket,
    workers: int = 1,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Blocking: serve on ``sock`` in this process, or start ``workers`` supervised processes
    on it (see :mod:`.workers`).

    Call :func:`prepare_store` first: it migrates the store the workers then share."""
    if workers <= 1:
        _run(serve_forever(settings, sock, on_ready=on_ready))
        return
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(message)s")
    supervisor = Supervisor(settings, sock, workers, _worker)
    if on_ready is not None:
        on_ready(listening_url(sock))
    supervisor.run()
