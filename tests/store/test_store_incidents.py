"""Incidents (one open per target and signature) and the actions taken for them."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from ctxguard.store.db import IncidentConflict, LeaseLost, Store, StoreError
from ctxguard.store.model import ActionRecord, Evidence, Incident, Target

from storekit import T0, minutes


def incident(target: Target, signature: str = "abcd1234abcd1234", **kw: object) -> Incident:
    assert target.id is not None
    base = Incident(
        target_id=target.id,
        target=target.url,
        labels=target.labels,
        signature=signature,
        level="L2",
        state="open",
        opened_at=T0,
        updated_at=T0,
        deadline_at=T0 + timedelta(hours=4),
        function="main.worker",
        file="/src/main.go",
        line=42,
        verdict="leaking",
        evidence="grows 3.2/min; 80% of goroutines",
        numbers=Evidence(goroutines=800, total=1000, rate_per_min=3.2, share=0.8, heap_share=0.1, snapshots=40),
    )
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def test_insert_update_list_resolve(store: Store, target: Target) -> None:
    inc = store.save_incident(incident(target))
    assert inc.id is not None
    assert store.incident(inc.id) == inc
    assert store.open_incident(inc.target_id, inc.signature) == inc
    later = dataclasses.replace(inc, level="L1", updated_at=T0 + minutes(5), bundle="/var/lib/b/1")
    assert store.save_incident(later) == later
    assert store.incident(inc.id) == later
    other = store.save_incident(incident(target, "ffff0000ffff0000", opened_at=T0 + minutes(1)))
    assert [i.id for i in store.incidents()] == [other.id, inc.id]  # newest first
    assert store.incidents(state="resolved") == []
    assert store.incidents(target_id=inc.target_id, limit=1) == [other]
    done = dataclasses.replace(later, state="resolved", resolved_at=T0 + minutes(30))
    store.save_incident(done)
    assert store.open_incident(inc.target_id, inc.signature) is None
    assert store.incidents(state="resolved") == [done]
    assert store.stats().incidents_open == 1
    assert store.incident(10_000) is None
    with pytest.raises(StoreError, match="no incident 10000"):
        store.save_incident(dataclasses.replace(inc, id=10_000))


def test_one_open_incident_per_key_and_reopen(store: Store, target: Target) -> None:
    first = store.save_incident(incident(target))
    with pytest.raises(IncidentConflict, match=f"incident {first.id} is already open"):
        store.save_incident(incident(target, opened_at=T0 + minutes(1)))
    store.save_incident(dataclasses.replace(first, state="resolved", resolved_at=T0 + minutes(2)))
    second = store.save_incident(incident(target, opened_at=T0 + minutes(3)))  # the leak is back
    assert second.id != first.id
    third = store.save_incident(dataclasses.replace(second, state="resolved", resolved_at=T0 + minutes(4)))
    # two resolved incidents for one key may coexist; reopening the first clashes with none open
    assert store.save_incident(dataclasses.replace(first, state="open", resolved_at=None)).state == "open"
    with pytest.raises(IncidentConflict):
        store.save_incident(dataclasses.replace(third, state="open", resolved_at=None))
    assert [i.id for i in store.incidents(state="resolved")] == [third.id]


def test_actions(store: Store, target: Target) -> None:
    inc = store.save_incident(incident(target))
    assert inc.id is not None
    outcomes = ["sent", "failed", "rate-limited", "dry-run", "refused", "sent"]
    recorded = [
        store.record_action(ActionRecord(inc.id, "slack", "oncall", T0 + minutes(i), outcome, detail=f"#{i}"))
        for i, outcome in enumerate(outcomes)
    ]
    assert all(a.id is not None for a in recorded)
    store.record_action(ActionRecord(inc.id, "webhook", "other", T0 + minutes(9), "sent"))
    assert store.actions(inc.id)[: len(recorded)] == recorded
    assert store.actions_since("oncall", T0) == 4  # attempts only: not the rate-limited nor the refused
    assert store.actions_since("oncall", T0, outcomes=None) == 6
    assert store.actions_since("oncall", T0 + minutes(3)) == 2
    assert store.actions_since("nobody", T0) == 0
    assert store.actions(inc.id + 1) == []


def test_incident_writes_are_fenced_by_the_lease(store: Store, target: Target) -> None:
    assert target.id is not None
    assert store.lease("a", timedelta(seconds=30), 10) == [target.id]
    saved = store.save_incident(incident(target), agent="a")
    with pytest.raises(LeaseLost, match="agent b holds no lease"):
        store.save_incident(dataclasses.replace(saved, level="L3"), agent="b")
    assert store.incident(saved.id or 0) == saved  # b's write left nothing behind
    store.save_incident(dataclasses.replace(saved, level="L3"))  # unfenced: single-agent stores
