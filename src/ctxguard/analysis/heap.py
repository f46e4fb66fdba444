"""Heap view: live context objects and timers by allocation site, across snapshots.

A heap profile does not record types; the allocating frames tell them:
`context.withCancel` makes a cancelCtx, `WithDeadline` a timerCtx, and so on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ctxguard.runtime.model import Frame, HeapRecord, Snapshot

_KINDS = (
    ("context.WithValue", "context.valueCtx"),
    ("context.WithDeadline", "context.timerCtx"),
    ("context.WithTimeout", "context.timerCtx"),
    ("context.AfterFunc", "context.afterFuncCtx"),
    ("context.withCancel", "context.cancelCtx"),
    ("context.WithCancel", "context.cancelCtx"),
    ("context.(*cancelCtx).propagateCancel", "context.cancelCtx children"),
    ("time.NewTimer", "time.Timer"),
    ("time.AfterFunc", "time.Timer"),
    ("time.newTimer", "time.Timer"),
    ("time.NewTicker", "time.Ticker"),
)


@dataclass(frozen=True)
class HeapSite:
    kind: str  # context.cancelCtx, context.timerCtx, time.Timer, ...
    site: Frame | None  # the first frame of the program that allocated it
    inuse_objects: tuple[int, ...]  # per heap snapshot
    inuse_bytes: tuple[int, ...]

    @property
    def growth(self) -> int:
        return self.inuse_objects[-1] - self.inuse_objects[0]


def classify(record: HeapRecord) -> str | None:
    for f in record.stack.frames[:12]:
        for prefix, kind in _KINDS:
            if f.function.startswith(prefix):
                return kind
    return None


def _site(record: HeapRecord) -> Frame | None:
    for f in record.stack.frames:
        if not f.is_runtime and not f.function.startswith(("context.", "time.")):
            return f
    return None


def context_heap(series: list[Snapshot]) -> list[HeapSite]:
    heaps = [s for s in series if s.heap]
    objs: dict[tuple[str, Frame | None], Counter[int]] = {}
    byts: dict[tuple[str, Frame | None], Counter[int]] = {}
    for i, snap in enumerate(heaps):
        for rec in snap.heap:
            kind = classify(rec)
            if kind is None:
                continue
            key = (kind, _site(rec))
            objs.setdefault(key, Counter())[i] += rec.inuse_objects
            byts.setdefault(key, Counter())[i] += rec.inuse_bytes
    sites = [
        HeapSite(
            kind,
            site,
            tuple(objs[(kind, site)][i] for i in range(len(heaps))),
            tuple(byts[(kind, site)][i] for i in range(len(heaps))),
        )
        for kind, site in objs
    ]
    sites.sort(key=lambda s: (-s.inuse_objects[-1], s.kind))
    return sites
