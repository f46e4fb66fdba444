"""`debug=1` text profiles: goroutine and goroutineleak (`COUNT @ pcs`, optional
`# labels: {...}`, `#\\tpc\\tfunc+off\\tfile:line` frames) and heap
(`inuse_objects: inuse_bytes [alloc_objects: alloc_bytes] @ pcs`, then a
`# runtime.MemStats` block). No goroutine IDs, states or wait times here."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from ctxguard.runtime.model import Frame, GoroutineGroup, HeapRecord, Snapshot, Stack

GOROUTINE_HEADER = re.compile(r"^(goroutine|goroutineleak) profile: total (\d+)\s*$")
HEAP_HEADER = re.compile(r"^heap profile: \d+: \d+ \[\d+: \d+\] @ heap/\d+\s*$")
_COUNT = re.compile(r"^(\d+) @(?: 0x[0-9a-f]+)*\s*$")
_HEAP_REC = re.compile(r"^(\d+): (\d+) \[(\d+): (\d+)\] @(?: 0x[0-9a-f]+)*\s*$")
_FRAME = re.compile(r"^#\s+0x[0-9a-f]+\s+(\S+?)(?:\+0x[0-9a-f]+)?\s+(\S.*):(\d+)\s*$")


class Debug1Error(ValueError):
    pass


def _records(lines: Iterable[str], head: re.Pattern[str]) -> Iterable[tuple[re.Match[str], list[Frame], str]]:
    """(record header match, frames, labels json) per record."""
    cur: re.Match[str] | None = None
    frames: list[Frame] = []
    labels = ""
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line.startswith("# runtime.MemStats"):
            break
        m = head.match(line)
        if m is not None:
            if cur is not None:
                yield cur, frames, labels
            cur, frames, labels = m, [], ""
        elif cur is not None and line.startswith("# labels:"):
            labels = line[len("# labels:") :].strip()
        elif cur is not None and line.startswith("#"):
            fm = _FRAME.match(line)
            if fm is not None:
                frames.append(Frame(fm.group(1), fm.group(2), int(fm.group(3))))
    if cur is not None:
        yield cur, frames, labels


def decode_goroutines(header: str, lines: Iterable[str], source: str) -> Snapshot:
    hm = GOROUTINE_HEADER.match(header.rstrip("\r\n"))
    if hm is None:
        raise Debug1Error(f"{source}: not a debug=1 goroutine profile")
    kind, total = hm.group(1), int(hm.group(2))
    groups = []
    for m, frames, labels in _records(lines, _COUNT):
        try:
            lbl = tuple(sorted((str(k), str(v)) for k, v in json.loads(labels).items())) if labels else ()
        except (ValueError, AttributeError):
            lbl = ()
        n = int(m.group(1))
        groups.append(GoroutineGroup(Stack(tuple(frames)), n, labels=lbl, leaked=n if kind == "goroutineleak" else 0))
    groups.sort(key=lambda g: -g.count)
    seen = sum(g.count for g in groups)
    return Snapshot(
        source=source,
        format=f"{kind}-debug1",
        goroutines=total,
        groups=tuple(groups),
        truncated=seen < total,
    )


def decode_heap(header: str, lines: Iterable[str], source: str) -> Snapshot:
    if HEAP_HEADER.match(header.rstrip("\r\n")) is None:
        raise Debug1Error(f"{source}: not a debug=1 heap profile")
    records = tuple(
        HeapRecord(Stack(tuple(frames)), int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)))
        for m, frames, _ in _records(lines, _HEAP_REC)
    )
    return Snapshot(source=source, format="heap-debug1", heap=records)
