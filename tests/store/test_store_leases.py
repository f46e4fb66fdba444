"""Leases: agents share targets without a coordinator, and a stale agent's writes are fenced off."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest

from ctxguard.store.db import LeaseLost, Store, StoreError
from ctxguard.store.model import Target

from storekit import T0, debug1

TTL = timedelta(seconds=30)


def targets(store: Store, n: int) -> list[int]:
    ids = [t.id for t in store.upsert_targets([Target(f"http://10.0.1.{i}:6060") for i in range(n)])]
    assert all(i is not None for i in ids)
    return [i for i in ids if i is not None]


def test_lease_fences_writes(store: Store) -> None:
    [tid] = targets(store, 1)
    assert store.lease("a", timedelta(milliseconds=600), 10) == [tid]
    assert store.lease("b", TTL, 10) == []  # held by a
    assert store.holders()[tid][0] == "a"
    store.add_snapshot(tid, debug1(T0), agent="a")
    with pytest.raises(LeaseLost, match="agent b holds no lease on target"):
        store.add_snapshot(tid, debug1(T0), agent="b")
    time.sleep(0.7)  # a's lease expires; a does not renew
    with pytest.raises(LeaseLost):
        store.add_snapshot(tid, debug1(T0), agent="a")  # expired: fenced even before b takes it
    assert store.lease("b", TTL, 10) == [tid]
    with pytest.raises(LeaseLost) as lost:
        store.add_snapshot(tid, debug1(T0), agent="a")
    assert isinstance(lost.value, StoreError) and "\n" not in str(lost.value)
    store.add_snapshot(tid, debug1(T0), agent="b")
    assert store.snapshot_count(tid) == 2  # a's fenced writes left nothing behind
    assert store.lease("a", TTL, 10) == []  # a comes back: b holds it
    assert {a.id for a in store.agents()} == {"a", "b"}


def test_renew_release_and_limit(store: Store) -> None:
    ids = targets(store, 6)
    assert store.lease("a", TTL, 4) == ids[:4]
    first = store.holders()
    assert store.lease("a", TTL, 4) == ids[:4]  # renewed: the same targets
    assert all(store.holders()[i][1] >= first[i][1] for i in ids[:4])
    assert store.lease("b", TTL, 4) == ids[4:]
    assert store.lease("a", TTL, 2) == ids[:2]  # limit lowered: the rest let go at once
    assert set(store.lease("b", TTL, 4)) == {ids[2], ids[3], ids[4], ids[5]}
    assert store.release("a") == 2
    assert store.lease("c", TTL, 10) == ids[:2]
    # a target that leaves the fleet is not leased any more, and its holder lets it go
    store.upsert_targets([Target(f"http://10.0.1.{i}:6060") for i in range(1, 6)])
    assert store.lease("c", TTL, 10) == [ids[1]]
    assert ids[0] not in store.holders()
    assert {a.id for a in store.agents()} == {"b", "c"}


def run_agents(store: Store, agents: int, rounds: int, limit: int) -> dict[str, list[int]]:
    """Agents leasing at once from threads (their own connections), several rounds each."""
    held: dict[str, list[int]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(agents)

    def agent(name: str) -> Callable[[], None]:
        def run() -> None:
            try:
                start.wait()
                for _ in range(rounds):
                    held[name] = store.lease(name, TTL, limit)
            except BaseException as e:  # reported by the test, not lost in the thread
                errors.append(e)

        return run

    threads = [threading.Thread(target=agent(f"agent-{i}")) for i in range(agents)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors, errors
    return held


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_three_agents_split_thirty_targets(store: Store) -> None:
    ids = targets(store, 30)
    held = run_agents(store, 3, rounds=4, limit=10)
    flat = [i for h in held.values() for i in h]
    assert len(flat) == len(set(flat)), held  # disjoint
    assert sorted(flat) == sorted(ids)  # all covered
    assert {tid: agent for tid, (agent, _) in store.holders().items()} == {
        tid: name for name, h in held.items() for tid in h
    }


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_agents_racing_for_scarce_targets_never_share(store: Store) -> None:
    targets(store, 7)
    held = run_agents(store, 3, rounds=3, limit=7)
    flat = [i for h in held.values() for i in h]
    assert len(flat) == len(set(flat)) == 7


def test_shared_target_lists(store: Store) -> None:
    """Agents listing different targets for a while (a file_sd rollout) do not turn each other's
    off; a target nobody lists goes after `stale_after`. An agent leases only what it can scrape."""
    a = store.upsert_targets([Target("http://10.0.2.1:6060"), Target("http://10.0.2.2:6060")], stale_after=TTL)
    b = store.upsert_targets([Target("http://10.0.2.2:6060"), Target("http://10.0.2.3:6060")], stale_after=TTL)
    assert {t.url for t in store.targets()} == {f"http://10.0.2.{i}:6060" for i in (1, 2, 3)}
    store.upsert_targets([Target("http://10.0.2.2:6060")], stale_after=timedelta(0))
    assert {t.url for t in store.targets()} == {"http://10.0.2.2:6060"}  # nobody listed 1 and 3 since
    store.upsert_targets([*a, *b])
    mine = [t.id for t in a if t.id is not None]
    assert sorted(store.lease("a", TTL, 10, among=mine)) == sorted(mine)
    assert store.lease("b", TTL, 10, among=[t.id for t in b if t.id is not None]) == [b[1].id]
    assert store.lease("a", TTL, 10, among=mine[:1]) == mine[:1]  # no longer listed by a: let go
