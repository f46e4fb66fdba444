"""Per creation site goroutine lifetimes from a Go execution trace."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .reader import ReadSummary, read_stream
from .wire import Frame, TraceError

# Lifetimes go into log-spaced buckets (64 per doubling, about 1.1% wide), so
# memory does not grow with the number of goroutines that ended.
_BUCKETS_PER_DOUBLING = 64


def _bucket(ticks: int) -> int:
    return -1 if ticks <= 0 else int(math.log2(ticks) * _BUCKETS_PER_DOUBLING)


def _bucket_value(b: int) -> float:
    return 0.0 if b < 0 else 2.0 ** ((b + 0.5) / _BUCKETS_PER_DOUBLING)


def _median(hist: Counter[int]) -> float | None:
    """Lower median, in ticks, of a bucket histogram (None when empty)."""
    n = sum(hist.values())
    if n == 0:
        return None
    rank = (n - 1) // 2
    for b in sorted(hist):
        rank -= hist[b]
        if rank < 0:
            return _bucket_value(b)
    return None  # pragma: no cover - unreachable


@dataclass(frozen=True)
class CreationSite:
    """Goroutines created at one `go` statement (the creating goroutine's top frame).

    ``lifetime_median_s`` covers goroutines created and ended inside the trace;
    ``blocked_s`` is total time spent waiting, by wait reason, sorted by reason.
    The pseudo-site "(existed at trace start)" counts goroutines already alive
    when tracing began under ``created``.
    """

    function: str
    file: str
    line: int
    created: int
    ended: int
    alive_at_end: int
    lifetime_median_s: float | None
    blocked_s: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class TraceLifetimes:
    """Goroutine lifetimes of one trace; sites sorted by alive_at_end descending."""

    path: str
    go_version: str  # format version from the header, e.g. "go1.23"
    generations: int
    duration_s: float
    truncated: bool
    note: str
    created: int
    ended: int
    alive_at_end: int
    lifetime_median_s: float | None
    sites: tuple[CreationSite, ...]


@dataclass
class _Site:
    created: int = 0
    ended: int = 0
    hist: Counter[int] = field(default_factory=Counter)
    blocked: Counter[str] = field(default_factory=Counter)


class LifetimeSink:
    """Sink aggregating reader facts per creation site."""

    def __init__(self) -> None:
        self.sites: dict[Frame, _Site] = {}
        self.live: dict[int, tuple[_Site, int | None]] = {}  # g -> (site, created ts)

    def on_create(self, g: int, ts: int, site: Frame, preexisting: bool) -> None:
        s = self.sites.get(site)
        if s is None:
            s = self.sites[site] = _Site()
        s.created += 1
        self.live[g] = (s, None if preexisting else ts)

    def on_end(self, g: int, ts: int) -> None:
        entry = self.live.pop(g, None)
        if entry is None:
            return
        s, created = entry
        s.ended += 1
        if created is not None:
            s.hist[_bucket(ts - created)] += 1

    def on_wait(self, g: int, reason: str, ticks: int) -> None:
        entry = self.live.get(g)
        if entry is not None:
            entry[0].blocked[reason] += ticks

    def result(self, path: str, summary: ReadSummary) -> TraceLifetimes:
        per_tick = 1.0 / summary.freq if summary.freq else 0.0

        def secs(ticks: float | None) -> float | None:
            return None if ticks is None else ticks * per_tick

        sites = []
        total: Counter[int] = Counter()
        for frame, s in self.sites.items():
            total.update(s.hist)
            blocked = tuple((r, t * per_tick) for r, t in sorted(s.blocked.items()))
            sites.append(
                CreationSite(
                    frame.function,
                    frame.file,
                    frame.line,
                    s.created,
                    s.ended,
                    s.created - s.ended,
                    secs(_median(s.hist)),
                    blocked,
                )
            )
        sites.sort(key=lambda c: (-c.alive_at_end, -c.created, c.function, c.file, c.line))
        created = sum(c.created for c in sites)
        ended = sum(c.ended for c in sites)
        return TraceLifetimes(
            path=path,
            go_version=f"go1.{summary.version}",
            generations=summary.generations,
            duration_s=(summary.last_ts - summary.first_ts) * per_tick,
            truncated=summary.truncated,
            note=summary.note,
            created=created,
            ended=ended,
            alive_at_end=created - ended,
            lifetime_median_s=secs(_median(total)),
            sites=tuple(sites),
        )


def read_lifetimes(path: str | Path) -> TraceLifetimes:
    """Read a Go 1.22+ execution trace file into per-site goroutine lifetimes.

    Raises TraceError (one line naming the file) for unreadable input.
    """
    name = str(path)
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as e:
        raise TraceError(f"{name}: {e.strerror or e}") from None
    with f:
        return read_lifetimes_stream(f, name)


def read_lifetimes_stream(f: BinaryIO, name: str) -> TraceLifetimes:
    """The same from an open binary stream; `name` is what errors and the result call it."""
    sink = LifetimeSink()
    summary = read_stream(f, name, sink)
    return sink.result(name, summary)
