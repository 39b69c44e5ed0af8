"""The listening socket: bound before anything else is changed, so a port already taken fails
``confiance serve`` at once, with one line saying what to do, and no config applied or key
created.

The socket is bound and listening here, in the parent process, and handed to the server (and to
every ``--workers`` process, which all accept from it): the port is never released while a worker
restarts, and a second ``serve`` on the same port is refused instead of silently sharing it.
"""

from __future__ import annotations

import errno
import socket

from confiance.errors import ListenError

__all__ = ["BACKLOG", "bind_listener", "listen_problem"]

BACKLOG = 4096
"""Connections the kernel queues before they are accepted (capped by ``net.core.somaxconn``)."""


def bind_listener(host: str, port: int, *, backlog: int = BACKLOG) -> socket.socket:
    """A TCP socket listening on ``host:port`` (port 0 picks a free one).

    Raises :class:`ListenError` with a one-line reason and remedy when the address cannot be
    resolved, is not this machine's, needs privileges, or is already in use.
    """
    where = f"{host}:{port}"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ListenError(
            f"cannot listen on {where}: host {host!r} does not resolve ({error.strerror}); "
            "use an IP address such as 127.0.0.1 or 0.0.0.0 (--host or CONFIANCE_HOST)"
        ) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        # Lets a restarted gateway bind while old connections sit in TIME_WAIT; a port someone
        # is listening on is still refused (no SO_REUSEPORT: no silent sharing).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
    except OSError as error:
        sock.close()
        raise ListenError(listen_problem(error, host, port)) from None
    sock.set_inheritable(False)
    return sock


def listen_problem(error: OSError, host: str, port: int) -> str:
    """One line saying why listening on ``host:port`` failed with ``error``, and what to do."""
    where = f"{host}:{port}"
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use (another gateway or program listens "
            f"there; `ss -ltnp 'sport = :{port}'` shows which): stop it, or choose another "
            "port with --port or CONFIANCE_PORT"
        )
    if error.errno == errno.EACCES:
        return (
            f"no permission to listen on {where} (ports below 1024 need privileges): choose "
            "a port from 1024 up with --port or CONFIANCE_PORT"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return (
            f"cannot listen on {where}: {host} is not an address of this machine; use "
            "127.0.0.1, 0.0.0.0 (every interface) or one of its addresses (--host)"
        )
    return f"cannot listen on {where}: {error.strerror or error}"
