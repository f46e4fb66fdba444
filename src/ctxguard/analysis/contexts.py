"""The report's view of a service's context census (ctxguard's Go module): live contexts per
creation site, judged over the series like heap sites, and the JSON `contexts` section.

A context whose cancel is never called parks no goroutine; the heap shows it only as a count by
allocation site. The census names the line that derived it, and how long its contexts live:

- **leaking**: contexts older than the census' max age keep piling up at a site (a significant,
  sustained rise), the cancel never called on a long-lived parent;
- **suspect**: contexts over the max age rose in every census (too few to prove a trend), or the
  garbage collector took contexts whose cancel was never called (go vet's lostcancel, at run time:
  each held its timer or its place in the parent until then);
- **lead**: one census with contexts over the max age, or collected uncancelled: one look cannot
  show whether they keep coming;
- live contexts younger than the max age are requests in flight, never evidence.

JSON contract: `contexts` is null, or {`time`, `go_version`, `sample_rate`, `max_age_s`, `sites`},
each site with `function`, `file`, `line`, `kind`, `created`, `cancelled`, `collected_uncancelled`,
`live`, `over_max_age`, `oldest_age_s` (the last census, tracked counts), most live first.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from ctxguard.analysis.suspects import Suspect, own_code, score_of, where_of
from ctxguard.analysis.trend import MIN_POINTS, classify
from ctxguard.runtime.contexts import ContextCensus, ContextSite
from ctxguard.runtime.model import Frame, Snapshot

CONTEXT_MIN_RISE = 20  # contexts over the max age a site must gain (scaled) before growth counts
MIN_TRACKED_RISE = 3  # ... and tracked: fewer is the sampling's noise
MAX_SITES = 50  # in the JSON; the text shows fewer


@dataclass(frozen=True)
class SiteSeries:
    site: ContextSite  # in the last census
    over_max_age: tuple[int, ...]  # tracked (unscaled), per census
    collected: tuple[int, ...]  # tracked cumulative collected-uncancelled, per census


def censuses(snaps: list[Snapshot]) -> list[Snapshot]:
    """The snapshots carrying a context census, in time order."""
    out = [s for s in snaps if s.contexts is not None]
    return sorted(out, key=lambda s: s.time.timestamp() if s.time else 0.0)


def latest_census(snaps: list[Snapshot]) -> ContextCensus | None:
    found = censuses(snaps)
    return found[-1].contexts if found else None


def _key(s: ContextSite) -> tuple[str, int, str]:
    return (s.file, s.line, s.kind)


def current_process(found: list[Snapshot]) -> list[Snapshot]:
    """The censuses since the last restart or change of sample rate: cumulative counts restart with
    the process (a site's `created` falls), and tracked counts change meaning with the rate."""
    start = 0
    for i, (a, b) in enumerate(itertools.pairwise(found), 1):
        ca, cb = a.contexts, b.contexts
        if ca is None or cb is None:
            continue
        before = {_key(s): s.created for s in ca.sites}
        if ca.sample_rate != cb.sample_rate or any(s.created < before.get(_key(s), 0) for s in cb.sites):
            start = i
    return found[start:]


def site_series(found: list[ContextCensus]) -> list[SiteSeries]:
    """Every site of the last census, followed back through the others (one map per census)."""
    per = [{_key(s): s for s in c.sites} for c in found]
    out = []
    for key, site in sorted(per[-1].items()):
        at = [m.get(key) for m in per]
        out.append(
            SiteSeries(
                site,
                tuple(s.over_max_age if s else 0 for s in at),
                tuple(s.collected_uncancelled if s else 0 for s in at),
            )
        )
    return out


def signature(s: ContextSite) -> str:
    """A census site's suspect signature (incidents key on it)."""
    return f"contexts:{s.kind}:{where_of(Frame(s.function, s.file, s.line))}"


def rank_contexts(snaps: list[Snapshot]) -> list[Suspect]:
    """Creation sites of the census whose contexts outlive the max age or lose their cancel.

    Trends are judged on the tracked counts, where the sampling's own noise lives, against a rise
    of CONTEXT_MIN_RISE contexts in all (scaled back by the sample rate); words show scaled counts."""
    found = current_process(censuses(snaps))
    if not found:
        return []
    times = [s.time.timestamp() if s.time else float(i) for i, s in enumerate(found)]
    cs = [s.contexts for s in found if s.contexts is not None]
    last = cs[-1]
    rate, max_age = last.sample_rate, last.max_age_s
    min_rise = max(CONTEXT_MIN_RISE * rate, MIN_TRACKED_RISE)
    out = []
    for ss in site_series(cs):
        s = ss.site
        old = ss.over_max_age
        lost = ss.collected[-1] if len(cs) == 1 else max(0, ss.collected[-1] - ss.collected[0])
        if not old[-1] and not lost:
            continue  # contexts of work in flight: younger than the max age, or cancelled
        where = Frame(s.function, s.file, s.line)
        reasons = [f"{last.scaled(s.live)} live contexts from {s.kind} at {where_of(where)}"]
        level = "note"
        tr = None
        if len(cs) == 1:
            level = "lead"
            reasons.append("one census cannot show whether they keep coming")
        else:
            tr = classify(times, list(old), min_rise=min_rise)
            rise = old[-1] - old[0]
            if tr.kind == "growth":
                level = "leaking"
                reasons.append(f"contexts older than {max_age:g} s {tr.reason}")
            elif len(cs) >= MIN_POINTS and rise >= min_rise / 2 and all(b > a for a, b in itertools.pairwise(old)):
                level = "suspect"
                reasons.append(
                    f"contexts older than {max_age:g} s rose in every census, {last.scaled(old[0])} to "
                    f"{last.scaled(old[-1])}"
                )
        if old[-1]:
            reasons.append(
                f"{last.scaled(old[-1])} older than {max_age:g} s (the oldest {s.oldest_age_s:.0f} s), "
                "cancel not called"
            )
        if lost:
            if level == "note":
                level = "suspect"
            reasons.append(
                f"{last.scaled(lost)} garbage-collected with their cancel never called (each held its timer or "
                "its place in the parent until then)"
            )
        if rate < 1:
            reasons.append(f"counts scaled from a {rate:g} sample")
        n = last.scaled(s.live)
        out.append(
            Suspect(
                score=score_of(level, max(n, last.scaled(lost)), own_code(where), heap=True),
                count=n,
                state=f"live contexts ({s.kind})",
                reasons=tuple(reasons),
                location=where,
                creator=None,
                signature=signature(s),
                counts=tuple(last.scaled(v) for v in old),
                rate_per_min=tr.slope_per_min / rate if tr is not None and tr.slope_per_min is not None else None,
                frames=(where,),
                level=level,
                trend=tr,
            )
        )
    return out


def contexts_json(c: ContextCensus | None) -> dict[str, object] | None:
    if c is None:
        return None
    return {
        "time": c.time.isoformat() if c.time else None,
        "go_version": c.go_version,
        "sample_rate": c.sample_rate,
        "max_age_s": c.max_age_s,
        "sites": [
            {
                "function": s.function,
                "file": s.file,
                "line": s.line,
                "kind": s.kind,
                "created": s.created,
                "cancelled": s.cancelled,
                "collected_uncancelled": s.collected_uncancelled,
                "live": s.live,
                "over_max_age": s.over_max_age,
                "oldest_age_s": round(s.oldest_age_s, 3),
            }
            for s in c.sites[:MAX_SITES]
        ],
    }


def contexts_text(c: ContextCensus | None, shown: int = 10) -> list[str]:
    if c is None or not c.sites:
        return []
    out = [
        "",
        f"live contexts by creation site (ctxguard's Go module, max age {c.max_age_s:g} s"
        + (f", a {c.sample_rate:g} sample" if c.sample_rate < 1 else "")
        + "):",
    ]
    for s in c.sites[:shown]:
        out.append(
            f"  {s.live:>7} live {s.over_max_age:>6} old {s.collected_uncancelled:>6} lost  {s.kind:<18}"
            f" {s.function} ({s.file}:{s.line})"
        )
    if len(c.sites) > shown:
        out.append(f"  ... {len(c.sites) - shown} more sites")
    return out
