"""Analyses on snapshots built from real fixtures and on small synthetic series."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ctxguard.analysis.report import analyse, to_json, to_text
from ctxguard.analysis.sched import summarise
from ctxguard.analysis.survivors import follow
from ctxguard.runtime import schedtrace
from ctxguard.runtime.load import load_file
from ctxguard.runtime.model import Frame, GoroutineGroup, HeapRecord, Snapshot, Stack, pack

ROOT = Path(__file__).resolve().parents[2] / "testdata" / "runtime"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
LEAK = Stack((Frame("runtime.gopark", "/go/src/runtime/proc.go", 1), Frame("main.send", "/app/main.go", 42)))
POOL = Stack((Frame("runtime.gopark", "/go/src/runtime/proc.go", 1), Frame("main.worker", "/app/pool.go", 7)))


def group(stack: Stack, state: str, ids: range, parent: int = 1, minutes: int = 0) -> GoroutineGroup:
    n = len(ids)
    return GoroutineGroup(
        stack, n, states=((state, n),), ids=pack(ids), id_minutes=pack([minutes] * n), parent_ids=pack([parent] * n)
    )


def dump(second: int, leak: range, pool: range = range(100, 108)) -> Snapshot:
    """Every goroutine parked since the start: the runtime stamps them with the minutes since."""
    m = second // 60
    groups = (
        group(LEAK, "chan send", leak, minutes=m),
        group(POOL, "select", pool, minutes=m),
        group(MAIN, "select", range(1, 2), 0, minutes=m),
    )
    return Snapshot("s", "goroutine-text", T0 + timedelta(seconds=second), sum(g.count for g in groups), groups)


MAIN = Stack((Frame("runtime.gopark", "/go/src/runtime/proc.go", 1), Frame("main.main", "/app/main.go", 3)))


def test_accumulating_senders_are_leaking_and_the_idle_pool_is_parked() -> None:
    # 50 more senders every 5 s, none leaves; the pool's 8 workers wait all along
    series = [dump(5 * i, range(1000, 1000 + 50 * i)) for i in range(6)]
    report = analyse(series)
    assert report.verdict.verdict == "leaking", report.verdict
    top = report.suspects[0]
    assert top.level == "leaking" and top.location == Frame("main.send", "/app/main.go", 42)
    assert top.count == 250 and top.rate_per_min == 600.0
    assert top.survival is not None and top.survival.accumulating
    assert any("none left" in r for r in top.reasons), top.reasons
    assert [p.location for p in report.parked if p.stable] == [
        Frame("main.worker", "/app/pool.go", 7),
        Frame("main.main", "/app/main.go", 3),
    ]
    assert all(s.location != Frame("main.worker", "/app/pool.go", 7) for s in report.suspects)


def test_churn_through_one_line_is_not_a_leak() -> None:
    # ~200 in flight, each goroutine gone by the next dump, the count noisy
    sizes = [199, 199, 218, 205, 201, 207]
    series, start = [], 1000
    for i, n in enumerate(sizes):
        series.append(dump(i, range(start, start + n)))
        start += n
    report = analyse(series)
    assert report.verdict.verdict == "healthy", report.verdict
    assert report.suspects == ()


def test_a_pool_that_scales_up_once_is_not_a_leak() -> None:
    series = [dump(5 * i, range(1000, 1000 + (4 if i < 3 else 32))) for i in range(12)]
    report = analyse(series)
    assert report.verdict.verdict == "healthy", report.verdict
    assert report.suspects == ()


def test_a_scale_up_across_the_middle_dump_is_not_a_suspect() -> None:
    # debug=1 every second, debug=2 at 0, 2 and 4 s; 28 workers join between 1.9 and 2.1 s:
    # IDs show newcomers staying in both intervals, the counts show one step
    def profile(second: int, workers: int) -> Snapshot:
        groups = (GoroutineGroup(LEAK, workers, states=()), GoroutineGroup(POOL, 8))
        return Snapshot("p", "goroutine-debug1", T0 + timedelta(seconds=second), workers + 8, groups)

    counts = [4, 4, 18, 32, 32]
    series = [profile(i, n) for i, n in enumerate(counts)]
    dumps = [dump(0, range(1000, 1004)), dump(2, range(1000, 1018)), dump(4, range(1000, 1032))]
    report = analyse(series + dumps)
    assert report.verdict.verdict in ("healthy", "insufficient-data"), report.verdict
    assert report.suspects == ()


def test_a_handful_more_all_staying_is_a_suspect_not_a_leak() -> None:
    # lab/zoo's scaling pool on a starved machine (a false `leaking` in CI): its workers keep their IDs
    # and their stack from dump to dump, and the count in their 20 ms pause crept up by 5 over 70 s
    counts = [0, 0, 1, 0, 1, 1, 2, 1, 2, 3, 3, 4, 4, 5, 5]

    def profile(second: int, n: int) -> Snapshot:
        groups = (GoroutineGroup(LEAK, n, states=()), GoroutineGroup(POOL, 8))
        return Snapshot("p", "goroutine-debug1", T0 + timedelta(seconds=second), n + 8, groups)

    series = [profile(5 * i, n) for i, n in enumerate(counts)]
    dumps = [dump(0, range(1000, 1000)), dump(35, range(1000, 1002)), dump(70, range(1000, 1005))]
    report = analyse(series + dumps)
    assert report.verdict.verdict == "suspect", report.verdict
    top = report.suspects[0]
    assert top.level == "suspect" and any("too few to call a leak" in r for r in top.reasons), top.reasons


def test_a_step_at_the_very_end_is_undecided() -> None:
    series = [dump(5 * i, range(1000, 1000 + (4 if i < 10 else 64))) for i in range(11)]
    report = analyse(series)
    assert report.verdict.verdict == "insufficient-data", report.verdict
    assert any("after the step" in m for m in report.verdict.missing)


def test_one_dump_is_insufficient_data_however_long_the_waits() -> None:
    # the case: two goroutines, one in chan send for 5 minutes
    send = GoroutineGroup(LEAK, 1, states=(("chan send", 1),), wait_minutes=((5, 1),), ids=pack([7]))
    main = GoroutineGroup(MAIN, 1, states=(("select", 1),), ids=pack([1]))
    report = analyse([Snapshot("d", "goroutine-text", T0, 2, (send, main))])
    assert report.verdict.verdict == "insufficient-data"
    assert report.suspects == ()
    assert report.verdict.missing


def test_orphaned_senders_in_one_dump_are_named_but_not_judged() -> None:
    orphans = group(LEAK, "chan send", range(1000, 1040), parent=77)  # goroutine 77 has exited
    report = analyse([Snapshot("d", "goroutine-text", T0, 41, (orphans, group(MAIN, "select", range(1, 2), 0)))])
    assert report.verdict.verdict == "insufficient-data"
    assert [s.level for s in report.suspects] == ["lead"]
    alive = group(LEAK, "chan send", range(1000, 1040), parent=1)  # their creator still runs
    report = analyse([Snapshot("d", "goroutine-text", T0, 41, (alive, group(MAIN, "select", range(1, 2), 0)))])
    assert report.suspects == ()


def test_survivors_in_words_and_numbers() -> None:
    dumps = [dump(100 * i, range(1000, 1412 + 130 * i)) for i in range(4)]
    sv = follow(dumps)[LEAK.key()]
    assert sv.since_first == 412 and sv.cohorts == 260 and sv.cohorts_kept == 260 and sv.cohorts_stayed == 2
    assert sv.accumulating and sv.nobody_leaves
    assert sv.describe().startswith("412 goroutines parked here at 00:00:00 are still parked at 00:05:00; 390 more")
    # three dumps cannot tell this from a pool that scaled up across the middle one
    assert not follow(dumps[1:])[LEAK.key()].accumulating and follow(dumps[1:])[LEAK.key()].kept_growing
    pool = follow(dumps)[POOL.key()]
    assert not pool.accumulating and not pool.kept_growing and pool.since_first == 8


def test_a_sigquit_dump_names_its_blocked_goroutines_without_a_verdict() -> None:
    report = analyse([load_file(str(ROOT / "go1.26" / "minutes.txt"))])
    assert report.verdict.verdict == "insufficient-data"
    assert report.fingerprint.long_wait_share is not None and report.fingerprint.long_wait_share > 0.5
    assert {s.level for s in report.suspects} == {"lead"}
    top = {s.location.function for s in report.suspects[:2] if s.location}
    assert top == {"main.orphanedSender", "main.waitForReply"}
    assert '"verdict"' in to_json(report)
    assert "blocked when the process got SIGQUIT" in to_text(report, color=False)


def test_the_leak_detector_marker_proves_a_leak() -> None:
    report = analyse([load_file(str(ROOT / "go1.27" / "goroutineleak.debug2.txt"))])
    assert report.verdict.verdict == "leaking"
    assert report.suspects[0].level == "leaking"


def test_a_global_deadlock_proves_its_goroutines_stuck() -> None:
    report = analyse([load_file(str(ROOT / "go1.26" / "deadlock.txt"))])
    assert report.verdict.verdict == "leaking"
    assert report.suspects[0].location is not None and report.suspects[0].location.function.startswith("main.")


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


CANCEL = Stack((Frame("context.withCancel", "/go/src/context/context.go", 1), Frame("main.mw", "/app/mw.go", 13)))


def heap(second: int, live: int) -> Snapshot:
    rec = HeapRecord(CANCEL, inuse_objects=live, inuse_bytes=80 * live)
    return Snapshot("h", "heap-pprof", T0 + timedelta(seconds=second), heap=(rec,))


def test_contexts_piling_up_while_goroutines_stay_flat_are_a_leak() -> None:
    # a cancel never called: +50 contexts a second, no goroutine parks
    snaps = [dump(i, range(1000, 1010)) for i in range(5)] + [heap(i, 14 + 50 * i) for i in range(5)]
    report = analyse(snaps)
    assert report.verdict.verdict == "leaking", report.verdict
    assert report.suspects[0].state == "live context.cancelCtx" and report.suspects[0].level == "leaking"


def test_contexts_of_load_arriving_are_not_a_leak() -> None:
    # load arrives: 300 more requests in flight, each holding its context, and they churn
    sizes = [0, 75, 150, 225, 300]
    dumps_, start = [], 2000
    for i, n in enumerate(sizes):
        dumps_.append(dump(i, range(start, start + n)))
        start += n
    snaps = dumps_ + [heap(i, 5 + n) for i, n in enumerate(sizes)]
    report = analyse(snaps)
    assert report.verdict.verdict in ("healthy", "insufficient-data"), report.verdict
    assert report.suspects == ()


def test_keep_alive_handlers_reused_across_requests_are_not_survivors() -> None:
    # closed-loop clients on keep-alive connections, their number ramping from 5 to 20 over five
    # minutes: the same connection goroutines serve request after request and park at the same
    # line between them; the runtime's wait stamp (minutes) restarts every time they run
    series = []
    for i in range(11):
        n = 5 + (15 * i) // 10
        g = group(LEAK, "select", range(1000, 1000 + n), minutes=0)
        series.append(Snapshot("d", "goroutine-text", T0 + timedelta(seconds=30 * i), n, (g,)))
    report = analyse(series)
    assert report.verdict.verdict in ("healthy", "insufficient-data", "suspect"), report.verdict
    assert all(s.level != "leaking" for s in report.suspects)
    sv = follow(series)[LEAK.key()]
    assert sv.since_first == 0 and not sv.accumulating
    # the same goroutines really stuck all along carry the minutes: a leak
    stuck = [
        replace(s, groups=(replace(s.groups[0], id_minutes=pack([i // 2] * s.groups[0].count)),))
        for i, s in enumerate(series)
    ]
    assert analyse(stuck).verdict.verdict == "leaking"


def test_idle_connections_piling_up_are_parked_not_leaking() -> None:
    conn = Stack(
        (
            Frame("internal/poll.runtime_pollWait", "/go/src/runtime/netpoll.go", 1),
            Frame("net.(*conn).Read", "/go/src/net/net.go", 2),
            Frame("net/http.(*conn).serve", "/go/src/net/http/server.go", 3),
        )
    )
    series = []
    for i in range(11):
        n = 10 + 3 * i
        g = GoroutineGroup(
            conn, n, states=(("IO wait", n),), ids=pack(range(500, 500 + n)), id_minutes=pack([i // 2] * n)
        )
        series.append(Snapshot("d", "goroutine-text", T0 + timedelta(seconds=30 * i), n, (g,)))
    report = analyse(series)
    assert report.verdict.verdict == "healthy", report.verdict
    assert [p.kind for p in report.parked] == ["idle connection"]


def test_orphaned_senders_that_stopped_piling_up_are_still_a_suspect() -> None:
    # the leak stopped with the load: 60 senders whose creator (goroutine 77) is gone stay parked
    series = [
        Snapshot(
            "d",
            "goroutine-text",
            T0 + timedelta(seconds=5 * i),
            61,
            (group(LEAK, "chan send", range(1000, 1060), parent=77), group(MAIN, "select", range(1, 2), 0)),
        )
        for i in range(6)
    ]
    report = analyse(series)
    assert report.verdict.verdict == "suspect", report.verdict
    assert report.suspects[0].level == "suspect" and "creators are gone" in " ".join(report.suspects[0].reasons)


def test_a_slow_context_leak_that_never_falls_is_a_suspect() -> None:
    # one cancelCtx every 5 s for five minutes: 60 objects, short of a leak's 100, never down
    snaps = [dump(5 * i, range(1000, 1010)) for i in range(0, 61, 10)]
    snaps += [heap(5 * i, 1 + i) for i in range(61)]
    report = analyse(snaps)
    assert report.verdict.verdict == "suspect", report.verdict
    assert report.suspects[0].state == "live context.cancelCtx" and "never fell" in " ".join(report.suspects[0].reasons)


def test_a_restart_in_the_window_is_noticed_and_only_the_new_process_judged() -> None:
    # a steady service restarted after 20 s: the goroutine IDs start again from scratch, and
    # the heap's allocation totals (counted since the process started) fall
    def heap_at(second: int, allocated: int) -> Snapshot:
        rec = HeapRecord(CANCEL, inuse_objects=10, inuse_bytes=800, alloc_objects=allocated, alloc_bytes=80 * allocated)
        return Snapshot("h", "heap-pprof", T0 + timedelta(seconds=second), heap=(rec,))

    snaps = []
    for i in range(10):
        first = 1000 if i < 4 else 10  # the new process numbers its goroutines from low IDs again
        snaps.append(dump(5 * i, range(first + 5 * i, first + 5 * i + 50)))
        snaps.append(heap_at(5 * i, 1000 * (i + 1) if i < 4 else 100 * (i + 1)))
    report = analyse(snaps)
    assert report.verdict.reasons[0].startswith("the process restarted before 00:00:20")
    assert report.snapshots == tuple(sorted(snaps, key=lambda s: s.time.timestamp() if s.time else 0))
    assert all(s.level != "leaking" for s in report.suspects)
