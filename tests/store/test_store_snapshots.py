"""Snapshots through the store: exact round trips of real dumps, stacks stored once, compactness."""

from __future__ import annotations

import dataclasses
from datetime import timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from ctxguard.runtime.load import load_file
from ctxguard.runtime.model import Snapshot
from ctxguard.store.db import Store
from ctxguard.store.model import Target
from ctxguard.store.schema import group_details, shapes, stacks

from storekit import T0, TESTDATA, debug1, minutes

# every goroutine dump, debug=1 profile and heap profile the decoders have fixtures for
FIXTURES = sorted(
    p
    for version in ("go1.19", "go1.24", "go1.27")
    for p in (TESTDATA / version).iterdir()
    if p.is_file() and p.suffix in (".txt", ".gz") and p.name not in ("RUN.txt",) and "sched" not in p.name
)


def without_sched(snap: Snapshot) -> Snapshot:
    return dataclasses.replace(snap, sched=())


def count(store: Store, table: object) -> int:
    with store._read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_fixtures_found() -> None:
    names = {p.name for p in FIXTURES}
    assert {"goroutine.debug1.txt", "goroutine.debug2.txt", "heap.pb.gz", "crash.txt"} <= names
    assert len(FIXTURES) > 30


def test_round_trip_of_real_dumps(store: Store, target: Target) -> None:
    assert target.id is not None
    originals = [without_sched(load_file(str(p))) for p in FIXTURES]
    # distinct times, so the window's order is the order written
    originals = [dataclasses.replace(s, time=T0 + timedelta(seconds=i)) for i, s in enumerate(originals)]
    for snap in originals:
        store.add_snapshot(target.id, snap)
    # a second Store: nothing may come from the writer's caches
    with Store.open(store_url(store), migrate=False) as fresh:
        back = fresh.window(target.id)
    assert len(back) == len(originals)
    for path, a, b in zip(FIXTURES, originals, back, strict=True):
        assert b == a, path
        assert b.time is not None and b.time.utcoffset() == timedelta(0)
    kinds = {s.format for s in back}
    assert {"goroutine-text", "goroutine-debug1", "goroutine-pprof", "heap-pprof"} <= kinds
    assert any(s.has_ids for s in back) and any(s.heap for s in back) and any(s.crash for s in back)


def store_url(store: Store) -> str:
    return store._engine.url.render_as_string(hide_password=False)


def test_round_trip_of_edge_cases(store: Store, target: Target) -> None:
    assert target.id is not None
    base = debug1(T0, groups=3)
    g = base.groups[0]
    cases = [
        dataclasses.replace(base, time=None),  # no time of its own
        dataclasses.replace(base, groups=(), goroutines=0, truncated=True, crash="fatal", notes=("a", "b")),
        dataclasses.replace(base, groups=(g, g)),  # one shape twice
        dataclasses.replace(base, groups=(dataclasses.replace(g, locked=2, leaked=3, count=2**40),)),
        dataclasses.replace(base, time=T0.astimezone(timezone(timedelta(hours=5)))),  # equal once in UTC
    ]
    for i, snap in enumerate(cases):
        sid = store.add_snapshot(target.id, snap)
        assert sid > 0, i
    back = store.window(target.id)
    timeless = [s for s in back if s.time is None]
    assert timeless == [cases[0]]
    for snap in cases[1:]:
        assert snap in back


def test_stacks_stored_once(store: Store, target: Target) -> None:
    assert target.id is not None
    dump = load_file(str(TESTDATA / "go1.27" / "goroutine.debug2.txt"))
    heap = load_file(str(TESTDATA / "go1.27" / "heap.pb.gz"))
    store.add_snapshot(target.id, dump)
    store.add_snapshot(target.id, heap)
    before = (count(store, stacks), count(store, shapes))
    for i in range(3):
        store.add_snapshot(target.id, dataclasses.replace(dump, time=T0 + minutes(i + 1)))
        store.add_snapshot(target.id, dataclasses.replace(heap, time=T0 + minutes(i + 1)))
    # and through another Store, whose caches start empty
    with Store.open(store_url(store)) as other:
        other.add_snapshot(target.id, dataclasses.replace(dump, time=T0 + minutes(9)))
    assert (count(store, stacks), count(store, shapes)) == before
    assert before[0] <= len({g.stack for g in dump.groups} | {h.stack for h in heap.heap})
    assert count(store, group_details) == 5 * sum(1 for g in dump.groups if g.ids)
    assert store.snapshot_count(target.id) == 9


def test_window_since_and_limit(store: Store, target: Target) -> None:
    assert target.id is not None
    snaps = [debug1(T0 + minutes(i), scale=i + 1) for i in range(10)]
    for s in reversed(snaps):  # written out of order: the window is by time
        store.add_snapshot(target.id, s)
    assert store.window(target.id) == snaps
    assert store.window(target.id, since=T0 + minutes(7)) == snaps[7:]
    assert store.window(target.id, limit=3) == snaps[-3:]
    assert store.window(target.id, since=T0 + minutes(2), limit=20) == snaps[2:]
    assert store.window(target.id + 1000) == []


def test_stats(store: Store, target: Target) -> None:
    assert target.id is not None
    store.add_snapshot(target.id, debug1(T0))
    stats = store.stats()
    assert (stats.targets, stats.snapshots, stats.stacks, stats.incidents_open) == (1, 1, 30, 0)
    assert stats.size_bytes > 0


def snapshot_bytes(store: Store, n: int, make: object) -> float:
    """Bytes the database grows by per snapshot (table and indexes), over n snapshots."""

    def size() -> int:
        with store._write() as conn:
            if store.dialect == "postgresql":
                q = "SELECT pg_total_relation_size('snapshots') + pg_total_relation_size('group_details')"
                return int(conn.execute(text(q)).scalar_one())
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
            free = conn.exec_driver_sql("PRAGMA freelist_count").scalar_one()
            return (int(pages) - int(free)) * int(conn.exec_driver_sql("PRAGMA page_size").scalar_one())

    [t] = store.upsert_targets([Target("http://size:1")])
    assert t.id is not None
    store.add_snapshot(t.id, make(0))  # type: ignore[operator]  # stacks and shapes: not per snapshot
    before = size()
    for i in range(1, n + 1):
        store.add_snapshot(t.id, make(i))  # type: ignore[operator]
    if store.dialect == "postgresql":
        with store._engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM snapshots")
    return (size() - before) / n


@pytest.mark.parametrize("kind", ["debug1", "debug2", "heap"])
def test_bytes_per_snapshot(store: Store, kind: str, record_property: object) -> None:
    if kind == "debug1":
        per = snapshot_bytes(store, 400, lambda i: debug1(T0 + timedelta(seconds=30 * i), scale=1 + i % 7))
        limit = 400  # 30 groups: one row of packed numbers, stacks elsewhere
    elif kind == "debug2":
        dump = load_file(str(TESTDATA / "go1.27" / "goroutine.debug2.txt"))  # 90 goroutines, 21 groups
        per = snapshot_bytes(store, 40, lambda i: dataclasses.replace(dump, time=T0 + timedelta(minutes=i)))
        limit = 6000
    else:
        heap = load_file(str(TESTDATA / "go1.27" / "heap.pb.gz"))  # 413 allocation sites
        per = snapshot_bytes(store, 20, lambda i: dataclasses.replace(heap, time=T0 + timedelta(minutes=i)))
        limit = 12000
    print(f"{store.dialect} {kind}: {per:.0f} bytes per snapshot")
    record_property(f"{store.dialect}-{kind}-bytes", round(per))  # type: ignore[operator]
    assert per < limit
