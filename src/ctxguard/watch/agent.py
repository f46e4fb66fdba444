"""The watch agent: one asyncio loop that scrapes every held target on its own schedule, stores, judges and acts.

Isolation is the design: each round of each target is its own task, a global
semaphore bounds the requests in flight, and every request ends at its
deadline and its size limit (scrape.py), so a hung or huge target costs one
slot for at most `timeout`, never another target's schedule. Store writes go
through one thread (SQLite has one writer; every write is one committed
transaction, so kill -9 loses at most the round in flight). Verdicts are the
runtime analysis (`analysis.report.analyse`) over the target's window, kept in
memory and refilled from the store after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import math
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ParamSpec, TypeVar

import httpx

from ctxguard.analysis.report import analyse
from ctxguard.runtime.share import StackTable
from ctxguard.store.db import LeaseLost, Store, StoreError
from ctxguard.store.model import Incident, Target
from ctxguard.watch import bundle, costly
from ctxguard.watch.actions import Actions
from ctxguard.watch.config import ScrapeOptions, WatchConfig
from ctxguard.watch.incidents import Change, IncidentBook
from ctxguard.watch.metrics import AgentMetrics
from ctxguard.watch.scrape import CENSUS, DUMP, GOROUTINES, HEAP, TRACE, Scraped, ScrapeError, client_for, fetch
from ctxguard.watch.state import Health, TargetState
from ctxguard.watch.targets import TargetSet, Watched

P = ParamSpec("P")
R = TypeVar("R")
ALERT_REFRESH_S = 60.0  # Alertmanager resolves an alert not re-sent within its resolve_timeout (5 min)
HOUSEKEEPING_S = 5.0


class Agent:
    def __init__(self, cfg: WatchConfig, store: Store, log: Callable[[str], None]) -> None:
        self.cfg = cfg
        self.store = store
        self.log = log
        self.name = cfg.agent_name()
        self.targets = TargetSet(cfg, log)
        self.states: dict[int, TargetState] = {}
        self.stacks = StackTable()  # the windows share their stacks: memory follows the fleet's distinct stacks
        self.known: list[Target] = []  # every target of the config, stored (with ids)
        self.book = IncidentBook(cfg.levels, cfg.env_label, cfg.resolve_after_s, confirm_s=cfg.window_s / 2)
        self.metrics = AgentMetrics(self)
        self.rng = random.Random()
        self.stopping = asyncio.Event()
        self._db_thread = ThreadPoolExecutor(1, thread_name_prefix="ctxguard-store")
        # leases must not wait behind snapshot writes (nor retention behind anything): their own threads
        self._lease_thread = ThreadPoolExecutor(1, thread_name_prefix="ctxguard-leases")
        self._prune_thread = ThreadPoolExecutor(1, thread_name_prefix="ctxguard-retention")
        self.waiting = 0  # rounds due and waiting for a request slot
        self._clients: dict[ScrapeOptions, httpx.AsyncClient] = {}
        self._slots = asyncio.Semaphore(cfg.concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._watched: dict[int, Watched] = {}
        self._action_client = httpx.AsyncClient(trust_env=False, follow_redirects=False)
        self.actions = Actions(cfg.actions, cfg.allow, self._action_client, recent=store.actions_since)
        self.started = time.monotonic()
        self.last_store_error = ""
        self.store_size = 0
        self.leased_until = float("inf")  # shared stores: no round starts after our leases may have expired

    # -- plumbing ---------------------------------------------------------------

    async def db(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run a store call on the store thread: the loop never blocks on the database."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db_thread, functools.partial(fn, *args, **kwargs))

    async def _leases(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._lease_thread, functools.partial(fn, *args, **kwargs))

    def _client(self, opts: ScrapeOptions) -> httpx.AsyncClient:
        if opts not in self._clients:
            self._clients[opts] = client_for(opts, self.cfg.timeout_s, self.cfg.concurrency, self.name)
        return self._clients[opts]

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- targets and leases -----------------------------------------------------

    async def sync_targets(self) -> None:
        """Re-read file_sd, store the target list, take leases, start or stop watching targets."""
        watched = self.targets.refresh()
        # shared: a target leaves the fleet when no agent has listed it for a while, not when one
        # agent's list lacks it (agents read their file_sd files at different moments)
        stale = timedelta(seconds=3 * self.cfg.lease_ttl_s) if self.cfg.shared else None
        stored = await self._leases(self.store.upsert_targets, [w.target for w in watched], stale_after=stale)
        by_url = {w.target.url: w for w in watched}
        self.known = stored
        self._watched = {t.id: Watched(t, by_url[t.url].scrape) for t in stored if t.id is not None}
        if self.cfg.shared:
            asked = time.monotonic()
            ttl = timedelta(seconds=self.cfg.lease_ttl_s)
            seen_after = datetime.now(UTC) - ttl
            agents = await self._leases(self.store.agents)
            others = sum(1 for a in agents if a.id != self.name and a.last_seen > seen_after)
            fair = math.ceil(len(stored) / (others + 1)) if stored else 0
            held = set(await self._leases(self.store.lease, self.name, ttl, max(fair, 1), among=set(self._watched)))
            # our own clock, from before we asked: the leases surely last until then
            self.leased_until = asked + self.cfg.lease_ttl_s
        else:
            held = set(self._watched)
        if self.cfg.shared and held != set(self.states):
            gained, lost = len(held - set(self.states)), len(set(self.states) - held)
            self.log(f"leases: holding {len(held)} of {len(stored)} targets (+{gained} -{lost})")
        now = datetime.now(UTC)
        for tid in list(self.states):
            if tid not in self._watched:  # removed from the configuration: its incidents end here
                for change in self.book.gone(tid, now):
                    await self._apply(None, change)
            if tid not in held or tid not in self._watched:
                del self.states[tid]
                self.book.forget(tid)
            else:
                self.states[tid].watched = self._watched[tid]  # labels and scrape options may have changed
        for tid in sorted(held - set(self.states)):
            if tid in self._watched:
                await self._adopt(self._watched[tid])

    async def _adopt(self, w: Watched) -> None:
        """Start watching a target: its open incidents and its recent window come from the store."""
        assert w.target.id is not None
        tid = w.target.id
        since = datetime.now(UTC) - timedelta(seconds=self.cfg.window_s)
        window = await self.db(self.store.window, tid, since=since)
        self.book.adopt(await self.db(self.store.incidents, state="open", target_id=tid))
        st = TargetState(w, next_due=time.monotonic() + phase(w.target.url, self.cfg.interval_s))
        st.window.extend(self.stacks.share(s) for s in window)
        self.states[tid] = st

    # -- the loop ---------------------------------------------------------------

    async def run(self, on_ready: Callable[[], None] | None = None) -> None:
        await self.sync_targets()
        self.log(f"watching {len(self.states)} of {len(self.known)} targets as {self.name}")
        if on_ready:
            on_ready()
        self._spawn(self._housekeeping())
        try:
            while not self.stopping.is_set():
                now = time.monotonic()
                soonest = now + 0.5
                if now >= self.leased_until:  # the store is unreachable: another agent may own them by now
                    await self._nap(0.5)
                    continue
                for st in list(self.states.values()):
                    if st.in_flight:
                        continue
                    if st.next_due <= now:
                        st.in_flight = True
                        self._spawn(self._round(st))
                    else:
                        soonest = min(soonest, st.next_due)
                await self._nap(max(soonest - now, 0.01))
        finally:
            await self.close()

    async def _nap(self, seconds: float) -> None:
        """Sleep, or less if the agent is stopping (wait_for cancels its waiter: no task left behind)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), timeout=seconds)

    async def close(self) -> None:
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for c in [*self._clients.values(), self._action_client]:
            await c.aclose()
        if self.cfg.shared:
            try:
                await self._leases(self.store.release, self.name)
            except Exception as e:  # shutting down: the leases expire on their own
                self.log(f"could not release leases: {e}")
        for pool in (self._db_thread, self._lease_thread, self._prune_thread):
            pool.shutdown(wait=True)

    async def _housekeeping(self) -> None:
        last_alerts = last_prune = time.monotonic()
        refresh = min((sd.refresh_s for sd in self.cfg.file_sd), default=30.0)
        lease_every = min(self.cfg.lease_ttl_s / 3, refresh) if self.cfg.shared else refresh
        last_sync = time.monotonic()
        while not self.stopping.is_set():
            await self._nap(min(HOUSEKEEPING_S, lease_every))
            now = time.monotonic()
            try:
                if now - last_sync >= lease_every:
                    last_sync = now
                    await self.sync_targets()
                self.store_size = await self.db(self.store.size_bytes)
                if now - last_alerts >= ALERT_REFRESH_S:
                    last_alerts = now
                    for rec in await self.actions.refresh(list(self.book.open.values())):
                        await self.db(self.store.record_action, rec)
                if now - last_prune >= 600:
                    last_prune = now
                    self._spawn(self._retention())
                self.last_store_error = ""
            except asyncio.CancelledError:
                raise
            except Exception as e:  # the store may be down for a while: keep scraping, say why
                self.last_store_error = str(e).splitlines()[0] if str(e) else type(e).__name__
                self.log(f"housekeeping: {self.last_store_error}")

    async def _retention(self) -> None:
        """Prune in bounded batches until nothing is left to prune, then the old evidence bundles."""
        r = self.cfg.retention
        loop = asyncio.get_running_loop()
        args = (timedelta(seconds=r.raw_s), timedelta(seconds=r.downsampled_s), timedelta(seconds=r.every_s))
        try:
            while not self.stopping.is_set():
                call = functools.partial(self.store.prune, *args, datetime.now(UTC))
                if await loop.run_in_executor(self._prune_thread, call) <= 0:
                    break
            await loop.run_in_executor(self._prune_thread, bundle.prune, self.cfg.bundles, r.downsampled_s)
        except StoreError as e:
            self.log(f"retention: {e}")

    # -- one round of one target --------------------------------------------------

    async def _get(self, st: TargetState, path: str, keep_raw: bool = False) -> Scraped:
        w = st.watched
        timeout = self.cfg.timeout_s + (self.cfg.trace_s if path.startswith(TRACE) else 0.0)
        return await fetch(self._client(w.scrape), w.scrape, w.target.url, path, timeout, self.cfg.max_body, keep_raw)

    async def _round(self, st: TargetState) -> None:
        due = st.next_due
        try:
            self.waiting += 1
            try:
                await self._slots.acquire()
            finally:
                self.waiting -= 1
            census: asyncio.Task[None] | None = None
            try:
                start = time.monotonic()
                lag = max(start - due, 0.0)
                self.metrics.lag.observe(lag)
                if costly.census_due(self.cfg, st, start):
                    # beside the goroutine profile, not after it: a target without the module (slow
                    # to say 404) must not make its round longer
                    census = asyncio.create_task(self._take_census(st, start))
                got = [await self._get(st, GOROUTINES)]
                seconds = got[0].seconds
                extras = []
                if start - st.last_heap >= self.cfg.heap_interval_s:
                    extras.append(HEAP)
                    st.last_heap = start
                suspected = self.book.has_open(st.id) or costly.suspected(st.report)
                if costly.needs_dump(self.cfg, st, start, suspected):
                    extras.append(DUMP)
                    st.last_dump = start
                if costly.needs_trace(self.cfg, st, start, suspected):
                    extras.append(f"{TRACE}{self.cfg.trace_s:g}")
                    st.last_trace = start
                for path in extras:  # the goroutine profile makes the round; these only add to it
                    try:
                        if path.startswith(TRACE):
                            await self._take_trace(st)
                            continue
                        got.append(await self._get(st, path))
                        if path == DUMP:
                            st.dumps_fail = False
                    except ScrapeError as e:
                        self.metrics.failures.labels(kind=e.kind).inc()
                        st.extra_error = str(e)
                        if path == DUMP:
                            st.dumps_fail = True
            finally:
                if census is not None:
                    await asyncio.gather(census, return_exceptions=True)
                self._slots.release()
            for g in got:
                await self.db(self.store.add_snapshot, st.id, g.snapshot, agent=self._fence(st))
                st.window.append(self.stacks.share(g.snapshot))
            st.trim(self.cfg.window_s)
            st.rounds += 1
            report = await asyncio.to_thread(analyse, st.judged(), need_ids=False)
            st.report = report
            st.health = Health(True, "", "", seconds, lag, 0, report.verdict.verdict)
            for change in self.book.judge(st.watched.target, report, datetime.now(UTC), ids=not st.dumps_fail):
                await self._apply(st, change)
        except LeaseLost:
            self.log(f"{st.watched.target.url}: lease lost to another agent; no longer watching it")
            self.states.pop(st.id, None)
            self.book.forget(st.id)
        except (ScrapeError, StoreError) as e:
            kind = e.kind if isinstance(e, ScrapeError) else "store"
            if isinstance(e, StoreError):
                self.last_store_error = str(e)
            self._failed(st, str(e), kind)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # a bug in one round must not stop the others: the target backs off
            self._failed(st, f"internal error: {type(e).__name__}: {e}".splitlines()[0], "internal")
        finally:
            st.in_flight = False
            st.schedule_next(time.monotonic(), self.cfg.interval_s, self.cfg.max_backoff_s, self.rng)

    async def _take_census(self, st: TargetState, now: float) -> None:
        """The context census, every round of a target that embeds ctxguard's Go module. A target
        that does not (any error, or an answer that is no census) is asked again only after
        dump-interval, and is not failing for it: the census is an extra. Kept with the window,
        not in the store: it is no goroutine snapshot."""
        try:
            got = await self._get(st, CENSUS)
        except ScrapeError:
            st.census_absent_at = now
            return
        if got.snapshot.contexts is None:
            st.census_absent_at = now
            return
        st.censuses.append(got.snapshot)

    async def _take_trace(self, st: TargetState) -> None:
        """Record an execution trace: its lifetimes join the verdicts while the window holds it (not
        the store: it is no goroutine snapshot), its file waits on disk for an incident's bundle."""
        got = await self._get(st, f"{TRACE}{self.cfg.trace_s:g}", keep_raw=True)
        assert got.raw is not None
        try:
            await asyncio.to_thread(bundle.keep_trace, self.cfg.bundles, st.id, got.raw)
        except OSError as e:  # a full disk costs the bundle its trace, not the round its snapshots
            self.log(f"{st.watched.target.url}: cannot keep the trace for a bundle: {e}")
        st.trace = got.snapshot
        self.metrics.traces.inc()
        lt = got.snapshot.lifetimes
        if lt is not None:
            alive = sum(s.alive_at_end for s in lt.sites if s.file)
            self.log(
                f"{st.watched.target.url}: traced {lt.duration_s:.1f} s: {alive} goroutines created and never ended"
            )

    def _failed(self, st: TargetState, message: str, kind: str) -> None:
        st.errors_total += 1
        self.metrics.failures.labels(kind=kind).inc()
        h = st.health
        if h.failures == 0:  # said once when a target goes down, not every round it stays down
            self.log(f"{st.watched.target.url}: down: {message}")
        st.health = Health(False, message, kind, h.scrape_seconds, h.lag_seconds, h.failures + 1, h.verdict)

    def _fence(self, st: TargetState | None) -> str | None:
        """Whose lease a write about this target must hold (shared stores; a removed target has none)."""
        return self.name if self.cfg.shared and st is not None else None

    def _still_ours(self, target_id: int) -> bool:
        """Whether this agent still watches the target (shared stores: its lease has not run out)."""
        return target_id in self.states and (not self.cfg.shared or time.monotonic() < self.leased_until)

    async def _apply(self, st: TargetState | None, change: Change) -> None:
        """Store a change, then (and only then) let the book follow it and act on it."""
        if st is not None and not self._still_ours(st.id):
            return  # another agent may own the target by now: its incidents are that agent's
        inc = await self.db(self.store.save_incident, change.incident, agent=self._fence(st))
        self.book.record(inc)
        if change.event == "updated":
            return  # more of the same evidence pages nobody; Alertmanager hears it through refresh()
        self.log(f"incident {inc.id} {change.event}: {inc.level} {inc.target} {inc.function} ({inc.file}:{inc.line})")
        if change.event == "opened" and st is not None:
            inc = await self._bundle(st, inc)
        for rec in await self.actions.fire(inc, change.event):
            await self.db(self.store.record_action, rec)

    async def _bundle(self, st: TargetState, inc: Incident) -> Incident:
        """The evidence before the pod can restart: debug=2 (the round's own, when it just took one),
        heap, and the runtime report in JSON and HTML."""
        raw: dict[str, bytes] = {}
        extra = []
        fresh = time.monotonic() - st.last_dump < self.cfg.interval_s
        async with self._slots:
            for path in (HEAP,) if fresh else (DUMP, HEAP):
                try:
                    got = await self._get(st, path, keep_raw=True)
                except ScrapeError as e:
                    self.log(f"incident {inc.id}: evidence bundle: {e}")
                    continue
                assert got.raw is not None
                raw[path] = got.raw
                extra.append(got.snapshot)
        snaps = [*st.judged(), *extra]
        where = await asyncio.to_thread(bundle.write, self.cfg.bundles, inc, raw, snaps, st.id if st.trace else None)
        inc = await self.db(self.store.save_incident, replace(inc, bundle=str(where)), agent=self._fence(st))
        self.book.record(inc)
        return inc


def phase(url: str, interval_s: float) -> float:
    """A target's offset in the interval, from a hash of its URL (as Prometheus spreads its
    scrapes): rounds spread evenly over the interval instead of bursting, and the same target
    keeps its place across restarts."""
    digest = hashlib.blake2b(url.encode(), digest_size=8).digest()
    return interval_s * int.from_bytes(digest, "big") / 2**64
