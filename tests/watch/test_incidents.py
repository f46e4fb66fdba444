"""Incidents from verdicts: confirmed before opening, deduplicated, graded by the matrix, escalated, resolved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ctxguard.analysis.report import RuntimeReport, analyse
from ctxguard.runtime.model import Frame, GoroutineGroup, Snapshot, Stack
from ctxguard.store.model import Evidence, Target
from ctxguard.watch.config import DEFAULT_LEVELS, LevelRule
from ctxguard.watch.incidents import CONFIRM, Change, IncidentBook, grade

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
LEAK = Stack(
    (
        Frame("runtime.gopark", "/go/src/runtime/proc.go", 425),
        Frame("runtime.chansend1", "/go/src/runtime/chan.go", 161),
        Frame("main.(*quoteHandler).fetch.func1", "/src/quote/handler.go", 42),
    )
)
POOL = Stack(
    (
        Frame("runtime.gopark", "/go/src/runtime/proc.go", 425),
        Frame("runtime.chanrecv1", "/go/src/runtime/chan.go", 442),
        Frame("main.worker", "/src/quote/pool.go", 17),
    )
)


def snap(i: int, leaked: int, pool: int = 8) -> Snapshot:
    groups = [GoroutineGroup(POOL, pool)]
    if leaked:
        groups.append(GoroutineGroup(LEAK, leaked))
    return Snapshot(
        source="http://q:6060/debug/pprof/goroutine?debug=1",
        format="goroutine-debug1",
        time=T0 + timedelta(seconds=30 * i),
        goroutines=pool + leaked + 2,
        groups=tuple(groups),
    )


def judged(book: IncidentBook, report: RuntimeReport, now: datetime) -> list[Change]:
    """One evaluation as the agent runs it: these synthetic debug=1 series have no dumps (ids=False),
    and every change is stored, then recorded in the book."""
    changes = book.judge(target(), report, now, ids=False)
    for c in changes:
        book.record(c.incident)
    return changes


def target(env: str = "prod") -> Target:
    return Target("http://q:6060", (("env", env), ("service", "quote")), id=7)


def test_opens_after_confirmation_then_updates_and_resolves() -> None:
    book = IncidentBook(DEFAULT_LEVELS, "env", resolve_after_s=300, confirm_s=60)
    window: list[Snapshot] = []
    events = []
    for i in range(12):
        window.append(snap(i, 20 * (i + 1)))
        changes = judged(book, analyse(window[-10:]), T0 + timedelta(seconds=30 * i))
        events += [(i, c.event) for c in changes]
    opened = [i for i, e in events if e == "opened"]
    assert len(opened) == 1, events  # deduplicated: one incident for the stack, however long it grows
    inc = next(iter(book.open.values()))
    assert (inc.function, inc.file, inc.line) == ("main.(*quoteHandler).fetch.func1", "/src/quote/handler.go", 42)
    assert inc.numbers.goroutines == 240 and inc.numbers.rate_per_min > 30
    assert all(e in ("updated", "escalated") for i, e in events if i > opened[0])
    # the leak is fixed: the stack drains; the incident resolves once quiet for resolve-after
    resolved_at = None
    for j in range(12, 40):
        window.append(snap(j, 0))
        now = T0 + timedelta(seconds=30 * j)
        for c in judged(book, analyse(window[-10:]), now):
            if c.event == "resolved":
                resolved_at = j
                assert c.incident.state == "resolved" and c.incident.resolved_at == now
    assert resolved_at is not None and not book.open
    assert resolved_at - 12 == 300 / 30  # quiet for resolve-after since the stack drained (round 12), no longer


def test_needs_confirmation_streak() -> None:
    book = IncidentBook(DEFAULT_LEVELS, "env", resolve_after_s=300, confirm_s=60)
    window = [snap(i, 20 * (i + 1)) for i in range(6)]
    report = analyse(window)
    assert any(s.level == "leaking" for s in report.suspects)
    for k in range(CONFIRM - 1):
        assert judged(book, report, T0 + timedelta(minutes=k)) == []
    # a quiet evaluation breaks the streak
    assert judged(book, analyse([snap(i, 5) for i in range(6)]), T0 + timedelta(minutes=5)) == []
    for k in range(CONFIRM - 1):
        assert judged(book, report, T0 + timedelta(minutes=6 + k)) == []
    assert [c.event for c in judged(book, report, T0 + timedelta(minutes=9))] == ["opened"]


def test_steady_service_never_opens() -> None:
    book = IncidentBook(DEFAULT_LEVELS, "env", resolve_after_s=300, confirm_s=60)
    window: list[Snapshot] = []
    noise = [0, 3, 1, 4, 2, 0, 5, 1, 3, 2, 4, 0]
    for i in range(200):
        window.append(snap(i, 10 + noise[i % len(noise)], pool=8 + noise[(i * 7) % len(noise)]))
        assert judged(book, analyse(window[-30:]), T0 + timedelta(seconds=30 * i)) == []


def ev(share: float = 0.0, rate: float = 0.0, heap_share: float = 0.0) -> Evidence:
    return Evidence(
        goroutines=max(int(share * 1000), 1), total=1000, rate_per_min=rate, share=share, heap_share=heap_share
    )


def test_grade_matrix() -> None:
    assert grade(DEFAULT_LEVELS, "prod", ev(share=0.6), 0).level == "L3"
    assert grade(DEFAULT_LEVELS, "prod", ev(rate=700), 0).level == "L3"
    assert grade(DEFAULT_LEVELS, "prod", ev(heap_share=0.3), 0).level == "L2"
    assert grade(DEFAULT_LEVELS, "prod", ev(share=0.01, rate=1), 7200).level == "L2"  # open for two hours
    assert grade(DEFAULT_LEVELS, "prod", ev(share=0.01, rate=1), 60).level == "L1"
    assert grade(DEFAULT_LEVELS, "staging", ev(share=0.9, rate=5000), 0).level == "L1"  # not production
    custom = (LevelRule("L3", 10, env=(), rate=100), LevelRule("L1", 300))
    assert grade(custom, "", ev(rate=150), 0).level == "L3"


def test_escalates_and_moves_the_deadline() -> None:
    levels = (LevelRule("L3", 30, rate=1000), LevelRule("L2", 90, rate=100), LevelRule("L1", 300))
    book = IncidentBook(levels, "env", resolve_after_s=300, confirm_s=60)
    window: list[Snapshot] = []
    seen = []
    for i in range(14):
        window.append(snap(i, sum(20 if k < 7 else 700 for k in range(i + 1))))  # the leak speeds up at 7
        for c in judged(book, analyse(window[-8:]), T0 + timedelta(seconds=30 * i)):
            seen.append((c.event, c.incident.level, c.incident.deadline_at - c.incident.updated_at))
    assert seen[0][:2] == ("opened", "L1")
    escalations = [s for s in seen if s[0] == "escalated"]
    assert escalations and escalations[-1][1] == "L3"
    assert escalations[-1][2] == timedelta(seconds=30)  # a fresh response deadline at the new level
    levels_seen = [lv for _, lv, _ in seen]
    assert levels_seen == sorted(levels_seen)  # never de-escalates while open


def test_a_leak_the_trend_stops_seeing_stays_open_while_its_goroutines_stay() -> None:
    """A slow leak on a large count: the rise soon hides in the counting noise of a window,
    but the goroutines never leave, so the incident stays open until they drain."""
    book = IncidentBook(DEFAULT_LEVELS, "env", resolve_after_s=300, confirm_s=60)
    window: list[Snapshot] = []
    events = []
    for i in range(240):  # two hours at 30 s
        window.append(snap(i, 40 * (i + 1) if i < 10 else 400 + i // 4))
        events += [(i, c.event) for c in judged(book, analyse(window[-30:]), T0 + timedelta(seconds=30 * i))]
    assert [e for _, e in events].count("opened") == 1 and "resolved" not in [e for _, e in events], events
    assert book.open


def test_with_dumps_a_trend_alone_opens_nothing() -> None:
    """A target that serves debug=2: no incident until goroutines followed by ID stay."""
    book = IncidentBook(DEFAULT_LEVELS, "env", resolve_after_s=300, confirm_s=60)
    report = analyse([snap(i, 20 * (i + 1)) for i in range(8)])
    assert any(s.level == "leaking" and s.survival is None for s in report.suspects)
    for k in range(10):
        assert book.judge(target(), report, T0 + timedelta(minutes=k), ids=True) == []


def test_a_heap_sites_object_rate_is_not_a_goroutine_rate() -> None:
    heap_leak = Evidence(goroutines=0, total=40, rate_per_min=5000.0, share=0.0, heap_share=0.01, held=900)
    assert grade(DEFAULT_LEVELS, "prod", heap_leak, 0).level == "L1"
    assert grade(DEFAULT_LEVELS, "prod", Evidence(0, 40, 5000.0, 0.0, heap_share=0.6, held=900), 0).level == "L3"
