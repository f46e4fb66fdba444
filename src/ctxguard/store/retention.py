"""Retention: expire old snapshots, thin the middle-aged ones to one per bucket, collect unused stacks and shapes."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy import delete, exists, select, update
from sqlalchemy.engine import Connection

from ctxguard.store import codec
from ctxguard.store.schema import incidents, shapes, snapshots, stacks, targets
from ctxguard.store.snapshots import TOUCH_US

Tx = Callable[[], AbstractContextManager[Connection]]
_CHUNK = 400


@dataclass(frozen=True)
class Policy:
    now_us: int
    expire_us: int  # snapshots before this go (keep_downsampled)
    raw_us: int  # snapshots before this are thinned (keep_raw)
    every_us: int  # one snapshot per series per bucket this long


def prune(tx: Tx, policy: Policy, max_rows: int) -> int:
    """Delete at most about `max_rows` rows (each target in its own short transaction);
    returns the rows deleted. Call again while it returns a positive number to finish."""
    with tx() as conn:
        # Dumps (snapshots with goroutine IDs) of a target with an open incident are its
        # evidence: retention leaves them until the incident resolves.
        guarded = set(conn.scalars(select(incidents.c.target_id).where(incidents.c.state == "open").distinct()))
        todo = conn.execute(select(targets.c.id, targets.c.downsampled_until).order_by(targets.c.id)).all()
    deleted = 0
    for target_id, watermark in todo:
        if deleted >= max_rows:
            return deleted
        with tx() as conn:
            deleted += _expire(conn, policy, target_id, target_id in guarded, max_rows - deleted)
        if deleted < max_rows and policy.every_us > 0:
            with tx() as conn:
                deleted += _thin(conn, policy, target_id, watermark, target_id in guarded, max_rows - deleted)
    if deleted < max_rows:
        with tx() as conn:
            deleted += _collect(conn, policy, guarded, max_rows - deleted)
    return deleted


def _delete(conn: Connection, ids: list[int]) -> int:
    for i in range(0, len(ids), _CHUNK):
        conn.execute(delete(snapshots).where(snapshots.c.id.in_(ids[i : i + _CHUNK])))
    return len(ids)


def _expire(conn: Connection, policy: Policy, target_id: int, guarded: bool, budget: int) -> int:
    q = select(snapshots.c.id).where(snapshots.c.target_id == target_id, snapshots.c.at < policy.expire_us)
    if guarded:
        q = q.where(snapshots.c.details == 0)
    return _delete(conn, list(conn.scalars(q.order_by(snapshots.c.at).limit(budget))))


def _thin(conn: Connection, policy: Policy, target_id: int, watermark: int | None, guarded: bool, budget: int) -> int:
    """Keep the first snapshot of each (series, bucket) between expiry and keep_raw.

    Buckets are aligned on the epoch, so calls agree on them; the target's watermark
    remembers where thinning got to, so each call only reads what aged since the last."""
    every = policy.every_us
    lo = max(watermark or policy.expire_us, policy.expire_us) // every * every
    hi = policy.raw_us // every * every  # complete buckets only
    if hi <= lo:
        return 0
    rows = conn.execute(
        select(snapshots.c.id, snapshots.c.source_id, snapshots.c.at, snapshots.c.details)
        .where(snapshots.c.target_id == target_id, snapshots.c.at >= lo, snapshots.c.at < hi)
        .order_by(snapshots.c.at, snapshots.c.id)
        .limit(budget * 8 + 1024)  # bounded reading too; the watermark resumes the rest
    ).all()
    kept: set[tuple[int, int]] = set()
    doomed: list[int] = []
    done = hi
    for r in rows:
        bucket = r.at // every
        if len(doomed) >= budget:
            done = bucket * every  # this bucket is not finished: resume at its start
            break
        if (r.source_id, bucket) not in kept:
            kept.add((r.source_id, bucket))
        elif not (guarded and r.details):
            doomed.append(r.id)
    else:
        if len(rows) == budget * 8 + 1024 and rows:
            done = rows[-1].at // every * every
    _delete(conn, doomed)
    conn.execute(update(targets).where(targets.c.id == target_id).values(downsampled_until=done))
    return len(doomed)


def _collect(conn: Connection, policy: Policy, guarded: set[int], budget: int) -> int:
    """Delete shapes and stacks no snapshot can still refer to.

    Writes bump a shape's or stack's last_seen at least every TOUCH_US, so one not seen since
    before expiry (less that margin) is in no kept snapshot, except in dumps kept for an open
    incident: touch those first (as if seen at expiry: collected soon after it resolves)."""
    if guarded:
        _touch_guarded(conn, policy, guarded)
    cut = policy.expire_us - TOUCH_US
    deleted = 0
    old = list(conn.scalars(select(shapes.c.id).where(shapes.c.last_seen < cut).limit(budget)))
    for i in range(0, len(old), _CHUNK):
        # last_seen re-checked: a writer may have used the shape since the SELECT
        stmt = delete(shapes).where(shapes.c.id.in_(old[i : i + _CHUNK]), shapes.c.last_seen < cut)
        deleted += conn.execute(stmt).rowcount
    unused = ~exists().where(shapes.c.stack_id == stacks.c.id)
    old = list(conn.scalars(select(stacks.c.id).where(stacks.c.last_seen < cut, unused).limit(budget - deleted)))
    for i in range(0, len(old), _CHUNK):
        stmt = delete(stacks).where(stacks.c.id.in_(old[i : i + _CHUNK]), stacks.c.last_seen < cut, unused)
        deleted += conn.execute(stmt).rowcount
    return deleted


def _touch_guarded(conn: Connection, policy: Policy, guarded: set[int]) -> None:
    rows = conn.execute(
        select(snapshots.c.groups, snapshots.c.heap).where(
            snapshots.c.target_id.in_(sorted(guarded)),
            snapshots.c.details > 0,
            snapshots.c.at < policy.expire_us + TOUCH_US,
        )
    ).all()
    shape_ids: set[int] = set()
    stack_ids: set[int] = set()
    for groups, heap in rows:
        shape_ids.update(codec.decode_ints(groups)[::4] if groups else ())
        stack_ids.update(codec.decode_ints(heap)[::5] if heap else ())
    for table, ids in ((shapes, sorted(shape_ids)), (stacks, sorted(stack_ids))):
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            # never lower a last_seen: writers trust the one they set for TOUCH_US
            stmt = update(table).where(table.c.id.in_(chunk), table.c.last_seen < policy.expire_us)
            conn.execute(stmt.values(last_seen=policy.expire_us))
