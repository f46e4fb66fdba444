"""`ctxguard serve`: the dashboard over a store alone, read-only, stopped by SIGTERM or SIGINT.

It scrapes nothing and writes nothing: the pages come from the stored targets,
snapshots, incidents and actions, and each target's verdict from the analysis of
its stored window, run on demand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ctxguard.store.db import Store
from ctxguard.watch.config import DEFAULT_LEVELS
from ctxguard.web import listen
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


async def serve(opts: ServeOptions, announce: Callable[[str], None]) -> None:
    if not opts.token and not listen.is_loopback(opts.listen):
        raise ServeError(f"listen {opts.listen} is not a loopback address: pass --token-file")
    sock = listen.bind(opts.listen)
    try:
        store = await asyncio.to_thread(Store.open, opts.database, migrate=False)
    except BaseException:
        sock.close()
        raise
    fleet = Fleet(store, opts.window_s, opts.sources, opts.responses, opts.bundle_root)
    server = listen.server(build(dashboard_routes(fleet), opts.token))

    def stop() -> None:
        server.should_exit = True

    listen.stop_on_signals(stop)
    try:
        await server.startup(sockets=[sock])
        announce(f"listening on {listen.url_of(sock)}")
        await server.main_loop()
        await server.shutdown(sockets=[sock])
    finally:
        sock.close()
        store.close()
