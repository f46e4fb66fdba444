"""Snapshots and times for the store's tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ctxguard.runtime.model import Frame, GoroutineGroup, Snapshot, Stack

TESTDATA = Path(__file__).resolve().parents[2] / "testdata" / "runtime"

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def debug1(at: datetime, groups: int = 30, scale: int = 1, source: str = "http://10.0.0.1:6060") -> Snapshot:
    """A debug=1 snapshot of a typical service: `groups` stacks of 8 frames, counts varying with `scale`."""
    out = []
    for i in range(groups):
        frames = tuple(
            Frame(f"example.com/svc/pkg{j}.(*T).f{i}", f"/src/example.com/svc/pkg{j}/file{i}.go", 10 * j + i)
            for j in range(8)
        )
        labels = (("handler", f"h{i % 3}"),) if i % 5 == 0 else ()
        out.append(GoroutineGroup(stack=Stack(frames), count=(i + 1) * scale, labels=labels))
    total = sum(g.count for g in out)
    return Snapshot(
        source=f"{source}/debug/pprof/goroutine?debug=1",
        format="goroutine-debug1",
        time=at,
        goroutines=total,
        groups=tuple(out),
    )


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
