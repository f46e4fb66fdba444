"""One self-contained HTML file: summary, suspects with their stacks, plots of goroutines
per stack over time, of live context objects per heap profile and of old contexts per
creation site of the context census. No script, no network;
every string that came from the input is escaped."""

from __future__ import annotations

from html import escape

from ctxguard.analysis.contexts import censuses, current_process, site_series
from ctxguard.analysis.report import RuntimeReport, goroutine_series

_COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")
_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
.verdict{display:inline-block;padding:.2em .7em;border-radius:4px;color:#fff;font-weight:bold}
.leaking{background:#c0392b}.suspect{background:#d68910}.healthy{background:#229954}.insufficient-data{background:#5d6d7e}
table{border-collapse:collapse}td,th{padding:.2em .8em;border-bottom:1px solid #eee;text-align:left}
pre{background:#f7f7f7;padding:.6em;overflow:auto;font-size:12px}.static{color:#1f618d}
details{margin:.4em 0}summary{cursor:pointer}svg text{font-size:11px}
"""


def _chart(title: str, series: list[tuple[str, tuple[int, ...]]], xlabels: list[str]) -> str:
    """A line chart in inline SVG."""
    if not series or len(xlabels) < 2:
        return ""
    w, h, pad = 760, 240, 40
    top = max(1, max(max(v) for _, v in series))
    n = len(xlabels)

    def xy(i: int, v: int) -> str:
        return f"{pad + i * (w - 2 * pad) / (n - 1):.1f},{h - pad - v * (h - 2 * pad) / top:.1f}"

    parts = [f'<svg width="{w}" height="{h + 20 * len(series)}" role="img" aria-label="{escape(title)}">']
    parts.append(f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>')
    parts.append(f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="#999"/>')
    parts.append(f'<text x="{pad - 4}" y="{pad}" text-anchor="end">{top}</text>')
    parts.append(f'<text x="{pad - 4}" y="{h - pad}" text-anchor="end">0</text>')
    for i, label in enumerate(xlabels):
        x = pad + i * (w - 2 * pad) / (n - 1)
        parts.append(f'<text x="{x:.1f}" y="{h - pad + 14}" text-anchor="middle">{escape(label)}</text>')
    for k, (name, values) in enumerate(series):
        color = _COLORS[k % len(_COLORS)]
        points = " ".join(xy(i, v) for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>')
        y = h + 14 + 20 * k
        parts.append(f'<rect x="{pad}" y="{y - 9}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{pad + 16}" y="{y}">{escape(name)}</text>')
    parts.append("</svg>")
    return f"<h3>{escape(title)}</h3>" + "".join(parts)


def _census(r: RuntimeReport) -> list[str]:
    """Contexts older than the max age per creation site across the censuses, and the last census."""
    last = r.contexts
    if last is None or not last.sites:
        return []
    snaps = current_process(censuses(list(r.snapshots)))
    times = [s.time.strftime("%H:%M:%S") if s.time else str(i) for i, s in enumerate(snaps)]
    followed = site_series([s.contexts for s in snaps if s.contexts is not None])
    followed.sort(key=lambda ss: -ss.site.live)
    lines = [(f"{ss.site.kind} at {ss.site.function}", ss.over_max_age) for ss in followed[:6]]
    tracked = f", tracked in a {last.sample_rate:g} sample" if last.sample_rate < 1 else ""
    out = [
        _chart(f"Contexts older than {last.max_age_s:g} s per creation site (context census{tracked})", lines, times)
    ]
    out.append(f"<h2>Live contexts by creation site{escape(tracked)}</h2>")
    out.append("<table><tr><th>live</th><th>older than max age</th>")
    out.append("<th>collected, cancel never called</th><th>derivation</th><th>where</th></tr>")
    for site in last.sites[:20]:
        out.append(
            f"<tr><td>{site.live}</td><td>{site.over_max_age}</td><td>{site.collected_uncancelled}</td>"
            f"<td>{escape(site.kind)}</td><td>{escape(site.function)} ({escape(site.file)}:{site.line})</td></tr>"
        )
    out.append("</table>")
    return out


def render(r: RuntimeReport) -> str:
    fp = r.fingerprint
    verdict = r.verdict.verdict
    out = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>ctxguard profile: {escape(verdict)}</title><style>{_CSS}</style></head><body>",
        f"<h1>ctxguard profile <span class='verdict {escape(verdict)}'>{escape(verdict.upper())}</span></h1>",
        "<ul class='reasons'>",
        *(f"<li>{escape(reason)}</li>" for reason in r.verdict.reasons),
        *(f"<li class='missing'>missing: {escape(m)}</li>" for m in r.verdict.missing),
        "</ul>",
        "<h2>Snapshots</h2><table><tr><th>time</th><th>format</th><th>contents</th><th>source</th></tr>",
    ]
    for s in r.snapshots:
        when = s.time.strftime("%Y-%m-%d %H:%M:%S") if s.time else "?"
        trunc = " (truncated)" if s.truncated else ""
        size = f"{s.goroutines} goroutines" if s.groups else f"{len(s.heap)} heap records" if s.heap else ""
        out.append(
            f"<tr><td>{escape(when)}</td><td>{escape(s.format)}</td><td>{size}</td>"
            f"<td>{escape(s.source)}{trunc}</td></tr>"
        )
    out.append("</table><h2>Leak fingerprint</h2><table>")
    for key, value in fp.as_dict().items():
        if value not in (None, [], ()):
            shown = ", ".join(value) if isinstance(value, list) else value
            out.append(f"<tr><td>{escape(key)}</td><td>{escape(str(shown))}</td></tr>")
    out.append("</table>")
    series = goroutine_series(list(r.snapshots))  # the snapshots the suspects' counts follow
    goroutine_times = [s.time.strftime("%H:%M:%S") if s.time else str(i) for i, s in enumerate(series)]
    plotted = [
        (f"{s.location.function if s.location else '?'} [{s.state}]", s.counts)
        for s in r.suspects
        if not s.state.startswith("live ")
    ][:6]
    out.append(_chart("Goroutines per suspect stack", plotted, goroutine_times))
    heap_snaps = [s for s in r.snapshots if s.heap]
    heap_times = [s.time.strftime("%H:%M:%S") if s.time else str(i) for i, s in enumerate(heap_snaps)]
    heap_lines = [
        (f"{h.kind} at {h.site.function if h.site else '?'}", h.inuse_objects) for h in r.heap if h.inuse_objects[-1]
    ][:6]
    out.append(_chart("Live context objects and timers per heap profile", heap_lines, heap_times))
    out.extend(_census(r))
    out.append(f"<h2>Suspects ({len(r.suspects)})</h2>")
    if not r.suspects:
        out.append("<p>No leak suspects.</p>")
    for i, sus in enumerate(r.suspects, 1):
        loc = f"{sus.location.function} ({sus.location.file}:{sus.location.line})" if sus.location else "?"
        out.append(
            f"<details{' open' if i <= 3 else ''}><summary><b>#{i}</b> {escape(sus.level)} &middot; "
            f"score {sus.score:.0f} &middot; "
            f"{sus.count} &times; [{escape(sus.state)}] &middot; {escape(loc)}</summary><ul>"
        )
        out.extend(f"<li>{escape(reason)}</li>" for reason in sus.reasons)
        link = r.sources.get(sus.signature)
        if link is not None:
            out.append(f"<li>source: {escape(link.path)}:{link.line}</li>")
            out.extend(
                f"<li class='static'>{escape(f.code)} at line {f.line}: {escape(f.message)}</li>" for f in link.findings
            )
        out.append("</ul><pre>")
        out.extend(f"{escape(f.function)}\n\t{escape(f.file)}:{f.line}\n" for f in sus.frames)
        out.append("</pre></details>")
    if r.parked:
        out.append(f"<h2>Parked, not accumulating ({len(r.parked)})</h2>")
        out.append("<table><tr><th>goroutines</th><th>state</th><th>kind</th><th>where</th><th>evidence</th></tr>")
        for p in r.parked:
            loc = str(p.location) if p.location else "?"
            out.append(
                f"<tr><td>{p.count}</td><td>{escape(p.state)}</td><td>{escape(p.kind)}</td>"
                f"<td>{escape(loc)}</td><td>{escape(p.evidence)}</td></tr>"
            )
        out.append("</table>")
    if r.sched is not None:
        out.append("<h2>Scheduler</h2><ul>")
        out.append(
            f"<li>{r.sched.samples} samples, max run queue {r.sched.max_runqueue}, threads "
            f"{r.sched.threads_first} &rarr; {r.sched.threads_last}</li>"
        )
        out.extend(f"<li>{escape(f)}</li>" for f in r.sched.findings)
        out.append("</ul>")
    out.append("</body></html>\n")
    return "\n".join(out)
