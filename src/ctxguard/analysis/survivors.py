"""Goroutines followed by ID from one dump to the next: who stayed parked, who came, who left.

A goroutine is a *survivor* when the same ID is parked on the same stack in two
dumps of the process (goroutine IDs are never reused while it runs). Per stack:

- a fixed-size pool or a ticker loop has survivors, but nobody arrives;
- in-flight work has arrivals and departures, and few survivors;
- a leak *accumulates*: goroutines arrive, and none of them leaves.

`Survival.accumulating` is that last case, proven by IDs alone: the newcomers
of two intervals or more each stayed parked to the last dump, and more came in
the last interval (four dumps at least). With fewer dumps only `kept_growing`
can be said: all stayed and more arrived, which a pool that scaled up once also
does, even when its scale-up straddles a dump; the count series (trend.py) has
to tell growth from a step.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from ctxguard.runtime.model import Snapshot

STAY_SHARE = 0.9  # a cohort "stays" when at least this share of it is still parked at the end
MIN_ARRIVALS = 5  # fewer newcomers than this in an interval is not accumulation
WAIT_STAMP_SLACK_MIN = 2.0  # how far the runtime's `N minutes` may lag the real wait


@dataclass(frozen=True)
class Interval:
    start: datetime | None
    end: datetime | None
    survivors: int  # parked here at both ends
    arrivals: int  # parked here at the end, not at the start
    departures: int  # parked here at the start, not at the end


@dataclass(frozen=True)
class Survival:
    """One stack followed through two or more dumps that carry goroutine IDs."""

    key: str
    counts: tuple[int, ...]  # distinct goroutines parked here, per dump
    times: tuple[datetime | None, ...]
    intervals: tuple[Interval, ...]
    since_first: int  # goroutines of the first dump still parked here in the last
    cohorts: int  # goroutines that arrived before the last interval (verifiable newcomers)
    cohorts_kept: int  # ... and are still parked here in the last dump
    cohorts_stayed: int = 0  # intervals before the last whose newcomers (MIN_ARRIVALS or more) stayed

    @property
    def first(self) -> int:
        return self.counts[0]

    @property
    def last(self) -> int:
        return self.counts[-1]

    @property
    def nobody_leaves(self) -> bool | None:
        """Whether those we could follow stayed (None: nobody to follow)."""
        followed = self.first + self.cohorts
        if followed == 0:
            return None
        return self.since_first + self.cohorts_kept >= STAY_SHARE * followed

    @property
    def kept_growing(self) -> bool:
        """All stayed and more arrived: a leak, or a pool that scaled up once."""
        return bool(self.nobody_leaves) and self.last - self.first >= MIN_ARRIVALS

    @property
    def accumulating(self) -> bool:
        """Newcomers stay, and still more come: proven over two intervals or more."""
        return self.kept_growing and self.cohorts_stayed >= 2 and self.intervals[-1].arrivals >= MIN_ARRIVALS

    @property
    def churning(self) -> bool:
        """Most of those we could follow left: work passing through, not parked for good."""
        return self.nobody_leaves is False and self.since_first + self.cohorts_kept < 0.5 * (self.first + self.cohorts)

    def describe(self) -> str:
        """The evidence in words and numbers."""
        t0, t1 = _clock(self.times[0]), _clock(self.times[-1])
        gone = self.first - self.since_first
        newcomers = self.last - self.since_first
        parts = [
            f"{self.since_first} goroutine{'s' if self.since_first != 1 else ''} parked here at {t0} "
            f"{'is' if self.since_first == 1 else 'are'} still parked at {t1}"
            if self.first
            else f"none parked here at {t0}"
        ]
        parts.append(
            f"{newcomers} more arrived and {'none' if gone == 0 else gone} left"
            + (f" (of the first {self.first})" if gone else "")
        )
        if len(self.intervals) > 1 and self.cohorts:
            parts.append(
                f"{self.cohorts_kept} of the {self.cohorts} that arrived before "
                f"{_clock(self.intervals[-1].start)} are still there"
            )
        return "; ".join(parts)


def _clock(t: datetime | None) -> str:
    return t.strftime("%H:%M:%S") if t is not None else "?"


def _parked_all_along(ids: set[int], later: dict[int, int], apart_min: float) -> set[int]:
    """Those of `ids` parked here again in a dump `apart_min` minutes later, and parked all along.

    The same ID on the same stack is not enough when the dumps are minutes apart: a keep-alive
    connection's goroutine serves request after request and parks at the same line between them.
    The runtime's wait stamp (`N minutes`) restarts whenever a goroutine runs, so one that ran in
    between shows fewer minutes than have passed. The stamp is set by the garbage collector and
    can lag by a GC cycle (two minutes at most, a forced GC runs at least that often)."""
    need = apart_min - WAIT_STAMP_SLACK_MIN
    return {i for i in ids if i in later and (need <= 0 or later[i] >= need)}


def id_snapshots(snaps: list[Snapshot]) -> list[Snapshot]:
    """The dumps that carry goroutine IDs, oldest first."""
    return sorted((s for s in snaps if s.has_ids), key=lambda s: s.time.timestamp() if s.time else 0.0)


def follow(dumps: list[Snapshot], similarity: str = "exact") -> dict[str, Survival]:
    """Every stack of `dumps` (two or more, oldest first, carrying IDs) followed by ID."""
    if len(dumps) < 2:
        return {}
    per_dump: list[dict[str, dict[int, int]]] = []  # stack -> goroutine ID -> minutes waited
    for snap in dumps:
        by_key: dict[str, dict[int, int]] = {}
        for g in snap.groups:
            parked = by_key.setdefault(g.stack.key(similarity), {})
            parked.update(zip(g.goroutine_ids(), g.goroutine_minutes(), strict=True))
            parked.pop(0, None)  # an M's g0 in crash dumps, not a goroutine of the program
        per_dump.append(by_key)
    times = tuple(s.time for s in dumps)

    def minutes(a: int, b: int) -> float:
        ta, tb = times[a], times[b]
        return (tb - ta).total_seconds() / 60 if ta is not None and tb is not None else 0.0

    out: dict[str, Survival] = {}
    for key in set().union(*per_dump):
        waits = [d.get(key, {}) for d in per_dump]
        sets = [set(w) for w in waits]
        n = len(sets) - 1
        intervals = tuple(
            Interval(
                times[i],
                times[i + 1],
                len(_parked_all_along(a, waits[i + 1], minutes(i, i + 1))),
                len(b - a),
                len(a - b),
            )
            for i, (a, b) in enumerate(itertools.pairwise(sets))
        )
        # newcomers of each interval but the last, and whether they are still parked at the end
        cohorts = [(i + 1, b - a) for i, (a, b) in enumerate(itertools.pairwise(sets[:-1]))]
        kept = [(c, _parked_all_along(c, waits[n], minutes(at, n))) for at, c in cohorts]
        stayed = sum(1 for c, k in kept if len(c) >= MIN_ARRIVALS and len(k) >= STAY_SHARE * len(c))
        out[key] = Survival(
            key=key,
            counts=tuple(len(s) for s in sets),
            times=times,
            intervals=intervals,
            since_first=len(_parked_all_along(sets[0], waits[n], minutes(0, n))),
            cohorts=sum(len(c) for _, c in cohorts),
            cohorts_kept=sum(len(k) for _, k in kept),
            cohorts_stayed=stayed,
        )
    return out
