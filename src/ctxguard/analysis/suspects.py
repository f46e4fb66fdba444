"""Leak suspects: stacks that hold many goroutines parked waiting for another
goroutine, for long, growing, near context machinery - ranked, with reasons."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ctxguard.analysis.heap import HeapSite
from ctxguard.analysis.series import BLOCKING_STATES, Track, minutes_between, state_of, tracks
from ctxguard.runtime.model import Frame, Snapshot

REPORT_THRESHOLD = 40.0  # suspects scoring below this are not reported
HEAP_GROWTH_MIN = 50  # live objects gained at one site before growth counts as a pile-up
LONG_WAIT_MINUTES = 1


@dataclass(frozen=True)
class Suspect:
    score: float
    count: int
    state: str
    reasons: tuple[str, ...]
    location: Frame | None
    creator: Frame | None
    signature: str
    counts: tuple[int, ...]  # across the series
    rate_per_min: float | None  # growth rate, when the series spans time
    frames: tuple[Frame, ...]


_CONTEXT_FRAMES = ("context.(*cancelCtx)", "context.WithDeadline", "context.WithTimeout", "time.(*Timer)")


def rank(
    series: list[Snapshot],
    threshold: float = REPORT_THRESHOLD,
    detail: Snapshot | None = None,
    similarity: str = "exact",
) -> list[Suspect]:
    """Rank the stacks of `series`; `detail` (a debug=2 dump of the same process) lends
    states, wait times and creators to profiles that have none (debug=1, pprof)."""
    goroutine_snaps = [s for s in series if s.groups]
    if not goroutine_snaps:
        return []
    span = minutes_between(goroutine_snaps[0], goroutine_snaps[-1])
    richer = {g.stack.key(similarity): g for g in (detail.groups if detail else ())}
    scored = []
    for t in tracks(goroutine_snaps, similarity):
        extra = richer.get(t.key)
        if extra is not None and not t.last.states:
            t = replace(t, last=replace(extra, count=t.counts[-1]))
        scored.append(_score(t, span, len(goroutine_snaps)))
    out = [s for s in scored if s.score >= threshold]
    out.sort(key=lambda s: (-s.score, -s.count))
    return out


def _score(t: Track, span_min: float, n_snaps: int) -> Suspect:
    g = t.last
    count = t.counts[-1]
    state = state_of(g)
    loc = g.stack.location()
    reasons: list[str] = []
    score = min(30.0, 10.0 * math.log10(count + 1))  # 1 -> 3, 10 -> 10, 100 -> 20, 1000 -> 30
    where = f"{loc.function} ({loc.file}:{loc.line})" if loc else "an unknown frame"
    if state in BLOCKING_STATES:
        score += 25 if count > 1 else 5
        reasons.append(f"{count} goroutine{'s' if count != 1 else ''} parked in '{state}' at {where}")
    elif count > 1:
        reasons.append(f"{count} goroutines in '{state or 'unknown state'}' at {where}")
    waited = sum(n for m, n in g.wait_minutes if m >= LONG_WAIT_MINUTES)
    if waited and g.count:
        share = waited / g.count
        score += 20 * share
        longest = max(m for m, _ in g.wait_minutes)
        reasons.append(f"{share:.0%} have waited at least {LONG_WAIT_MINUTES} minute (longest {longest} min)")
    rate = None
    if n_snaps > 1:
        growth = t.growth
        if span_min > 0:
            rate = growth / span_min
        steady = all(b >= a for a, b in zip(t.counts, t.counts[1:], strict=False))
        if growth > 0:
            score += min(35.0, 10.0 * math.log10(growth + 1)) + (5 if steady else 0)
            per = f", {rate:+.0f}/min" if rate is not None else ""
            reasons.append(f"grew from {t.counts[0]} to {count} over {n_snaps} snapshots{per}")
        elif growth < 0 or count == 0:
            score -= 25  # draining: not a leak
        else:
            score -= 10  # steady across the series: a pool or a daemon, more likely than a leak
    if any(f.function.startswith(_CONTEXT_FRAMES) for f in g.stack.frames):
        score += 10
        reasons.append("context cancellation or timer frames on the stack")
    if g.leaked:
        score += 25
        reasons.append(f"{g.leaked} reported unreachable by Go's goroutine leak detector")
    if g.creator is not None:
        reasons.append(f"created by {g.creator.function} ({g.creator.file}:{g.creator.line})")
    if loc is not None and (loc.is_runtime or loc.is_stdlib):
        if state not in BLOCKING_STATES:
            score -= 15  # the runtime's and the standard library's own idle goroutines
    elif loc is not None:
        score += 10  # the program's own code: where a fix goes (library goroutines it spawned follow)
    return Suspect(
        score=round(max(score, 0.0), 1),
        count=count,
        state=state,
        reasons=tuple(reasons),
        location=loc,
        creator=g.creator,
        signature=t.key,
        counts=t.counts,
        rate_per_min=round(rate, 2) if rate is not None else None,
        frames=g.stack.frames,
    )


def rank_heap(sites: list[HeapSite], span_min: float, threshold: float = REPORT_THRESHOLD) -> list[Suspect]:
    """Allocation sites whose live context objects (or timers) pile up between heap profiles.

    Leaked contexts often park no goroutine at all (a cancel never called on a long-lived
    parent): only the heap shows them.
    """
    out = []
    for h in sites:
        n = h.inuse_objects[-1]
        if n <= 0:
            continue
        site = h.site
        where = f"{site.function} ({site.file}:{site.line})" if site else "an unknown site"
        reasons = [f"{n} live {h.kind} allocated at {where}"]
        if len(h.inuse_objects) > 1:
            growth = h.growth
            score = 10.0 * math.log10(max(growth, 0) + 1)
            if growth >= HEAP_GROWTH_MIN:
                score += 25
                per = f", {growth / span_min:+.0f}/min" if span_min > 0 else ""
                reasons.append(f"grew from {h.inuse_objects[0]} to {n} between heap profiles{per}")
        else:
            score = 7.0 * math.log10(n + 1)
        if site is not None and not site.is_runtime and not site.is_stdlib:
            score += 10
        score += 10  # contexts and timers: what a leaked context keeps alive
        out.append(
            Suspect(
                score=round(score, 1),
                count=n,
                state=f"live {h.kind}",
                reasons=tuple(reasons),
                location=site,
                creator=None,
                signature=f"heap:{h.kind}:{where}",
                counts=h.inuse_objects,
                rate_per_min=round(h.growth / span_min, 2) if span_min > 0 and len(h.inuse_objects) > 1 else None,
                frames=(site,) if site else (),
            )
        )
    return [s for s in out if s.score >= threshold]
