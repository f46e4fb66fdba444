"""Where the HTTP side listens: loopback checks, binding with one-line errors, and a uvicorn server
started by hand (the caller owns the event loop and the signals). Shared by `watch` and `serve`."""

from __future__ import annotations

import asyncio
import ipaddress
import signal
import socket
from collections.abc import Callable

import uvicorn
from starlette.types import ASGIApp


class ListenError(RuntimeError):
    """One line: the address and why it cannot be listened on."""


def is_loopback(listen: str) -> bool:
    host = listen.rpartition(":")[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(listen: str) -> socket.socket:
    """A listening, non-blocking socket on HOST:PORT (port 0: a free one)."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, int(port)))
    except (OSError, ValueError) as e:
        sock.close()
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise ListenError(f"listen {listen}: {why}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def server(app: ASGIApp) -> uvicorn.Server:
    """A uvicorn server to start with `startup(sockets=...)` and `main_loop()`, not `serve()`:
    serve() installs its own signal handlers and re-raises the signal after shutting down."""
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", ws="none")
    config.load()
    srv = uvicorn.Server(config)
    srv.lifespan = config.lifespan_class(config)
    return srv


def stop_on_signals(stop: Callable[[], None]) -> None:
    """Call `stop` on SIGTERM or SIGINT, in the running event loop."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)


def url_of(sock: socket.socket) -> str:
    """What a bound socket serves, as the `listening on` line announces it."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"  # RFC 3986: IPv6 in brackets
