"""Leases on targets for agents sharing one database: each agent scrapes the targets it holds, fenced."""

from __future__ import annotations

import os
import socket
from collections.abc import Collection

from sqlalchemy import BigInteger, ColumnElement, delete, literal, or_, select, true, update
from sqlalchemy.engine import Connection

from ctxguard.store.schema import agents, targets
from ctxguard.store.snapshots import Upsert

t = targets


def lease(
    conn: Connection,
    insert: Upsert,
    now: ColumnElement[int],
    agent: str,
    ttl_us: int,
    limit: int,
    among: Collection[int] | None = None,
) -> list[int]:
    """Renew the agent's own leases (up to `limit`), drop the rest, then take free or expired
    targets up to `limit`; returns the target ids held now.

    On PostgreSQL the taking skips rows another transaction holds (FOR UPDATE SKIP LOCKED), so
    agents leasing at once never wait for each other nor take the same target; a target whose
    holder is writing a snapshot (share-locked by the fence) is taken in a later round, after
    that write committed. `now` is the database's clock.
    """
    heartbeat(conn, insert, now, agent)
    until = now + literal(ttl_us, BigInteger)
    # `among`: the targets this agent can scrape (its own list); it neither keeps nor takes others
    known = t.c.id.in_(sorted(among)) if among is not None else true()
    own = select(t.c.id).where(t.c.lease_owner == agent, t.c.active, known).order_by(t.c.id).limit(limit)
    # The owner is re-checked in the outer WHERE: if another agent took the row after this
    # statement's snapshot, PostgreSQL re-evaluates it on the new row version and skips it.
    held = {
        r[0]
        for r in conn.execute(
            update(t)
            .where(t.c.id.in_(own), t.c.lease_owner == agent, t.c.active)
            .values(lease_until=until)
            .returning(t.c.id)
        )
    }
    # over the limit (the limit went down) or deactivated: let them go now rather than at expiry
    conn.execute(
        update(t).where(t.c.lease_owner == agent, t.c.id.not_in(held)).values(lease_owner=None, lease_until=None)
    )
    if len(held) < limit:
        free = or_(t.c.lease_owner.is_(None), t.c.lease_until <= now)
        take = (
            select(t.c.id)
            .where(t.c.active, free, known)
            .order_by(t.c.id)
            .limit(limit - len(held))
            .with_for_update(skip_locked=True)  # not rendered on SQLite, where writers are serialised anyway
        )
        taken = conn.execute(
            update(t).where(t.c.id.in_(take), free).values(lease_owner=agent, lease_until=until).returning(t.c.id)
        )
        held.update(r[0] for r in taken)
    return sorted(held)


def heartbeat(conn: Connection, insert: Upsert, now: ColumnElement[int], agent: str) -> None:
    ins = insert(agents).values(id=agent, host=socket.gethostname(), pid=os.getpid(), started_at=now, last_seen=now)
    conn.execute(
        ins.on_conflict_do_update(
            index_elements=[agents.c.id],
            set_={"last_seen": ins.excluded.last_seen, "host": ins.excluded.host, "pid": ins.excluded.pid},
        )
    )


def release(conn: Connection, agent: str) -> int:
    """Give back every lease the agent holds (clean shutdown); returns how many."""
    n = conn.execute(update(t).where(t.c.lease_owner == agent).values(lease_owner=None, lease_until=None)).rowcount
    conn.execute(delete(agents).where(agents.c.id == agent))
    return n


def fenced(conn: Connection, now: ColumnElement[int], target_id: int, agent: str) -> bool:
    """Whether the agent holds an unexpired lease on the target; on PostgreSQL the row stays
    share-locked until the transaction ends, so no other agent can take the lease meanwhile."""
    q = (
        select(t.c.id)
        .where(t.c.id == target_id, t.c.lease_owner == agent, t.c.lease_until > now)
        .with_for_update(read=True)
    )
    return conn.execute(q).first() is not None


def holders(conn: Connection, now: ColumnElement[int]) -> dict[int, tuple[str, int]]:
    q = select(t.c.id, t.c.lease_owner, t.c.lease_until).where(t.c.lease_owner.is_not(None), t.c.lease_until > now)
    return {r.id: (r.lease_owner, r.lease_until) for r in conn.execute(q.order_by(t.c.id))}
