"""Each page's data as one JSON-able dict: the API returns it, the template renders it.

One builder per page keeps the HTML and the JSON from drifting apart. The analysis
parts reuse the JSON contract of `ctxguard profile` (analysis.report.to_json), so a
suspect reads the same in the dashboard, in a bundle's report.json and in the CLI.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from typing import Any

from ctxguard.analysis.heap import context_heap
from ctxguard.analysis.report import RuntimeReport, goroutine_series, to_json
from ctxguard.analysis.series import tracks
from ctxguard.analysis.source import SourceLink
from ctxguard.runtime.model import Frame, Snapshot
from ctxguard.store.model import ActionRecord, Incident
from ctxguard.watch.present import action_json, incident_json, rfc3339
from ctxguard.web import bundles
from ctxguard.web.fleet import Fleet, TargetInfo

TOP_STACKS = 6  # lines on the goroutines plot; the rest is summed as "other stacks"
TOP_SITES = 5  # allocation sites on the context objects plot
Json = dict[str, Any]


def parse_filters(values: list[str]) -> list[tuple[str, str | None]]:
    """`env:prod` (or `env=prod`) matches that value, `env` any target that has the label."""
    out: list[tuple[str, str | None]] = []
    for v in values:
        v = v.strip()
        if not v:
            continue
        name, sep, value = v.replace("=", ":", 1).partition(":")
        out.append((name.strip(), value.strip() if sep else None))
    return out


def _matches(labels: tuple[tuple[str, str], ...], filters: list[tuple[str, str | None]]) -> bool:
    have = dict(labels)
    return all(name in have and (value is None or have[name] == value) for name, value in filters)


def _when(s: Snapshot) -> float:
    return s.time.timestamp() if s.time else 0.0


def target_row(info: TargetInfo, verdict: str) -> Json:
    """The row of `/api/targets` (keys the watch API has always had; None where serve cannot know)."""
    h = info.health
    return {
        "id": info.id,
        "target": info.target.url,
        "labels": dict(info.target.labels),
        "up": h.up if h else None,
        "verdict": verdict,
        "last_error": h.last_error if h else "",
        "failures": h.failures if h else 0,
        "error_kind": h.error_kind if h else "",
        "extra_error": info.extra_error,
        "scrape_seconds": round(h.scrape_seconds, 4) if h else None,
        "lag_seconds": round(h.lag_seconds, 4) if h else None,
        "rounds": info.rounds,
        "errors": info.errors,
        "snapshots": info.snapshots,
        "agent": info.agent,
    }


async def verdict_of(fleet: Fleet, info: TargetInfo, window: list[Snapshot]) -> str:
    if info.health is not None:
        return info.health.verdict
    return (await fleet.report(info.id, window)).verdict.verdict


async def targets_data(fleet: Fleet) -> list[Json]:
    out = []
    for info in await fleet.targets():
        window = [] if info.health is not None else await fleet.window(info.id)
        out.append(target_row(info, await verdict_of(fleet, info, window)))
    return out


def incident_row(inc: Incident) -> Json:
    return incident_json(inc) | {"url": f"/incidents/{inc.id}", "target_url": f"/targets/{inc.target_id}"}


async def fleet_data(fleet: Fleet, label_args: list[str]) -> Json:
    filters = parse_filters(label_args)
    every = await fleet.targets()
    shown = [i for i in every if _matches(i.target.labels, filters)]
    open_incidents = await fleet.incidents(state="open")
    levels: dict[int, Counter[str]] = {}
    for inc in open_incidents:
        levels.setdefault(inc.target_id, Counter())[inc.level] += 1
    rows = []
    for info in shown:
        window = await fleet.window(info.id)
        series = goroutine_series(window)
        newest = max((s.time for s in window if s.time is not None), default=None)
        rows.append(
            target_row(info, await verdict_of(fleet, info, window))
            | {
                "url": f"/targets/{info.id}",
                "incidents": dict(sorted(levels.get(info.id, Counter()).items())),
                "last_snapshot_at": rfc3339(newest) if newest else None,
                "spark": {"t": [_when(s) for s in series], "goroutines": [s.goroutines for s in series]},
            }
        )
    ids = {i.id for i in shown}
    return {
        "mode": fleet.mode,
        "filter": [f"{n}:{v}" if v is not None else n for n, v in filters],
        "labels": sorted({f"{k}:{v}" for i in every for k, v in i.target.labels}),
        "targets": rows,
        "incidents": [incident_row(i) for i in open_incidents if i.target_id in ids],
    }


def _code(link: SourceLink) -> str:
    """The text of the linked line (the checkout is the operator's own: trusted, but still escaped)."""
    try:
        with open(link.path, encoding="utf-8", errors="replace") as fh:
            for n, text in enumerate(fh, 1):
                if n == link.line:
                    return text.strip()
    except OSError:
        pass
    return ""


def source_json(link: SourceLink | None) -> Json | None:
    if link is None:
        return None
    return {
        "path": link.path,
        "line": link.line,
        "code": _code(link),
        "function_lines": list(link.function_lines),
        "findings": [{"code": f.code, "line": f.line, "message": f.message} for f in link.findings],
    }


async def target_data(fleet: Fleet, tid: int) -> Json | None:
    info = await fleet.target(tid)
    if info is None:
        return None
    window = await fleet.window(tid)
    report: RuntimeReport = await fleet.report(tid, window)
    checkout = fleet.checkout(info.target.labels)
    links = {}
    if checkout is not None:
        for sus in report.suspects:
            link = await fleet.link(checkout, sus.location)
            if link is not None:
                links[sus.signature] = link
    doc = json.loads(to_json(replace(report, sources=links)))
    for sus in doc["suspects"]:
        sus["source"] = source_json(links.get(sus["signature"]))
    times = [s.time for s in window if s.time is not None]
    return {
        "mode": fleet.mode,
        **target_row(info, report.verdict.verdict),
        "health": None if info.health is None else {"up": info.health.up, "last_error": info.health.last_error},
        "verdict": doc["verdict"],
        "window": {
            "from": rfc3339(min(times)) if times else None,
            "to": rfc3339(max(times)) if times else None,
            "snapshots": len(window),
        },
        "checkout": checkout is not None,
        "suspects": doc["suspects"],
        "parked": doc["parked"][:20],
        "heap": doc["heap"][:20],
        "incidents": [incident_row(i) for i in await fleet.incidents(target_id=tid)],
        "series_url": f"/api/targets/{tid}/series",
    }


def _label(f: Frame | None) -> str:
    return f"{f.function} ({os.path.basename(f.file)}:{f.line})" if f is not None else "?"


def series_data(window: list[Snapshot]) -> Json:
    """What the target page plots: goroutines (total and per top stack), heap in use, live context objects."""
    series = [s for s in goroutine_series(window) if s.time is not None]
    by_stack = sorted(tracks(series), key=lambda t: (-max(t.counts, default=0), t.key)) if series else []
    top = by_stack[:TOP_STACKS]
    stacks = [{"signature": t.key, "label": _label(t.stack.location()), "counts": list(t.counts)} for t in top]
    if len(by_stack) > TOP_STACKS:
        rest = [sum(t.counts[i] for t in by_stack[TOP_STACKS:]) for i in range(len(series))]
        stacks.append({"signature": "", "label": "other stacks", "counts": rest})
    heaps = sorted((s for s in window if s.heap and s.time is not None), key=_when)
    sites = context_heap(heaps)
    contexts = [sum(h.inuse_objects[i] for h in sites if h.kind.startswith("context.")) for i in range(len(heaps))]
    return {
        "goroutines": {
            "t": [_when(s) for s in series],
            "total": [s.goroutines for s in series],
            "stacks": stacks,
        },
        "heap": {
            "t": [_when(s) for s in heaps],
            "inuse_bytes": [sum(r.inuse_bytes for r in s.heap) for s in heaps],
            "context_objects": contexts,
            "sites": [
                {"kind": h.kind, "label": f"{h.kind} at {_label(h.site)}", "objects": list(h.inuse_objects)}
                for h in sites[:TOP_SITES]
            ],
        },
    }


def timeline(inc: Incident, actions: list[ActionRecord], response_s: float | None) -> list[Json]:
    """What happened to the incident, in order. The store keeps no level history; an escalation
    is derived from the deadline (escalating restarts it from the level's response time)."""
    events = [(inc.opened_at, "opened", f"opened: {inc.verdict}, {inc.function} ({inc.file}:{inc.line})")]
    if response_s is not None:
        raised = inc.deadline_at - timedelta(seconds=response_s)
        if raised > inc.opened_at + timedelta(seconds=1):
            events.append((raised, "escalated", f"escalated to {inc.level} (derived from its deadline)"))
    events.append((inc.deadline_at, "deadline", f"response deadline for {inc.level}"))
    for a in actions:
        detail = f": {a.detail}" if a.detail else ""
        events.append((a.at, "action", f"{a.name} ({a.kind}) {a.outcome}{detail}"))
    if inc.updated_at > inc.opened_at:
        events.append((inc.updated_at, "updated", "latest evidence"))
    if inc.resolved_at is not None:
        events.append((inc.resolved_at, "resolved", "resolved: the stack stopped accumulating"))
    events.sort(key=lambda e: e[0])
    return [{"at": rfc3339(at), "event": event, "text": text} for at, event, text in events]


async def incident_data(fleet: Fleet, iid: int) -> Json | None:
    inc = await fleet.incident(iid)
    if inc is None:
        return None
    actions = await fleet.actions(iid)
    checkout = fleet.checkout(inc.labels)
    link = await fleet.link(checkout, Frame(inc.function, inc.file, inc.line)) if checkout else None
    found = bundles.files(inc.bundle, fleet.bundle_root)
    return incident_row(inc) | {
        "actions": [action_json(a) for a in actions],
        "mode": fleet.mode,
        "timeline": timeline(inc, actions, fleet.responses.get(inc.level)),
        "trap": f"{inc.file}:{inc.line}",
        "source": source_json(link),
        "bundle_files": [{"name": f.name, "size": f.size, "url": f"/incidents/{iid}/bundle/{f.name}"} for f in found],
    }
