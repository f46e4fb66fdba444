"""Analyses on snapshots built from real fixtures and on small synthetic series."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ctxguard.analysis.fingerprint import fingerprint
from ctxguard.analysis.report import analyse, to_json, to_text
from ctxguard.analysis.sched import summarise
from ctxguard.analysis.suspects import rank
from ctxguard.runtime import schedtrace
from ctxguard.runtime.load import load_file
from ctxguard.runtime.model import Frame, GoroutineGroup, Snapshot, Stack

ROOT = Path(__file__).resolve().parents[2] / "testdata" / "runtime"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
LEAK = Stack((Frame("runtime.gopark", "/go/src/runtime/proc.go", 1), Frame("main.send", "/app/main.go", 42)))
POOL = Stack((Frame("runtime.gopark", "/go/src/runtime/proc.go", 1), Frame("main.worker", "/app/pool.go", 7)))


def snap(minute: int, leak: int, pool: int = 8) -> Snapshot:
    groups = (
        GoroutineGroup(LEAK, leak, states=(("chan send", leak),)),
        GoroutineGroup(POOL, pool, states=(("select", pool),)),
    )
    return Snapshot("s", "goroutine-text", T0 + timedelta(minutes=minute), leak + pool, groups)


def test_growing_stack_ranks_first_with_reasons_and_steady_pool_stays_quiet() -> None:
    series = [snap(0, 10), snap(1, 400), snap(2, 900)]
    (top, *rest) = rank(series)
    assert top.location == Frame("main.send", "/app/main.go", 42)
    assert top.count == 900 and top.rate_per_min == 445.0
    assert any("parked in 'chan send'" in r for r in top.reasons) and any(
        "grew from 10 to 900" in r for r in top.reasons
    )
    assert all(s.location != Frame("main.worker", "/app/pool.go", 7) for s in rest)
    assert fingerprint(series).verdict == "leaking"


def test_a_steady_service_is_healthy() -> None:
    series = [snap(0, 3), snap(1, 3), snap(2, 3)]
    assert rank(series) == []
    assert fingerprint(series).verdict == "healthy"


def test_real_dump_with_long_waits_names_the_senders() -> None:
    report = analyse([load_file(str(ROOT / "go1.26" / "minutes.txt"))])
    top = report.suspects[0]
    assert top.state in ("chan send", "chan receive") and top.count == 20
    assert top.location is not None and top.location.function in ("main.orphanedSender", "main.waitForReply")
    assert report.fingerprint.long_wait_share is not None and report.fingerprint.long_wait_share > 0.5
    assert '"verdict"' in to_json(report)
    assert "score" in to_text(report, color=False)


def test_heap_view_finds_the_never_cancelled_contexts() -> None:
    report = analyse([load_file(str(ROOT / "go1.26" / "heap.pb.gz"))])
    by = {(h.kind, h.site.function if h.site else ""): h.inuse_objects[-1] for h in report.heap}
    assert by[("context.cancelCtx", "main.leakCancelCtx")] == 200
    # 50 WithTimeout contexts: 100 live objects allocated under WithDeadlineCause (groundtruth.json)
    assert by[("context.timerCtx", "main.leakTimerCtx")] == 100


def test_sched_summary_flags_saturation_and_thread_growth() -> None:
    lines = [
        f"SCHED {i * 1000}ms: gomaxprocs=2 idleprocs=0 threads={5 + i * 10} spinningthreads=0 needspinning=0 "
        f"idlethreads=0 runqueue={10 + i} [ 3 4 ] schedticks=[ 1 2 ]\n"
        for i in range(8)
    ]
    s = summarise(schedtrace.decode(io.StringIO("".join(lines)), "x").sched)
    assert s is not None and s.saturated_share == 1.0 and s.longest_no_idle_ms == 7000
    assert s.threads_first == 5 and s.threads_last == 75
    assert any("run queue" in f for f in s.findings) and any("threads grew" in f for f in s.findings)
    real = summarise(load_file(str(ROOT / "go1.19" / "scheddetail.txt")).sched)
    assert real is not None and dict(real.waits_last).get("chan send", 0) >= 20


def test_similarity_merges_stacks_that_differ_only_in_lines_or_callers() -> None:
    a = Stack((Frame("main.send", "/app/main.go", 42), Frame("main.handle", "/app/main.go", 10)))
    b = Stack((Frame("main.send", "/app/main.go", 44), Frame("main.handle", "/app/main.go", 12)))
    c = Stack((Frame("main.send", "/app/main.go", 42), Frame("main.other", "/app/main.go", 90)))
    keys = {sim: {s.key(sim) for s in (a, b, c)} for sim in ("exact", "function", "location")}
    assert len(keys["exact"]) == 3 and len(keys["function"]) == 2 and len(keys["location"]) == 2
    assert a.key("location") == c.key("location")
