"""What the agent knows of each target between rounds: its schedule, its health, its window of snapshots."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field

from ctxguard.analysis.report import RuntimeReport
from ctxguard.runtime.model import Snapshot
from ctxguard.watch.targets import Watched


@dataclass(frozen=True)
class Health:
    """The last round of one target, as /metrics and the API show it."""

    up: bool = False
    last_error: str = ""
    error_kind: str = ""
    scrape_seconds: float = 0.0
    lag_seconds: float = 0.0  # how late the round started against its schedule
    failures: int = 0  # rounds failed since the last success
    verdict: str = "insufficient-data"


@dataclass
class TargetState:
    """Mutable by design: the scheduler's bookkeeping for one target, owned by one agent task at a time."""

    watched: Watched
    next_due: float  # monotonic time the next round is due
    window: deque[Snapshot] = field(default_factory=deque)
    health: Health = Health()
    last_heap: float = float("-inf")
    last_dump: float = float("-inf")
    last_trace: float = float("-inf")
    trace: Snapshot | None = None  # the last execution trace taken on suspicion, while within the window
    censuses: deque[Snapshot] = field(default_factory=deque)  # context censuses (ctxguard's Go module)
    census_absent_at: float = float("-inf")  # when the target last served no census
    in_flight: bool = False
    report: RuntimeReport | None = None
    rounds: int = 0
    errors_total: int = 0
    extra_error: str = ""  # the last failure of a heap profile or a debug=2 dump (the round went on)
    dumps_fail: bool = False  # the target's last debug=2 request failed: it may not serve them

    @property
    def id(self) -> int:
        assert self.watched.target.id is not None
        return self.watched.target.id

    def schedule_next(self, now: float, interval: float, max_backoff: float, rng: random.Random) -> None:
        """Keep the cadence on success; after failures back off exponentially (with jitter), capped."""
        if self.health.failures == 0:
            # stay on the grid (no drift), but never schedule into the past after a slow round
            self.next_due = max(self.next_due + interval, now + interval * 0.25)
            return
        delay = min(interval * 2 ** min(self.health.failures - 1, 16), max_backoff)
        self.next_due = now + delay * rng.uniform(0.8, 1.2)

    def judged(self) -> list[Snapshot]:
        """What a verdict is judged on: the window, its context censuses, and the trace while it lasts."""
        return [*self.window, *self.censuses, *([self.trace] if self.trace is not None else [])]

    def trim(self, keep_s: float) -> None:
        """Drop snapshots, censuses and the trace older than the window (by their own time)."""
        if not self.window:
            return
        newest = self.window[-1].time
        if newest is None:
            return
        if (
            self.trace is not None
            and self.trace.time is not None
            and (newest - self.trace.time).total_seconds() > keep_s
        ):
            self.trace = None
        while self.censuses and (t := self.censuses[0].time) is not None and (newest - t).total_seconds() > keep_s:
            self.censuses.popleft()
        while self.window and (t := self.window[0].time) is not None and (newest - t).total_seconds() > keep_s:
            self.window.popleft()
