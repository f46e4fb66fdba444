"""The HTML report is one self-contained file that escapes everything from the input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ctxguard.analysis.html_report import render
from ctxguard.analysis.report import analyse
from ctxguard.runtime.model import Frame, GoroutineGroup, Snapshot, Stack

EVIL = "<script>alert('x')</script>"


def test_html_escapes_input_and_loads_nothing() -> None:
    stack = Stack((Frame("runtime.gopark", "/go/src/runtime/proc.go", 1), Frame(f"main.{EVIL}", f"/app/{EVIL}.go", 3)))
    pool = Stack((Frame("runtime.gopark", "/go/src/runtime/proc.go", 1), Frame(f"main.pool{EVIL}", "/app/p.go", 9)))
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    snaps = [
        Snapshot(
            f"dump-{EVIL}",
            "goroutine-text",
            t0 + timedelta(minutes=i),
            n,
            (
                GoroutineGroup(stack, n, states=((f"chan send {EVIL}", n),), labels=((EVIL, EVIL),)),
                GoroutineGroup(pool, 8, states=(("select", 8),)),
            ),
        )
        for i, n in enumerate((5, 300, 600, 900))
    ]
    html = render(analyse(snaps))
    assert EVIL not in html and "&lt;script&gt;" in html
    assert "<script" not in html.lower() and "://" not in html  # no script, nothing fetched
    assert "<svg" in html and "<polyline" in html  # the growth plot
    assert "Parked, not accumulating (1)" in html  # the idle pool, apart from the suspects
    assert "SUSPECT" in html  # growing, in a state that is no wait state ctxguard knows
