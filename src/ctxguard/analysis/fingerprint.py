"""The leak fingerprint of a series (the source article's section 3.1).

Features and the article's thresholds (normal / leaking), configurable:

| feature | normal | leaking |
|---|---|---|
| goroutine growth rate (per minute) | <= 0 | > 100 |
| share of goroutines waiting >= 1 minute | < 5% | > 30% |
| median wait of blocked goroutines (seconds) | < 0.2 | > 8 |
| heap in-use slope (MB per minute) | < 0.5 | > 2 |
| allocation rate (MB per second) | < 5 | > 50 |
| top-3 stack repetition share | < 15% | > 65% |
| live context objects growth (per minute) | <= 10 | > 100 (and >= 100 objects) |
| median goroutine lifetime, from a trace (seconds) | < 1 | > 8 |
| share of goroutines created in a trace and never ended | < 20% | > 50% |

(The repetition share is only computed from 100 goroutines up: a small
service's few goroutines are always "repetitive". Heap slope and allocation
rate need heap profiles at least a minute apart: the heap breathes with every
GC cycle.)

The live-context row is ctxguard's: leaked contexts often park no goroutine and
only the heap shows them. The two trace rows need an execution trace in the
input (`capture --trace`): the lifetime is that of the goroutines that ended in
it; the unended share counts those created in it (requests in flight at its
end count too, so keep the normal range loose for short traces). Rates are Theil-Sen slopes over every snapshot, not
first-minus-last.

These are *features*, reported with the ranges each falls in
(`out_of_range`: past normal, `leaking`: past the leaking threshold). They do
not decide the verdict (verdict.py does, on evidence of accumulation): a pool
of idle workers has a high top-3 share and long waits, and is healthy.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass

from ctxguard.analysis.heap import classify
from ctxguard.analysis.series import BLOCKING_STATES, minutes_between, state_of
from ctxguard.analysis.trend import theil_sen
from ctxguard.runtime.model import Snapshot
from ctxguard.runtime.trace.lifetimes import TraceLifetimes

MIN_GOROUTINES_FOR_SHARES = 100
# the heap breathes with every GC cycle: a slope over seconds says nothing
MIN_MINUTES_FOR_HEAP_SLOPE = 1.0


@dataclass(frozen=True)
class Thresholds:
    growth_per_min: tuple[float, float] = (0.0, 100.0)
    long_wait_share: tuple[float, float] = (0.05, 0.30)
    median_wait_s: tuple[float, float] = (0.2, 8.0)
    heap_slope_mb_per_min: tuple[float, float] = (0.5, 2.0)
    alloc_rate_mb_per_s: tuple[float, float] = (5.0, 50.0)
    top3_share: tuple[float, float] = (0.15, 0.65)
    context_growth_per_min: tuple[float, float] = (10.0, 100.0)
    context_growth_min_objects: int = 100  # fewer new live contexts than this is noise, whatever the rate
    lifetime_median_s: tuple[float, float] = (1.0, 8.0)
    unended_share: tuple[float, float] = (0.2, 0.5)


@dataclass(frozen=True)
class Fingerprint:
    goroutine_growth_per_min: float | None
    long_wait_share: float | None
    median_wait_s: float | None
    heap_inuse_slope_mb_per_min: float | None
    alloc_rate_mb_per_s: float | None
    top3_share: float | None
    context_objects_growth_per_min: float | None
    goroutine_lifetime_median_s: float | None
    unended_share: float | None
    out_of_range: tuple[str, ...]
    leaking: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["out_of_range"], d["leaking"] = list(self.out_of_range), list(self.leaking)
        return d


def fingerprint(
    series: list[Snapshot], th: Thresholds | None = None, trace: TraceLifetimes | None = None
) -> Fingerprint:
    th = th or Thresholds()
    gs = [s for s in series if s.groups]
    heaps = [s for s in series if s.heap]
    growth = None
    if len(gs) > 1 and minutes_between(gs[0], gs[-1]) > 0:
        times = [minutes_between(gs[0], g) for g in gs]
        growth = theil_sen(times, [float(g.goroutines) for g in gs])[0]
    last = gs[-1] if gs else None
    long_share = median = top3 = None
    if last is not None and last.goroutines:
        if any(g.wait_minutes for g in last.groups):
            long_share = sum(n for g in last.groups for m, n in g.wait_minutes if m >= 1) / last.goroutines
            waits = [
                m * 60.0
                for g in last.groups
                if state_of(g) in BLOCKING_STATES
                for m, n in g.wait_minutes
                for _ in range(min(n, 1000))
            ]
            median = statistics.median(waits) if waits else 0.0
        if last.goroutines >= MIN_GOROUTINES_FOR_SHARES:  # a small service is "repetitive" by nature
            counts = sorted((g.count for g in last.groups), reverse=True)
            top3 = sum(counts[:3]) / last.goroutines
    slope = alloc = None
    heap_minutes = [minutes_between(heaps[0], h) for h in heaps] if heaps else []
    if len(heaps) > 1 and heap_minutes[-1] >= MIN_MINUTES_FOR_HEAP_SLOPE:
        inuse = [sum(r.inuse_bytes for r in h.heap) / 1e6 for h in heaps]
        allocs = [sum(r.alloc_bytes for r in h.heap) for h in heaps]
        slope = theil_sen(heap_minutes, inuse)[0]
        alloc = max(allocs[-1] - allocs[0], 0) / 1e6 / (heap_minutes[-1] * 60)  # a counter: first to last is exact
    ctx_rate = None
    ctx_growth = 0
    if len(heaps) > 1 and heap_minutes[-1] > 0:
        live = [sum(r.inuse_objects for r in h.heap if classify(r) is not None) for h in heaps]
        ctx_growth = live[-1] - live[0]
        ctx_rate = theil_sen(heap_minutes, [float(n) for n in live])[0]
    lifetime = unended = None
    if trace is not None:
        lifetime = trace.lifetime_median_s
        made = [site for site in trace.sites if site.file]  # not those that existed when it started
        created = sum(site.created for site in made)
        unended = sum(site.alive_at_end for site in made) / created if created else None
    features = {
        "goroutine_growth_per_min": (growth, th.growth_per_min),
        "long_wait_share": (long_share, th.long_wait_share),
        "median_wait_s": (median, th.median_wait_s),
        "heap_inuse_slope_mb_per_min": (slope, th.heap_slope_mb_per_min),
        "alloc_rate_mb_per_s": (alloc, th.alloc_rate_mb_per_s),
        "top3_share": (top3, th.top3_share),
        "context_objects_growth_per_min": (ctx_rate, th.context_growth_per_min),
        "goroutine_lifetime_median_s": (lifetime, th.lifetime_median_s),
        "unended_share": (unended, th.unended_share),
    }
    out = tuple(k for k, (v, (normal, _)) in features.items() if v is not None and v > normal)
    leak = tuple(k for k, (v, (_, bad)) in features.items() if v is not None and v > bad)
    if ctx_growth < th.context_growth_min_objects:
        out = tuple(k for k in out if k != "context_objects_growth_per_min")
        leak = tuple(k for k in leak if k != "context_objects_growth_per_min")
    return Fingerprint(
        goroutine_growth_per_min=_round(growth),
        long_wait_share=_round(long_share),
        median_wait_s=_round(median),
        heap_inuse_slope_mb_per_min=_round(slope),
        alloc_rate_mb_per_s=_round(alloc),
        top3_share=_round(top3),
        context_objects_growth_per_min=_round(ctx_rate),
        goroutine_lifetime_median_s=round(lifetime, 6) if lifetime is not None else None,  # microseconds count
        unended_share=_round(unended),
        out_of_range=out,
        leaking=leak,
    )


def _round(v: float | None) -> float | None:
    return round(v, 3) if v is not None else None
