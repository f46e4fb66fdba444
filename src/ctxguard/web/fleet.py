"""Where the dashboard's data comes from: a running watch agent (its memory, then its store) or a store alone.

Both answer the same questions, so the pages and the JSON API do not know which one
they show. The agent has its targets' health, windows and reports in memory;
`ctxguard serve` has only the store, so it runs the analysis over each target's
stored window on demand and keeps the latest reports, so that a reload does not
analyse again.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from ctxguard.analysis.report import RuntimeReport, analyse
from ctxguard.analysis.source import SourceIndex, SourceLink
from ctxguard.runtime.model import Frame, Snapshot
from ctxguard.store.db import Store
from ctxguard.store.model import ActionRecord, Incident, Target
from ctxguard.watch.state import Health

if TYPE_CHECKING:
    from ctxguard.watch.agent import Agent

P = ParamSpec("P")
R = TypeVar("R")

REPORTS_KEPT = 256  # a report per target of a mid-sized fleet; each holds its window's snapshots
SOURCE_TTL_S = 300.0  # a checkout moves on (git pull): its index and lint findings are rebuilt after this
SERVICE_LABEL = "service"  # the label `[sources]` and `--source` are keyed by


@dataclass(frozen=True)
class TargetInfo:
    """One target as the dashboard lists it."""

    target: Target
    health: Health | None  # None: not scraped from here (serve, or a target another agent holds)
    rounds: int = 0
    errors: int = 0
    extra_error: str = ""
    snapshots: int = 0
    agent: str = ""

    @property
    def id(self) -> int:
        assert self.target.id is not None
        return self.target.id


class Analyses:
    """Reports by window and source indexes by checkout: one per app, shared by its request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reports: OrderedDict[tuple[object, ...], RuntimeReport] = OrderedDict()
        self._indexes: dict[str, tuple[float, SourceIndex]] = {}

    def report(self, tid: int, window: list[Snapshot]) -> RuntimeReport:
        # the window's size and ends identify it: stored snapshots never change, only come and go
        key = (tid, len(window), _stamp(window[0]) if window else "", _stamp(window[-1]) if window else "")
        with self._lock:
            hit = self._reports.get(key)
            if hit is not None:
                self._reports.move_to_end(key)
                return hit
        report = analyse(window, need_ids=False)
        with self._lock:
            self._reports[key] = report
            while len(self._reports) > REPORTS_KEPT:
                self._reports.popitem(last=False)
        return report

    def link(self, checkout: str, frame: Frame | None) -> SourceLink | None:
        """What `analyse(..., source=checkout)` links, with the checkout's index (and its lint
        findings) kept for a while: building it lints the package, too slow for every page."""
        now = time.monotonic()
        with self._lock:
            got = self._indexes.get(checkout)
        if got is None or now - got[0] > SOURCE_TTL_S:
            got = (now, SourceIndex(checkout))
            with self._lock:
                self._indexes[checkout] = got
        return got[1].link(frame)


def _stamp(s: Snapshot) -> str:
    return s.time.isoformat() if s.time else s.source


def stored_window(store: Store, tid: int, window_s: float) -> list[Snapshot]:
    """The target's last `window_s` of snapshots, ending at its newest one: a store browsed
    after its agent stopped still shows what the agent last judged."""
    newest = store.window(tid, limit=1)
    if not newest or newest[-1].time is None:
        return newest
    return store.window(tid, since=newest[-1].time - timedelta(seconds=window_s))


class Fleet:
    """The store's side, common to both modes: stored targets, windows, incidents and actions."""

    mode = "serve"

    def __init__(
        self,
        store: Store,
        window_s: float,
        sources: Mapping[str, str],
        responses: Mapping[str, float],
        bundle_root: Path | None,
    ) -> None:
        self.store = store
        self.window_s = window_s
        self.sources = dict(sources)  # service label -> checkout
        self.responses = dict(responses)  # level -> response time (s): escalations are derived from it
        self.bundle_root = bundle_root
        self.analyses = Analyses()

    async def _db(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        # A thread of its own per call, not the agent's store thread: a page never queues
        # behind the agent's writes, nor they behind a page (the Store is shared by threads).
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def targets(self) -> list[TargetInfo]:
        rows = await self._db(self.store.targets, True)
        return [TargetInfo(t, None, snapshots=await self._db(self.store.snapshot_count, t.id or 0)) for t in rows]

    async def target(self, tid: int) -> TargetInfo | None:
        for t in await self._db(self.store.targets, False):
            if t.id == tid:
                return TargetInfo(t, None, snapshots=await self._db(self.store.snapshot_count, tid))
        return None

    async def window(self, tid: int) -> list[Snapshot]:
        return await self._db(stored_window, self.store, tid, self.window_s)

    async def report(self, tid: int, window: list[Snapshot]) -> RuntimeReport:
        return await asyncio.to_thread(self.analyses.report, tid, window)

    async def incidents(self, state: str | None = None, target_id: int | None = None) -> list[Incident]:
        return await self._db(self.store.incidents, state=state, target_id=target_id)

    async def incident(self, iid: int) -> Incident | None:
        return await self._db(self.store.incident, iid)

    async def actions(self, iid: int) -> list[ActionRecord]:
        return await self._db(self.store.actions, iid)

    def checkout(self, labels: tuple[tuple[str, str], ...]) -> str | None:
        return self.sources.get(dict(labels).get(SERVICE_LABEL, ""))

    async def link(self, checkout: str, frame: Frame | None) -> SourceLink | None:
        return await asyncio.to_thread(self.analyses.link, checkout, frame)


class AgentFleet(Fleet):
    """A running agent: the targets it holds come from its memory, the rest from its store."""

    mode = "watch"

    def __init__(self, agent: Agent) -> None:
        cfg = agent.cfg
        super().__init__(
            agent.store, cfg.window_s, dict(cfg.sources), {r.level: r.response_s for r in cfg.levels}, cfg.bundles
        )
        self.agent = agent

    def _info(self, tid: int) -> TargetInfo | None:
        st = self.agent.states.get(tid)
        if st is None:
            return None
        return TargetInfo(
            st.watched.target,
            st.health,
            rounds=st.rounds,
            errors=st.errors_total,
            extra_error=st.extra_error,
            snapshots=len(st.window),
            agent=self.agent.name,
        )

    async def targets(self) -> list[TargetInfo]:
        held = sorted(self.agent.states.values(), key=lambda s: s.watched.target.url)
        return [info for st in held if (info := self._info(st.id)) is not None]

    async def target(self, tid: int) -> TargetInfo | None:
        return self._info(tid) or await super().target(tid)

    async def window(self, tid: int) -> list[Snapshot]:
        st = self.agent.states.get(tid)
        # copied on the loop, which alone appends to it: the copy is then safe in any thread
        return list(st.window) if st is not None else await super().window(tid)

    async def report(self, tid: int, window: list[Snapshot]) -> RuntimeReport:
        st = self.agent.states.get(tid)
        if st is not None and st.report is not None:
            return st.report  # the agent's own verdict over this window, as /metrics shows it
        return await super().report(tid, window)
