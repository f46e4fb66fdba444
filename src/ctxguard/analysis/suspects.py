"""Leak suspects, ranked on evidence of accumulation; everything else that waits is
*parked*, reported apart.

Each stack of the series gets a level from its evidence:

- `leaking`: the stack's count grows (a significant, sustained trend, not a
  step: see trend.py) in a waiting state, and the goroutines followed by ID
  stay (survivors.py), or cannot be followed; Go's `(leaked)` marker; the
  goroutines of a global deadlock.
- `suspect`: the same growth where IDs show only part of them staying, or
  survivors accumulating over three intervals or more (survivors.py) while the
  counts show no trend (never a step: a pool scaling up also keeps newcomers).
- `lead`: named from one dump, which cannot prove a leak: goroutines blocked
  when a test timed out or a SIGQUIT or panic ended the process; a large
  group in `chan send` whose creators are all gone.
- `note`: long waits, high counts, repetition: never more than a note, and
  never reported at the default threshold.

Idle pools, ticker loops, idle keep-alive connections, condition waiters and
long polls wait forever by design: without accumulation they are `Parked`
(stable), whatever their waits.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from ctxguard.analysis.heap import HeapSite
from ctxguard.analysis.series import BLOCKING_STATES, Track, state_of, tracks
from ctxguard.analysis.survivors import Survival
from ctxguard.analysis.trend import Trend, classify
from ctxguard.runtime.model import Frame, GoroutineGroup, Snapshot

REPORT_THRESHOLD = 40.0  # the lowest `lead` scores this: notes stay below it
MIN_RISE = 5  # goroutines a stack must gain over the window before growth counts
LEAK_MIN_RISE = 2 * MIN_RISE  # ... before growth alone (not proven by IDs over four dumps) is a leak
HEAP_MIN_RISE = 100  # live context objects a site must gain before growth counts
HEAP_SLOW_RISE = 30  # ... before a rise that never fell counts as a suspect
HEAP_PER_GOROUTINE = 4  # live context objects a goroutine of work in flight may hold at one site
HEAP_DISCOUNT = 15  # a heap site ranks below the goroutines of the same level
LEAD_MIN_SENDERS = 10  # orphaned senders in one dump worth naming
WAITING_STATES = BLOCKING_STATES | {"IO wait", "sleep", "sync.Cond.Wait", "syscall"}
_BASE = {"leaking": 70.0, "suspect": 55.0, "lead": 40.0}
_PROVEN_CRASHES = {
    "deadlock": "the runtime found every goroutine asleep (fatal error: all goroutines are asleep - deadlock!)",
    "synctest-deadlock": "a synctest bubble ended with goroutines durably blocked",
}
_CRASH_WORDS = {
    "test-timeout": "blocked when the test binary timed out",
    "sigquit": "blocked when the process got SIGQUIT",
    "panic": "blocked when the process panicked",
    "fatal": "blocked when the process died of a fatal error",
}


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
    rate_per_min: float | None  # Theil-Sen slope, when the series spans time
    frames: tuple[Frame, ...]
    level: str = "note"
    trend: Trend | None = None
    survival: Survival | None = None


@dataclass(frozen=True)
class Parked:
    """Goroutines that wait without accumulating: benign by design until shown otherwise."""

    kind: str  # idle connection, condition waiters, timer or sleep loop, idle pool or event loop, ...
    state: str
    count: int
    counts: tuple[int, ...]
    location: Frame | None
    signature: str
    stable: bool  # the count did not grow over a series (False: one snapshot, nothing to compare)
    evidence: str  # why it is not a suspect, in words


_CONTEXT_FRAMES = ("context.(*cancelCtx)", "context.WithDeadline", "context.WithTimeout", "time.(*Timer)")
_IDLE_CONN = ("net/http.(*conn).serve", "net/http.(*conn).readRequest", "net.(*conn).Read", "net/http.(*persistConn)")


def parked_kind(group: GoroutineGroup, state: str) -> str:
    functions = [f.function for f in group.stack.frames]
    if state == "IO wait" and any(f.startswith(_IDLE_CONN) for f in functions):
        return "idle connection"
    if state == "IO wait":
        return "network poller wait"
    if state == "sync.Cond.Wait":
        return "condition waiters"
    if state == "sleep" or any(f.startswith(("time.Sleep", "time.(*Ticker)")) for f in functions):
        return "timer or sleep loop"
    if state in ("select", "chan receive"):
        return "idle pool or event loop"
    return "parked"


def score_of(level: str, count: int, in_own_code: bool, heap: bool = False) -> float:
    size = min(20.0, 5.0 * math.log10(count + 1))
    if level == "note":  # size and place alone never reach the threshold
        return round(min(REPORT_THRESHOLD - 5, 3 * size + (5 if in_own_code else 0)), 1)
    # the goroutines that hold leaked objects are where a fix goes: they outrank the objects
    return round(_BASE[level] + size + (10 if in_own_code else 0) - (HEAP_DISCOUNT if heap else 0), 1)


def is_object_site(signature: str) -> bool:
    """Whether a suspect names objects (a heap allocation site, a context census site), not a
    goroutine stack: no goroutine IDs can confirm it."""
    return signature.startswith(("heap:", "contexts:"))


def own_code(loc: Frame | None) -> bool:
    return loc is not None and not loc.is_runtime and not loc.is_stdlib


def where_of(loc: Frame | None) -> str:
    return str(loc) if loc else "an unknown frame"


def _level(state: str, tr: Trend | None, sv: Survival | None) -> tuple[str, list[str]]:
    """The evidence of one stack followed through the series, in a level and words."""
    why: list[str] = []
    if sv is not None:
        why.append(sv.describe())
    growing = tr is not None and tr.kind == "growth"
    if tr is not None and tr.kind in ("growth", "step", "insufficient") and tr.reason:
        why.append(f"count {tr.reason}")
    if growing and sv is not None and sv.churning:
        why.append("goroutines come and go here: load rising, not a leak")
        return "note", why
    waiting = state in WAITING_STATES
    if tr is not None and growing and waiting and (sv is None or sv.nobody_leaves is None or sv.kept_growing):
        if tr.rise >= LEAK_MIN_RISE or (sv is not None and sv.accumulating):
            return "leaking", why
        # a handful more, all staying: a leak's start, or a worker pool scaling up by a few on a
        # starved machine (its workers keep their IDs and stack from dump to dump); more must come
        why.append(f"a rise of {tr.rise:.0f} is too few to call a leak before more come")
    if growing:
        return "suspect", why
    if sv is not None and sv.accumulating and not (tr is not None and tr.change_at is not None):
        return "suspect", why  # IDs alone prove newcomers stay; the counts are too noisy to say more
    return "note", why


def rank(
    series: list[Snapshot],
    dumps: list[Snapshot] | None = None,
    survival: dict[str, Survival] | None = None,
    similarity: str = "exact",
    tracked: list[Track] | None = None,
) -> tuple[list[Suspect], list[Parked]]:
    """Every stack of `series` (one format family, oldest first), judged; `dumps` (debug=2,
    oldest first) lend states, waits and creators to profiles that have none, and `survival`
    is the stacks followed by ID through them (survivors.follow). `tracked`: the series'
    tracks when the caller has them already (the report keeps them as its diff)."""
    snaps = [s for s in series if s.groups]
    if not snaps:
        return [], []
    dumps = dumps or []
    survival = survival or {}
    richer = {g.stack.key(similarity): g for g in (dumps[-1].groups if dumps else ())}
    times = [_seconds(s.time) for s in snaps]
    latest = snaps[-1]
    single = len(snaps) == 1
    last_dump = latest if single else dumps[-1] if dumps else None
    # the goroutines alive at the end, gathered only if some group may be orphaned senders
    alive = functools.cache(lambda: _ids(last_dump) if last_dump is not None else set())
    suspects: list[Suspect] = []
    parked: list[Parked] = []
    for t in tracked if tracked is not None else tracks(snaps, similarity):
        g = t.last
        extra = richer.get(t.key)
        if extra is not None and not g.states:
            g = replace(extra, count=t.counts[-1])
        state = state_of(g)
        loc = g.stack.location()
        tr = None if single else classify(times, list(t.counts), min_rise=MIN_RISE)
        sv = survival.get(t.key)
        if single:
            level, why = _single_dump_level(latest, g, state, alive)
        else:
            level, why = _level(state, tr, sv)
            if level == "note" and sv is not None and sv.nobody_leaves and _orphaned_senders(g, state, alive):
                level = "suspect"  # a leak that stopped growing in the window is still a leak
                why.append("their creators are gone and none of them left: nobody is left to receive")
        if level != "note" and parked_kind(g, state) == "idle connection":
            level = "note"  # clients holding more connections open: the server's own code waits for nothing
            why.append("idle connections wait for their next request by design (IdleTimeout bounds them)")
        if g.leaked:
            level = "leaking"
            why.append(f"{g.leaked} reported unreachable by Go's goroutine leak detector")
        if t.counts[-1] == 0 and level != "leaking":
            continue  # gone by the end of the series
        if level == "note" and state in WAITING_STATES and t.counts[-1] > 0:
            parked.append(_parked(t, g, state, loc, tr, sv))
        suspects.append(_suspect(t, g, state, loc, level, why, tr, sv))
    suspects.sort(key=lambda s: (-s.score, -s.count))
    parked.sort(key=lambda p: (-p.count, p.kind))
    return suspects, parked


def _seconds(t: datetime | None) -> float:
    return t.timestamp() if t is not None else 0.0


def _ids(snap: Snapshot) -> set[int]:
    out: set[int] = set()
    for g in snap.groups:
        out.update(g.goroutine_ids())
    return out


def _single_dump_level(
    snap: Snapshot, g: GoroutineGroup, state: str, alive: Callable[[], set[int]]
) -> tuple[str, list[str]]:
    """What one dump alone can say: a crash log's blocked goroutines, orphaned senders."""
    loc = g.stack.location()
    if snap.crash and state in BLOCKING_STATES and own_code(loc):
        if snap.crash in _PROVEN_CRASHES:
            return "leaking", [_PROVEN_CRASHES[snap.crash]]
        if snap.crash in _CRASH_WORDS:
            return "lead", [_CRASH_WORDS[snap.crash]]
    if _orphaned_senders(g, state, alive):
        return "lead", [
            "their creators are gone: nobody is left to receive (one dump cannot show whether they keep piling up)"
        ]
    return "note", []


def _orphaned_senders(g: GoroutineGroup, state: str, alive: Callable[[], set[int]]) -> bool:
    """Many goroutines blocked sending, every one of whose creators has exited (Go >= 1.21 dumps
    name the creator's goroutine): the receiver they were started for is gone."""
    if state != "chan send" or g.count < LEAD_MIN_SENDERS or not g.parent_ids:
        return False
    parents = set(g.goroutine_parents())
    return 0 not in parents and not parents & alive()


def _suspect(
    t: Track,
    g: GoroutineGroup,
    state: str,
    loc: Frame | None,
    level: str,
    why: list[str],
    tr: Trend | None,
    sv: Survival | None,
) -> Suspect:
    count = t.counts[-1]
    s = "s" if count != 1 else ""
    reasons = [
        f"{count} goroutine{s} parked in '{state}' at {where_of(loc)}"
        if state in WAITING_STATES
        else f"{count} goroutine{s} in '{state or 'unknown state'}' at {where_of(loc)}"
    ]
    reasons.extend(why)
    waited = sum(n for m, n in g.wait_minutes if m >= 1)
    if waited and level != "note":  # a long wait supports accumulation; alone it is a pool's normal life
        reasons.append(f"{waited} have waited at least a minute (longest {max(m for m, _ in g.wait_minutes)} min)")
    if any(f.function.startswith(_CONTEXT_FRAMES) for f in g.stack.frames):
        reasons.append("context cancellation or timer frames on the stack")
    if g.creator is not None:
        reasons.append(f"created by {where_of(g.creator)}")
    return Suspect(
        score=score_of(level, count, own_code(loc)),
        count=count,
        state=state,
        reasons=tuple(reasons),
        location=loc,
        creator=g.creator,
        signature=t.key,
        counts=t.counts,
        rate_per_min=tr.slope_per_min if tr is not None else None,
        frames=g.stack.frames,
        level=level,
        trend=tr,
        survival=sv,
    )


def _parked(
    t: Track, g: GoroutineGroup, state: str, loc: Frame | None, tr: Trend | None, sv: Survival | None
) -> Parked:
    if sv is not None:
        evidence = sv.describe()
    elif tr is not None:
        evidence = f"count {tr.reason}"
    else:
        evidence = "one snapshot: nothing to compare"
    return Parked(
        kind=parked_kind(g, state),
        state=state,
        count=t.counts[-1],
        counts=t.counts,
        location=loc,
        signature=t.key,
        stable=tr is not None and tr.kind in ("flat", "decline", "step"),
        evidence=evidence,
    )


def rank_heap(sites: Iterable[HeapSite], times: list[float], goroutine_rise: float = 0.0) -> list[Suspect]:
    """Allocation sites whose live context objects (or timers) pile up between heap profiles.

    Leaked contexts often park no goroutine at all (a cancel never called on a long-lived
    parent): only the heap shows them. Every request in flight holds contexts too, so a
    rise no larger than `HEAP_PER_GOROUTINE` objects per goroutine gained over the same
    window (`goroutine_rise`: load arriving, or goroutines leaking, which are judged on
    their own) is not evidence of its own.
    """
    out = []
    for h in sites:
        n = h.inuse_objects[-1]
        if n <= 0:
            continue
        reasons = [f"{n} live {h.kind} allocated at {where_of(h.site)}"]
        tr = None
        level = "note"
        if len(h.inuse_objects) > 1:
            tr = classify(times, list(h.inuse_objects), min_rise=HEAP_MIN_RISE)
            rising = all(b > a for a, b in zip(h.inuse_objects, h.inuse_objects[1:], strict=False))
            in_flight = goroutine_rise > 0 and max(tr.rise, h.growth) <= HEAP_PER_GOROUTINE * goroutine_rise
            if in_flight and h.growth > 0:
                reasons.append(
                    f"live objects rose by {h.growth}, no more than the goroutines gained ({goroutine_rise:.0f}) "
                    "hold: contexts of work in flight"
                )
            elif tr.kind == "growth":
                level = "leaking"
                reasons.append(f"live objects {tr.reason}")
            elif (slow := classify(times, list(h.inuse_objects), min_rise=HEAP_SLOW_RISE)).kind == "growth" and all(
                b >= a for a, b in itertools.pairwise(h.inuse_objects)
            ):
                level = "suspect"  # a slow leak: never down, significant, still short of HEAP_MIN_RISE
                reasons.append(f"live objects never fell, {slow.reason}")
            elif tr.kind == "insufficient" and rising and h.growth >= HEAP_MIN_RISE:
                level = "suspect"  # two or three profiles, each with more: too few to prove a trend
                reasons.append(f"grew from {h.inuse_objects[0]} to {n} in every profile ({tr.reason})")
            elif tr.kind != "insufficient":
                reasons.append(f"live objects: {tr.reason}")
        out.append(
            Suspect(
                score=score_of(level, n, own_code(h.site), heap=True),
                count=n,
                state=f"live {h.kind}",
                reasons=tuple(reasons),
                location=h.site,
                creator=None,
                signature=f"heap:{h.kind}:{where_of(h.site)}",
                counts=h.inuse_objects,
                rate_per_min=tr.slope_per_min if tr is not None else None,
                frames=(h.site,) if h.site else (),
                level=level,
                trend=tr,
            )
        )
    return out
