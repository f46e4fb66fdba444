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


def id_snapshots(snaps: list[Snapshot]) -> list[Snapshot]:
    """The dumps that carry goroutine IDs, oldest first."""
    return sorted((s for s in snaps if s.has_ids), key=lambda s: s.time.timestamp() if s.time else 0.0)


def follow(dumps: list[Snapshot], similarity: str = "exact") -> dict[str, Survival]:
    """Every stack of `dumps` (two or more, oldest first, carrying IDs) followed by ID."""
    if len(dumps) < 2:
        return {}
    per_dump: list[dict[str, set[int]]] = []
    for snap in dumps:
        by_key: dict[str, set[int]] = {}
        for g in snap.groups:
            ids = by_key.setdefault(g.stack.key(similarity), set())
            ids.update(g.goroutine_ids())
            ids.discard(0)  # an M's g0 in crash dumps, not a goroutine of the program
        per_dump.append(by_key)
    times = tuple(s.time for s in dumps)
    out: dict[str, Survival] = {}
    for key in set().union(*per_dump):
        sets = [d.get(key, set()) for d in per_dump]
        intervals = tuple(
            Interval(times[i], times[i + 1], len(a & b), len(b - a), len(a - b))
            for i, (a, b) in enumerate(itertools.pairwise(sets))
        )
        last = sets[-1]
        cohorts = [b - a for a, b in itertools.pairwise(sets[:-1])]  # newcomers of each interval but the last
        newcomers = set().union(*cohorts)
        stayed = sum(1 for c in cohorts if len(c) >= MIN_ARRIVALS and len(c & last) >= STAY_SHARE * len(c))
        out[key] = Survival(
            key=key,
            counts=tuple(len(s) for s in sets),
            times=times,
            intervals=intervals,
            since_first=len(sets[0] & last),
            cohorts=len(newcomers),
            cohorts_kept=len(newcomers & last),
            cohorts_stayed=stayed,
        )
    return out
