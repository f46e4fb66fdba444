"""`ctxguard serve`: the dashboard over a store alone, read-only, stopped by SIGTERM or SIGINT.

It scrapes nothing and writes nothing: the pages come from the stored targets,
snapshots, incidents and actions, and each target's verdict from the analysis of
its stored window, run on demand.
"""

from __future__ import annotations

import asyncio
import ipaddress
import signal
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from ctxguard.store.db import Store
from ctxguard.watch.config import DEFAULT_LEVELS
from ctxguard.web.app import build, dashboard_routes
from ctxguard.web.fleet import Fleet

DEFAULT_LISTEN = "127.0.0.1:9465"  # next to the agent's 9464: both can run on one host


class ServeError(RuntimeError):
    """One line: what stopped `ctxguard serve` from starting."""


@dataclass(frozen=True)
class ServeOptions:
    database: str
    listen: str = DEFAULT_LISTEN
    token: str = ""
    window_s: float = 900.0
    sources: Mapping[str, str] = field(default_factory=dict)
    responses: Mapping[str, float] = field(default_factory=lambda: {r.level: r.response_s for r in DEFAULT_LEVELS})
    bundle_root: Path | None = None


def is_loopback(listen: str) -> bool:
    host = listen.rpartition(":")[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(listen: str) -> socket.socket:
    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, int(port)))
    except (OSError, ValueError) as e:
        sock.close()
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise ServeError(f"listen {listen}: {why}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


async def serve(opts: ServeOptions, announce: Callable[[str], None]) -> None:
    if not opts.token and not is_loopback(opts.listen):
        raise ServeError(f"listen {opts.listen} is not a loopback address: pass --token-file")
    sock = bind(opts.listen)
    try:
        store = await asyncio.to_thread(Store.open, opts.database, migrate=False)
    except BaseException:
        sock.close()
        raise
    fleet = Fleet(store, opts.window_s, opts.sources, opts.responses, opts.bundle_root)
    config = uvicorn.Config(
        build(dashboard_routes(fleet), opts.token), log_level="warning", access_log=False, lifespan="off", ws="none"
    )
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)  # started by hand, as the agent does: we own the signals
    loop = asyncio.get_running_loop()

    def stop() -> None:
        server.should_exit = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    host, port = sock.getsockname()[:2]
    try:
        await server.startup(sockets=[sock])
        announce(f"listening on http://{host}:{port}")
        await server.main_loop()
        await server.shutdown(sockets=[sock])
    finally:
        sock.close()
        store.close()
