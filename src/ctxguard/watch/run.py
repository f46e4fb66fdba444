"""`ctxguard watch`: the store, the agent and its HTTP endpoints in one process, stopped by SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import fcntl
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ctxguard.store.db import Store
from ctxguard.watch.agent import Agent
from ctxguard.watch.config import WatchConfig
from ctxguard.watch.server import app, read_token
from ctxguard.web import listen


class WatchError(RuntimeError):
    """One line: what stopped the agent from starting."""


def _lock(data_dir: Path) -> IO[bytes]:
    """One agent per SQLite store: two would both scrape every target and race for its one writer.
    The lock goes with the process, kill -9 included."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fh = (data_dir / "agent.lock").open("wb")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        raise WatchError(f"{data_dir}: another ctxguard watch uses this data directory") from None
    return fh


async def serve(cfg: WatchConfig, log: Callable[[str], None], announce: Callable[[str], None]) -> None:
    try:
        token = read_token(cfg.token_file)
    except OSError as e:
        raise WatchError(f"{cfg.token_file}: cannot read the token: {e.strerror or e}") from None
    lock = None if cfg.shared else _lock(cfg.data_dir)
    sock = listen.bind(cfg.listen)
    store = await asyncio.to_thread(Store.open, cfg.database)
    agent = Agent(cfg, store, log)
    server = listen.server(app(agent, token))

    def stop() -> None:
        agent.stopping.set()
        server.should_exit = True

    listen.stop_on_signals(stop)
    try:
        await server.startup(sockets=[sock])
        web = asyncio.create_task(server.main_loop())
        await agent.run(on_ready=lambda: announce(f"listening on {listen.url_of(sock)}"))
        server.should_exit = True
        await web
        await server.shutdown(sockets=[sock])
    finally:
        sock.close()
        store.close()
        if lock is not None:
            lock.close()
