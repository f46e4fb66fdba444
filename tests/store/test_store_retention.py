"""Retention: expiry, downsampling to one snapshot per series per bucket, unused stacks collected."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ctxguard.runtime.load import load_file
from ctxguard.runtime.model import Frame, GoroutineGroup, Snapshot, Stack
from ctxguard.store.db import Store
from ctxguard.store.model import Evidence, Incident, Target
from ctxguard.store.schema import stacks

from storekit import TESTDATA, debug1

HOUR = timedelta(hours=1)
KEEP = {"keep_raw": timedelta(hours=24), "keep_downsampled": timedelta(hours=48), "downsample_every": HOUR}


def prune_all(store: Store, now: datetime, max_rows: int) -> list[int]:
    rounds = []
    while (n := store.prune(now=now, max_rows=max_rows, **KEEP)) and len(rounds) < 100:
        rounds.append(n)
    return rounds


def odd_one(at: datetime) -> Snapshot:
    """A snapshot whose stack no other snapshot has."""
    stack = Stack((Frame("main.once", "/src/main.go", 1),))
    return Snapshot("http://once", "goroutine-debug1", at, 1, (GoroutineGroup(stack, 1),))


def test_expire_downsample_collect(store: Store) -> None:
    # in the future of the wall clock, so that retention's margins on last_seen are crossed
    now = datetime.now(UTC).replace(minute=7, second=0, microsecond=0) + timedelta(days=10)
    a, b = store.upsert_targets([Target("http://a:1"), Target("http://b:1")])
    assert a.id is not None and b.id is not None
    written: list[tuple[str, datetime]] = []
    for i in range(72 * 6):  # every 10 minutes for three days, plus a second series every 30
        at = now - timedelta(hours=72) + timedelta(minutes=10 * i)
        store.add_snapshot(a.id, debug1(at, groups=3))
        written.append(("g", at))
        if i % 3 == 0:
            store.add_snapshot(a.id, debug1(at, groups=3, source="http://heap"))
            written.append(("h", at))
    store.add_snapshot(a.id, odd_one(now - timedelta(hours=70)))
    # b has an open incident: its old dump (goroutine IDs) is evidence and stays
    dump = load_file(str(TESTDATA / "go1.27" / "goroutine.debug2.txt"))
    dump = dataclasses.replace(dump, time=now - timedelta(hours=70))
    store.add_snapshot(b.id, dump)
    store.add_snapshot(b.id, debug1(now - timedelta(hours=70), groups=3))
    inc = store.save_incident(
        Incident(
            b.id, b.url, (), "sig", "L2", "open", now, now, now, "f", "x.go", 1, "leaking", "", Evidence(1, 1, 0, 1)
        )
    )
    stacks_before = count_stacks(store)

    rounds = prune_all(store, now, max_rows=60)
    assert rounds and max(rounds) <= 60 + 10  # bounded work per call

    left = store.window(a.id)
    expire, raw = now - KEEP["keep_downsampled"], now - KEEP["keep_raw"]
    assert all(s.time is not None and s.time >= expire for s in left)
    times = [(s.source, s.time) for s in left]
    recent = [t for t in written if t[1] >= raw]
    assert len([t for t in times if t[1] is not None and t[1] >= raw]) == len(recent)  # raw: all kept
    kept: dict[tuple[str, int], list[datetime]] = defaultdict(list)
    for source, at in times:
        assert at is not None
        if at < raw:
            kept[("h" if "heap" in source else "g", int(at.timestamp()) // 3600)].append(at)
    first: dict[tuple[str, int], datetime] = {}
    for series, at in written:
        if expire <= at < raw:
            first.setdefault((series, int(at.timestamp()) // 3600), at)
    # one per series per hour, the first of the hour
    assert kept == {k: [v] for k, v in first.items()}

    # the odd stack went with its snapshot; the dump of b stayed, readable
    assert count_stacks(store) == stacks_before - 1
    [kept] = store.window(b.id)
    assert kept == dataclasses.replace(dump, sched=())
    assert prune_all(store, now, max_rows=60) == []  # nothing left to do

    store.save_incident(dataclasses.replace(inc, state="resolved", resolved_at=now))
    assert prune_all(store, now + 2 * HOUR, max_rows=1000) != []  # the margin on last_seen crossed
    assert store.window(b.id) == []
    assert count_stacks(store) == 3  # only debug1's three stacks are still in use


def count_stacks(store: Store) -> int:
    with store._read() as conn:
        return int(conn.execute(select(func.count()).select_from(stacks)).scalar_one())


def test_prune_keeps_what_is_recent(store: Store) -> None:
    [t] = store.upsert_targets([Target("http://a:1")])
    assert t.id is not None
    now = datetime.now(UTC)
    for i in range(5):
        store.add_snapshot(t.id, debug1(now - timedelta(minutes=i), groups=2))
    assert store.prune(now=now, **KEEP) == 0
    assert store.snapshot_count(t.id) == 5
    assert count_stacks(store) == 2
