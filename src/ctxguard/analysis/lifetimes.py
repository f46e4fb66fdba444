"""The report's view of an execution trace: goroutines created, ended and alive per creation site.

A dump shows who is parked now; a trace shows who was created in its window and
never ended, and how long the others lived. The JSON `trace` section is a
contract like the rest of the report: `goroutines` (`created`, `ended`,
`alive_at_end`, `lifetime_median_s`) and `creation_sites`, by `alive_at_end`
descending, each with the `go` statement's `function`, `file` and `line`,
`created`, `ended`, `alive_at_end`, `lifetime_median_s` and `blocked_s` (seconds
waited, by wait reason).
"""

from __future__ import annotations

from dataclasses import replace

from ctxguard.analysis.suspects import Suspect
from ctxguard.runtime.model import Snapshot
from ctxguard.runtime.trace.lifetimes import TraceLifetimes

MAX_SITES = 50  # in the JSON; the text shows fewer


def latest_trace(snaps: list[Snapshot]) -> TraceLifetimes | None:
    """The last trace of the input (a capture takes one, on its last round)."""
    traces = [s.lifetimes for s in snaps if s.lifetimes is not None]
    return traces[-1] if traces else None


def _seconds(v: float | None) -> float | None:
    return round(v, 6) if v is not None else None


def trace_json(t: TraceLifetimes | None) -> dict[str, object] | None:
    if t is None:
        return None
    return {
        "source": t.path,
        "go_version": t.go_version,
        "duration_s": round(t.duration_s, 6),
        "truncated": t.truncated,
        "goroutines": {
            "created": t.created,
            "ended": t.ended,
            "alive_at_end": t.alive_at_end,
            "lifetime_median_s": _seconds(t.lifetime_median_s),
        },
        "creation_sites": [
            {
                "function": s.function,
                "file": s.file,
                "line": s.line,
                "created": s.created,
                "ended": s.ended,
                "alive_at_end": s.alive_at_end,
                "lifetime_median_s": _seconds(s.lifetime_median_s),
                "blocked_s": {reason: round(v, 6) for reason, v in s.blocked_s},
            }
            for s in t.sites[:MAX_SITES]
        ],
    }


def trace_text(t: TraceLifetimes | None) -> list[str]:
    if t is None:
        return []
    median = f"{t.lifetime_median_s:.4g} s" if t.lifetime_median_s is not None else "none ended"
    out = [
        "",
        f"execution trace ({t.go_version}, {t.duration_s:.2f} s{', truncated' if t.truncated else ''}): "
        f"{t.created} goroutines created, {t.ended} ended, {t.alive_at_end} alive at the end; "
        f"median lifetime {median}",
        "  created and never ended, by creation site:",
    ]
    for s in [s for s in t.sites if s.alive_at_end][:10]:
        waited = max(s.blocked_s, key=lambda r: r[1], default=None)
        why = f", mostly waiting in {waited[0]}" if waited else ""
        where = f" ({s.file}:{s.line})" if s.file else ""
        out.append(f"  {s.alive_at_end:>7} of {s.created:<7} {s.function}{where}{why}")
    return out


def with_trace_evidence(suspects: list[Suspect], trace: TraceLifetimes | None) -> list[Suspect]:
    """Suspects whose creation site the trace saw creating goroutines that never ended gain that
    evidence in their reasons (their level stays: a trace window is short, the verdict rests on
    accumulation). The match is the `go` statement: the dump's creator frame, the trace's site."""
    if trace is None:
        return suspects
    sites = {(s.file, s.line): s for s in trace.sites if s.file and s.alive_at_end}
    out = []
    for sus in suspects:
        site = sites.get((sus.creator.file, sus.creator.line)) if sus.creator is not None else None
        if site is None:
            out.append(sus)
            continue
        why = (
            f"the execution trace saw {site.created} created here in {trace.duration_s:.1f} s, "
            f"{site.alive_at_end} never ended"
        )
        out.append(replace(sus, reasons=(*sus.reasons, why)))
    return out
