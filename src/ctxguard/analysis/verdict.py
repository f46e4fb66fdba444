"""The verdict on a process: leaking, suspect, healthy, or insufficient-data, with reasons.

The decision rule (every verdict prints the reasons it rests on):

1. **leaking** when any stack or allocation site has `leaking` evidence
   (suspects.py): goroutines that keep accumulating in a waiting state (a
   significant, sustained upward trend, with the goroutines followed by ID
   staying), live context objects piling up in the heap, goroutines Go's leak
   detector marked `(leaked)`, or a global deadlock.
2. **suspect** when the evidence is of the same kind but weaker: growth where
   only some of the goroutines stay, survivors accumulating while the counts
   cannot yet tell growth from a step, live contexts rising in too few profiles.
3. **insufficient-data** when the input cannot decide: fewer than
   `trend.MIN_POINTS` goroutine snapshots, no two dumps with goroutine IDs, a
   step too recent to tell a plateau from growth, or suspects named from a
   single dump (a crash log, orphaned senders). What is missing is said.
4. **healthy** otherwise: enough snapshots, and nothing accumulates.

Long waits, high counts and repetition (the fingerprint's features) never
decide a verdict: idle pools, tickers and keep-alive connections wait forever
by design.
"""

from __future__ import annotations

from dataclasses import dataclass

from ctxguard.analysis.suspects import WAITING_STATES, Suspect
from ctxguard.analysis.trend import MIN_POINTS, Trend

VERDICTS = ("leaking", "suspect", "insufficient-data", "healthy")
MAX_REASONS = 3


@dataclass(frozen=True)
class Verdict:
    verdict: str
    reasons: tuple[str, ...]
    missing: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"verdict": self.verdict, "reasons": list(self.reasons), "missing": list(self.missing)}


def _headline(s: Suspect) -> str:
    where = str(s.location) if s.location else "an unknown frame"
    evidence = "; ".join(s.reasons[1:3])
    return f"{s.count} x [{s.state}] at {where}" + (f": {evidence}" if evidence else "")


def decide(
    suspects: list[Suspect],
    goroutine_points: int,
    id_dumps: int,
    total: Trend | None,
    crash: str = "",
    interval_s: float = 0.0,
    need_ids: bool = True,
) -> Verdict:
    """`suspects`: every judged stack and heap site; `goroutine_points`: snapshots in the
    goroutine series; `id_dumps`: dumps carrying goroutine IDs; `total`: the trend of the
    total goroutine count (None for a single snapshot); `crash`: the crash kind of a
    single crash log; `interval_s`: the series' usual spacing, to say how long to watch;
    `need_ids`: whether healthy needs two dumps with IDs (a one-off capture does; a watch,
    which keeps judging and takes dumps when a stack grows, does not)."""

    def longer(snapshots: int) -> str:
        if interval_s <= 0:
            return ""
        seconds = snapshots * interval_s
        return f": watch at least {seconds / 60:.0f} more minutes" if seconds >= 120 else f": {seconds:.0f} s more"

    by_level = {lvl: [s for s in suspects if s.level == lvl] for lvl in ("leaking", "suspect", "lead")}
    for level in ("leaking", "suspect"):
        if by_level[level]:
            return Verdict(level, tuple(_headline(s) for s in by_level[level][:MAX_REASONS]))
    missing: list[str] = []
    reasons: list[str] = []
    if goroutine_points < MIN_POINTS:
        more = MIN_POINTS - goroutine_points
        missing.append(
            f"{more} more goroutine snapshot{'s' if more != 1 else ''} over time{longer(more)} "
            f"(ctxguard capture URL --count {MIN_POINTS + 1} takes a series)"
        )
    if id_dumps < 2 and need_ids:
        missing.append("two goroutine dumps with IDs (debug=2) to follow goroutines across time")
    undecided = [
        s
        for s in suspects
        if s.level == "note"
        and s.trend is not None
        and s.trend.change_at is not None
        and s.trend.missing
        and s.state in WAITING_STATES
        and not (s.survival is not None and s.survival.churning)
    ]
    missing.extend(
        f"{s.trend.missing}{longer(s.trend.wanted)} for {s.count} x [{s.state}] at "
        f"{s.location.function if s.location else '?'} ({s.trend.reason})"
        for s in undecided[:MAX_REASONS]
        if s.trend is not None
    )
    if by_level["lead"]:
        what = {
            "test-timeout": "a test timeout",
            "sigquit": "a SIGQUIT dump",
            "panic": "a panic",
            "fatal": "a fatal error",
        }.get(crash, "one dump")
        reasons.append(f"suspects named from {what}; a leak needs them accumulating over time")
        reasons.extend(_headline(s) for s in by_level["lead"][:MAX_REASONS])
    if missing or by_level["lead"]:
        return Verdict("insufficient-data", tuple(reasons), tuple(missing))
    if total is not None:
        reasons.append(f"goroutines over {goroutine_points} snapshots: {total.reason}")
    reasons.append("no stack accumulates goroutines and no allocation site piles up live contexts")
    return Verdict("healthy", tuple(reasons))
