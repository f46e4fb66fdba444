"""The runtime report: what `ctxguard profile` prints, as text or JSON.

JSON contract (tests and other tools rely on it): top-level `verdict`
(`verdict`: leaking | suspect | insufficient-data | healthy, `reasons`,
`missing`), `snapshots` (`source`, `format`, `time`, `goroutines`,
`truncated`, `crash`), `groups` (latest snapshot), `suspects` (by `score`,
highest first; each with `score`, `level`, `count`, `state`, `reasons`,
`location` = {function, file, line}, `trend` and `survivors` when known),
`parked` (goroutines that wait without accumulating: `kind`, `state`, `count`,
`counts`, `location`, `stable`, `evidence`), `heap` (context objects by
allocation site), `fingerprint` (the features, which do not decide the
verdict) and `trace` (goroutine lifetimes per creation site from an execution
trace, or null: see lifetimes.py) and `contexts` (live contexts per creation
site from ctxguard's Go module, or null: see contexts.py).
"""

from __future__ import annotations

import itertools
import json
import statistics
from dataclasses import asdict, dataclass, field, replace

import click

from ctxguard.analysis.contexts import contexts_json, contexts_text, latest_census, rank_contexts
from ctxguard.analysis.fingerprint import Fingerprint, Thresholds, fingerprint
from ctxguard.analysis.heap import HeapSite, context_heap
from ctxguard.analysis.lifetimes import latest_trace, trace_json, trace_text, with_trace_evidence
from ctxguard.analysis.sched import SchedSummary, summarise
from ctxguard.analysis.series import Track, minutes_between, state_of, tracks
from ctxguard.analysis.source import SourceIndex, SourceLink
from ctxguard.analysis.survivors import Survival, follow, id_snapshots
from ctxguard.analysis.suspects import MIN_RISE, REPORT_THRESHOLD, Parked, Suspect, rank, rank_heap
from ctxguard.analysis.trend import Trend, classify, theil_sen
from ctxguard.analysis.verdict import Verdict, decide
from ctxguard.runtime.contexts import ContextCensus
from ctxguard.runtime.model import Frame, Snapshot
from ctxguard.runtime.trace.lifetimes import TraceLifetimes


@dataclass(frozen=True)
class RuntimeReport:
    snapshots: tuple[Snapshot, ...]
    verdict: Verdict
    suspects: tuple[Suspect, ...]  # at or above the reporting threshold, best first
    parked: tuple[Parked, ...]
    heap: tuple[HeapSite, ...]
    fingerprint: Fingerprint
    sources: dict[str, SourceLink] = field(default_factory=dict)  # suspect signature -> source link
    sched: SchedSummary | None = None
    diff: tuple[Track, ...] = ()  # every stack across the series, most grown first
    trace: TraceLifetimes | None = None  # goroutine lifetimes from the input's execution trace
    contexts: ContextCensus | None = None  # the last context census of the input


def goroutine_series(snaps: list[Snapshot]) -> list[Snapshot]:
    """The goroutine snapshots to compare: one format family, in time order (a capture
    directory holds debug=1 every time and debug=2 only at its ends)."""
    gs = [s for s in snaps if s.groups]
    if not gs:
        return []
    families = [s.format.split("-")[-1] for s in gs]
    main = max(set(families), key=families.count)
    return sorted((s for s, f in zip(gs, families, strict=True) if f == main), key=_when)


def since_last_restart(snaps: list[Snapshot]) -> tuple[list[Snapshot], str]:
    """The snapshots of the process as it runs now, and a note when it restarted in the window.

    A heap profile's allocation totals count everything allocated since the process started:
    they never fall while it runs. When they do, the process restarted between those two
    profiles, and goroutine IDs and counts before it belong to another process."""
    heaps = sorted((s for s in snaps if s.heap), key=_when)
    totals = [sum(r.alloc_objects for r in h.heap) for h in heaps]
    last = max((i for i in range(1, len(heaps)) if 0 < totals[i] < totals[i - 1]), default=None)
    if last is None:
        return snaps, ""
    before, after = _when(heaps[last - 1]), _when(heaps[last])
    cut = (before + after) / 2  # a round's files are fetched within moments of its heap profile
    kept = [s for s in snaps if _when(s) > cut]
    when = heaps[last].time
    stamp = when.strftime("%H:%M:%S") if when is not None else "?"
    why = f"the process restarted before {stamp} (its allocation totals fell)"
    return kept, f"{why}: only the {len(kept)} snapshots after it are judged"


def _when(s: Snapshot) -> float:
    return s.time.timestamp() if s.time else 0.0


def analyse(
    snaps: list[Snapshot],
    threshold: float = REPORT_THRESHOLD,
    th: Thresholds | None = None,
    source: str | None = None,
    similarity: str = "exact",
    need_ids: bool = True,
) -> RuntimeReport:
    current, restarted = since_last_restart(snaps)
    series = goroutine_series(current)
    heaps = sorted((s for s in current if s.heap), key=_when)
    dumps = id_snapshots(current)
    sites = context_heap(heaps)
    tracked = tracks(series, similarity)
    judged, parked = rank(series, dumps, follow(dumps, similarity), similarity, tracked)
    judged += rank_heap(sites, [_when(h) for h in heaps], _goroutine_rise(series, heaps))
    judged += rank_contexts(current)
    trace = latest_trace(snaps)
    judged = with_trace_evidence(judged, trace)
    judged.sort(key=lambda s: (-s.score, -s.count))
    total = classify([_when(s) for s in series], [s.goroutines for s in series], MIN_RISE) if len(series) > 1 else None
    gaps = [b - a for a, b in itertools.pairwise(_when(s) for s in series)]
    verdict = decide(
        judged,
        len(series),
        len(dumps),
        total,
        series[-1].crash if len(series) == 1 else "",
        statistics.median(gaps) if gaps else 0.0,
        need_ids,
    )
    if restarted:
        verdict = replace(verdict, reasons=(restarted, *verdict.reasons))
    suspects = [s for s in judged if s.score >= threshold]
    links: dict[str, SourceLink] = {}
    if source is not None:
        index = SourceIndex(source)
        for sus in suspects:
            link = index.link(sus.location)
            if link is not None:
                links[sus.signature] = link
    return RuntimeReport(
        snapshots=tuple(sorted(snaps, key=_when)),
        verdict=verdict,
        suspects=tuple(suspects),
        parked=tuple(parked),
        heap=tuple(sites),
        fingerprint=fingerprint(series + heaps, th, trace),
        sources=links,
        sched=summarise(tuple(x for snap in sorted(snaps, key=_when) for x in snap.sched)),
        diff=tuple(sorted(tracked, key=lambda t: (-t.growth, -t.counts[-1]))) if len(series) > 1 else (),
        trace=trace,
        contexts=latest_census(current),
    )


def _goroutine_rise(series: list[Snapshot], heaps: list[Snapshot]) -> float:
    """How many goroutines the process gained over the heap profiles' window (idle keep-alive
    connections included: each holds its connection's contexts too)."""
    if len(heaps) < 2:
        return 0.0
    inside = [s for s in series if _when(heaps[0]) - 1 <= _when(s) <= _when(heaps[-1]) + 1] or series
    if len(inside) < 2:
        return 0.0
    counts = [float(s.goroutines) for s in inside]
    slope = theil_sen([_when(s) for s in inside], counts)[0]
    return max(0.0, counts[-1] - counts[0], slope * (_when(inside[-1]) - _when(inside[0])))


def _frame(f: Frame | None) -> dict[str, object] | None:
    return None if f is None else {"function": f.function, "file": f.file, "line": f.line}


def _trend(t: Trend | None) -> dict[str, object] | None:
    if t is None:
        return None
    return {
        "kind": t.kind,
        "points": t.points,
        "slope_per_min": t.slope_per_min,
        "p_value": t.p_value,
        "rise": t.rise,
        "noise": t.noise,
        "reason": t.reason,
        "missing": t.missing or None,
    }


def _survival(v: Survival | None) -> dict[str, object] | None:
    if v is None:
        return None
    return {
        "counts": list(v.counts),
        "since_first": v.since_first,
        "arrived": v.last - v.since_first,
        "left": v.first - v.since_first,
        "accumulating": v.accumulating,
        "intervals": [
            {"survivors": i.survivors, "arrivals": i.arrivals, "departures": i.departures} for i in v.intervals
        ],
        "evidence": v.describe(),
    }


def _link(link: SourceLink | None) -> dict[str, object] | None:
    if link is None:
        return None
    return {
        "path": link.path,
        "line": link.line,
        "function_lines": list(link.function_lines),
        "findings": [{"code": f.code, "line": f.line, "message": f.message} for f in link.findings],
    }


def to_json(r: RuntimeReport) -> str:
    latest = next((s for s in reversed(r.snapshots) if s.groups), None)
    series = goroutine_series(list(r.snapshots))
    span = minutes_between(series[0], series[-1]) if len(series) > 1 else 0.0
    doc = {
        "verdict": r.verdict.as_dict(),
        "snapshots": [
            {
                "source": s.source,
                "format": s.format,
                "time": s.time.isoformat() if s.time else None,
                "goroutines": s.goroutines,
                "truncated": s.truncated,
                "crash": s.crash or None,
            }
            for s in r.snapshots
        ],
        "groups": [
            {
                "signature": g.stack.signature,
                "count": g.count,
                "state": state_of(g),
                "states": dict(g.states),
                "wait_minutes": {str(m): n for m, n in g.wait_minutes},
                "location": _frame(g.stack.location()),
                "creator": _frame(g.creator),
                "labels": dict(g.labels),
                "frames": [_frame(f) for f in g.stack.frames],
            }
            for g in (latest.groups if latest else ())
        ],
        "suspects": [
            {
                "score": s.score,
                "level": s.level,
                "count": s.count,
                "state": s.state,
                "reasons": list(s.reasons),
                "location": _frame(s.location),
                "creator": _frame(s.creator),
                "counts": list(s.counts),
                "rate_per_min": s.rate_per_min,
                "trend": _trend(s.trend),
                "survivors": _survival(s.survival),
                "signature": s.signature,
                "frames": [_frame(f) for f in s.frames],
                "source": _link(r.sources.get(s.signature)),
            }
            for s in r.suspects
        ],
        "parked": [
            {
                "kind": p.kind,
                "state": p.state,
                "count": p.count,
                "counts": list(p.counts),
                "location": _frame(p.location),
                "stable": p.stable,
                "evidence": p.evidence,
                "signature": p.signature,
            }
            for p in r.parked
        ],
        "heap": [
            {
                "kind": h.kind,
                "site": _frame(h.site),
                "inuse_objects": list(h.inuse_objects),
                "inuse_bytes": list(h.inuse_bytes),
            }
            for h in r.heap
        ],
        "diff": [
            {
                "signature": t.key,
                "location": _frame(t.stack.location()),
                "counts": list(t.counts),
                "growth": t.growth,
                "rate_per_min": round(t.growth / span, 2) if span > 0 else None,
            }
            for t in r.diff
        ],
        "fingerprint": r.fingerprint.as_dict(),
        "trace": trace_json(r.trace),
        "contexts": contexts_json(r.contexts),
        "sched": None
        if r.sched is None
        else {
            **asdict(r.sched),
            "waits_first": dict(r.sched.waits_first),
            "waits_last": dict(r.sched.waits_last),
            "findings": list(r.sched.findings),
        },
    }
    return json.dumps(doc, indent=2) + "\n"


def to_text(r: RuntimeReport, color: bool) -> str:
    def style(s: str, **kw: object) -> str:
        return click.style(s, **kw) if color else s  # type: ignore[arg-type]

    out: list[str] = []
    for s in r.snapshots:
        when = s.time.strftime("%Y-%m-%d %H:%M:%S") if s.time else "?"
        what = (
            f"{s.goroutines} goroutines"
            if s.groups
            else f"{len(s.heap)} heap records"
            if s.heap
            else f"{len(s.sched)} sched samples"
            if s.sched
            else f"{s.lifetimes.created} goroutines traced"
            if s.lifetimes is not None
            else f"{len(s.contexts.sites)} context sites"
            if s.contexts is not None
            else "nothing"
        )
        trunc = style(" (truncated)", fg="yellow") if s.truncated else ""
        out.append(f"{when}  {s.format:<20} {what:<22} {s.source}{trunc}")
    v = r.verdict
    colour = {"leaking": "red", "suspect": "yellow", "healthy": "green", "insufficient-data": "cyan"}[v.verdict]
    out.append("")
    out.append(f"verdict: {style(v.verdict.upper(), fg=colour, bold=True)}")
    out.extend(f"  - {reason}" for reason in v.reasons)
    out.extend(f"  missing: {m}" for m in v.missing)
    fp = r.fingerprint
    features = [(k, val) for k, val in fp.as_dict().items() if k not in ("out_of_range", "leaking") and val is not None]
    if features:
        out.append("")
        out.append("fingerprint (features; they do not decide the verdict):")
        out.extend(f"  {key:<30} {value}" for key, value in features)
    out.append("")
    if not r.suspects:
        out.append("no leak suspects")
    for i, sus in enumerate(r.suspects, 1):
        loc = f"{sus.location.function}  {sus.location.file}:{sus.location.line}" if sus.location else "?"
        out.append(style(f"#{i}  {sus.level}  score {sus.score:.0f}  {sus.count} x [{sus.state}]  {loc}", bold=True))
        out.extend(f"    - {reason}" for reason in sus.reasons)
        link = r.sources.get(sus.signature)
        if link is not None:
            out.append(f"    source: {link.path}:{link.line}")
            for f in link.findings:
                out.append(style(f"    static: {f.code} at line {f.line}: {f.message}", fg="cyan"))
        out.extend(f"      {f.function}\n          {f.file}:{f.line}" for f in sus.frames[:8])
        if len(sus.frames) > 8:
            out.append(f"      ... {len(sus.frames) - 8} more frames")
    if r.parked:
        out.append("")
        out.append("parked (waiting without accumulating; not suspects):")
        for p in r.parked[:15]:
            loc = str(p.location) if p.location else "?"
            trend = " -> ".join(str(n) for n in p.counts[-6:])
            stable = "stable" if p.stable else "one snapshot" if len(p.counts) == 1 else "unsettled"
            out.append(f"  {p.count:>6} x [{p.state}] {p.kind}, {stable} ({trend})  {loc}")
            out.append(f"         {p.evidence}")
        if len(r.parked) > 15:
            out.append(f"  ... {len(r.parked) - 15} more parked stacks")
    if r.sched is not None:
        sc = r.sched
        out.append("")
        out.append(
            f"scheduler: {sc.samples} samples over {sc.span_ms / 1000:.1f}s, max run queue {sc.max_runqueue}, "
            f"threads {sc.threads_first} -> {sc.threads_last}, longest stretch with no idle P {sc.longest_no_idle_ms}ms"
        )
        out.extend(f"  - {f}" for f in sc.findings)
        if sc.waits_last:
            out.append("  waiting now: " + ", ".join(f"{n} {reason}" for reason, n in sc.waits_last[:6]))
    if r.heap:
        out.append("")
        out.append("live context objects and timers by allocation site:")
        for h in r.heap[:15]:
            site = f"{h.site.function} ({h.site.file}:{h.site.line})" if h.site else "?"
            trend = " -> ".join(str(n) for n in h.inuse_objects)
            out.append(f"  {h.kind:<28} {trend:>14}  {site}")
    out.extend(trace_text(r.trace))
    out.extend(contexts_text(r.contexts))
    return "\n".join(out) + "\n"
