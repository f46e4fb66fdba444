"""The Store: targets, snapshots, incidents, actions and leases in SQLite (default) or PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from alembic.util.exc import CommandError
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Engine,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ctxguard.runtime.model import Snapshot
from ctxguard.store import codec, leases, migrate, retention
from ctxguard.store.engine import engine as make_engine
from ctxguard.store.errors import IncidentConflict, LeaseLost, StoreError, guard, mask
from ctxguard.store.incidents import COUNTED_OUTCOMES, action_from, action_values, incident_from, incident_values
from ctxguard.store.model import ActionRecord, Agent, Incident, StoreStats, Target
from ctxguard.store.schema import actions, agents, incidents, snapshots, stacks, targets
from ctxguard.store.snapshots import SnapshotCodec

__all__ = ["IncidentConflict", "LeaseLost", "Store", "StoreError"]


class Store:
    """One database, shared by threads (each call checks a connection out of the pool).

    Every write is one committed transaction, so a kill -9 loses at most the write in flight.
    """

    def __init__(self, engine: Engine, db: str) -> None:
        self._engine = engine
        self.db = db  # the URL, password masked: safe to print
        self.dialect = engine.dialect.name
        self._insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        self._codec = SnapshotCodec(self.dialect, db)

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Open `sqlite:///path` (a bare path works too) or `postgresql://user@host:port/db`.

        With migrate=False a schema behind this ctxguard's is an error, not an upgrade."""
        store = cls(make_engine(url), mask(url))
        try:
            if migrate:
                store.migrate()
            else:
                current, head = store.revision()
                if current != head:
                    raise StoreError(
                        f"{store.db}: schema at revision {current or 'none (empty database)'}, "
                        f"this ctxguard needs {head}: run `ctxguard db upgrade`"
                    )
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> None:
        """Upgrade the schema to this ctxguard's head (idempotent)."""
        current, head = self.revision()
        if current == head:
            return
        with self._write("cannot upgrade the schema") as conn:
            try:
                migrate.upgrade(conn)
            except CommandError as e:  # e.g. a revision from a newer ctxguard
                msg = str(e).splitlines()[0] if str(e) else type(e).__name__
                raise StoreError(
                    f"{self.db}: cannot upgrade the schema: {msg} (a newer ctxguard's database?)"
                ) from None
        self._codec.forget()

    def revision(self) -> tuple[str | None, str]:
        """(the database's schema revision or None, the revision this ctxguard needs)."""
        with self._read("cannot read the schema revision") as conn:
            return migrate.current(conn), migrate.head()

    # -- transactions --------------------------------------------------------------------------

    @contextmanager
    def _tx(self, write: bool) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            if write:
                conn.execution_options(ctxguard_write=True)  # BEGIN IMMEDIATE on SQLite, see _engine
            with conn.begin():
                yield conn

    @contextmanager
    def _write(self, doing: str = "") -> Iterator[Connection]:
        with guard(self.db, doing), self._tx(write=True) as conn:
            yield conn

    @contextmanager
    def _read(self, doing: str = "") -> Iterator[Connection]:
        with guard(self.db, doing), self._tx(write=False) as conn:
            yield conn

    def _now(self) -> ColumnElement[int]:
        """The database's clock in microseconds (SQLite runs in this process: its clock is ours)."""
        if self.dialect == "postgresql":
            return cast(extract("epoch", func.now()) * 1_000_000, BigInteger)
        return literal(codec.to_us(datetime.now(UTC)), BigInteger)

    # -- targets -------------------------------------------------------------------------------

    def upsert_targets(self, new: Sequence[Target], *, stale_after: timedelta | None = None) -> list[Target]:
        """Store the current targets (keyed by URL, labels updated) and mark the others inactive;
        returns `new` with ids. Inactive targets keep their history and come back when listed again.

        With `stale_after` (agents sharing the store, each listing what it reads), a target no
        list names turns inactive only once no agent has listed it for that long: two agents
        reading different versions of a file_sd file for a while do not turn each other's
        targets off and on."""
        now = codec.to_us(datetime.now(UTC))
        rows = {t.url: {"url": t.url, "labels": codec.dump_json([list(p) for p in t.labels])} for t in new}
        ids: dict[str, int] = {}
        with self._write("cannot store targets") as conn:
            todo = [rows[u] | {"first_seen": now, "listed_at": now, "active": True} for u in sorted(rows)]
            for i in range(0, len(todo), 400):  # sorted: one lock order for every agent
                ins = self._insert(targets).values(todo[i : i + 400])
                stmt = ins.on_conflict_do_update(
                    index_elements=[targets.c.url],
                    set_={"labels": ins.excluded.labels, "active": True, "listed_at": ins.excluded.listed_at},
                )
                ids.update((url, tid) for tid, url in conn.execute(stmt.returning(targets.c.id, targets.c.url)))
            listed = set(ids.values())
            q = select(targets.c.id).where(targets.c.active)
            if stale_after is not None:
                cutoff = now - codec.span_us(stale_after)
                q = q.where(or_(targets.c.listed_at.is_(None), targets.c.listed_at < cutoff))
            gone = [i for i in conn.scalars(q) if i not in listed]
            for i in range(0, len(gone), 400):
                conn.execute(update(targets).where(targets.c.id.in_(gone[i : i + 400])).values(active=False))
        return [replace(t, id=ids[t.url]) for t in new]

    def targets(self, active_only: bool = True) -> list[Target]:
        q = select(targets.c.id, targets.c.url, targets.c.labels).order_by(targets.c.id)
        if active_only:
            q = q.where(targets.c.active)
        with self._read() as conn:
            return [Target(url=r.url, labels=codec.str_pairs(r.labels), id=r.id) for r in conn.execute(q)]

    # -- snapshots -----------------------------------------------------------------------------

    def add_snapshot(self, target_id: int, snap: Snapshot, *, agent: str | None = None) -> int:
        """Store one snapshot in one transaction; returns its id. Everything the analyses use
        comes back equal from window(); schedtrace samples (`sched`) are not stored.

        With `agent` the write is fenced: it commits only if that agent holds an unexpired lease
        on the target (checked in the same transaction), else LeaseLost."""
        with guard(self.db, f"cannot store a snapshot of target {target_id}"):
            for attempt in range(2):
                try:
                    with self._tx(write=True) as conn:
                        if agent is not None and not leases.fenced(conn, self._now(), target_id, agent):
                            raise LeaseLost(f"{self.db}: agent {agent} holds no lease on target {target_id}")
                        snapshot_id, learned = self._codec.write(conn, target_id, snap, codec.to_us(datetime.now(UTC)))
                    self._codec.learn(learned)  # only now: a rolled-back write's ids do not exist
                    return snapshot_id
                except IntegrityError:
                    # A cached id whose row retention (in another process) collected, or an
                    # unknown target: forget the ids and try once more from the database.
                    self._codec.forget()
                    if attempt:
                        raise
        raise AssertionError("unreachable")

    def window(self, target_id: int, since: datetime | None = None, limit: int | None = None) -> list[Snapshot]:
        """The target's snapshots at or after `since`, oldest first; with `limit`, the newest ones."""
        q = self._codec.query().where(snapshots.c.target_id == target_id)
        if since is not None:
            q = q.where(snapshots.c.at >= codec.to_us(since))
        if limit is not None:
            q = q.order_by(snapshots.c.at.desc(), snapshots.c.id.desc()).limit(limit)
        else:
            q = q.order_by(snapshots.c.at, snapshots.c.id)
        with self._read("cannot read snapshots") as conn:
            rows = list(conn.execute(q).all())
            if limit is not None:
                rows.reverse()
            return self._codec.read(conn, rows)

    def snapshot_count(self, target_id: int) -> int:
        with self._read() as conn:
            q = select(func.count()).select_from(snapshots).where(snapshots.c.target_id == target_id)
            return int(conn.execute(q).scalar_one())

    def stats(self) -> StoreStats:
        with self._read() as conn:

            def count(table: Any, *where: Any) -> int:
                return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

            out = StoreStats(
                targets=count(targets, targets.c.active),
                snapshots=count(snapshots),
                stacks=count(stacks),
                incidents_open=count(incidents, incidents.c.state == "open"),
            )
        return replace(out, size_bytes=self.size_bytes())

    def size_bytes(self) -> int:
        """The database's size on disk; unlike stats(), cheap enough to ask every round."""
        with self._read() as conn:
            if self.dialect == "postgresql":
                return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
            return self._sqlite_size(conn)

    def _sqlite_size(self, conn: Connection) -> int:
        path = self._engine.url.database
        if not path or path == ":memory:":
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
            return int(pages) * int(conn.exec_driver_sql("PRAGMA page_size").scalar_one())
        return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))

    def prune(
        self,
        keep_raw: timedelta,
        keep_downsampled: timedelta,
        downsample_every: timedelta,
        now: datetime,
        *,
        max_rows: int = 20_000,
    ) -> int:
        """Retention: delete snapshots older than keep_downsampled; between keep_raw and
        keep_downsampled keep the first snapshot of each series (source) per target per
        `downsample_every` bucket; then stacks and shapes nothing refers to any more.

        Dumps with goroutine IDs of a target with an open incident are kept until it resolves.
        Deletes about `max_rows` rows at most, in short transactions; returns the rows deleted
        (call again while positive)."""
        now_us = codec.to_us(now)
        policy = retention.Policy(
            now_us=now_us,
            expire_us=now_us - codec.span_us(keep_downsampled),
            raw_us=now_us - codec.span_us(keep_raw),
            every_us=codec.span_us(downsample_every),
        )
        with guard(self.db, "cannot prune"):
            deleted = retention.prune(lambda: self._tx(write=True), policy, max_rows)
        if deleted:
            self._codec.forget()
        return deleted

    # -- incidents and actions -----------------------------------------------------------------

    def save_incident(self, inc: Incident, *, agent: str | None = None) -> Incident:
        """Insert (id None) or update an incident; returns it with its id. A second open incident
        for one (target, signature) raises IncidentConflict. With `agent` the write is fenced as
        add_snapshot's is: only the agent holding the target's lease may write, else LeaseLost."""
        values = incident_values(inc)
        try:
            with self._write("cannot save an incident") as conn:
                if agent is not None and not leases.fenced(conn, self._now(), inc.target_id, agent):
                    raise LeaseLost(f"{self.db}: agent {agent} holds no lease on target {inc.target_id}")
                if inc.id is None:
                    new_id = conn.execute(incidents.insert().values(values).returning(incidents.c.id)).scalar_one()
                    return replace(inc, id=new_id)
                if not conn.execute(update(incidents).where(incidents.c.id == inc.id).values(values)).rowcount:
                    raise StoreError(f"{self.db}: no incident {inc.id} to update")
                return inc
        except LeaseLost:
            raise
        except StoreError:
            other = self.open_incident(inc.target_id, inc.signature) if inc.state == "open" else None
            if other is not None and other.id != inc.id:
                raise IncidentConflict(
                    f"{self.db}: incident {other.id} is already open for target {inc.target_id} "
                    f"signature {inc.signature}"
                ) from None
            raise

    def open_incident(self, target_id: int, signature: str) -> Incident | None:
        q = select(incidents).where(
            incidents.c.target_id == target_id, incidents.c.signature == signature, incidents.c.state == "open"
        )
        with self._read() as conn:
            row = conn.execute(q).first()
        return incident_from(row) if row is not None else None

    def incidents(self, state: str | None = None, target_id: int | None = None, limit: int = 1000) -> list[Incident]:
        """Newest (last opened) first."""
        q = select(incidents).order_by(incidents.c.opened_at.desc(), incidents.c.id.desc()).limit(limit)
        if state is not None:
            q = q.where(incidents.c.state == state)
        if target_id is not None:
            q = q.where(incidents.c.target_id == target_id)
        with self._read() as conn:
            return [incident_from(r) for r in conn.execute(q)]

    def incident(self, incident_id: int) -> Incident | None:
        with self._read() as conn:
            row = conn.execute(select(incidents).where(incidents.c.id == incident_id)).first()
        return incident_from(row) if row is not None else None

    def record_action(self, a: ActionRecord) -> ActionRecord:
        with self._write("cannot record an action") as conn:
            new_id = conn.execute(actions.insert().values(action_values(a)).returning(actions.c.id)).scalar_one()
        return replace(a, id=new_id)

    def actions(self, incident_id: int) -> list[ActionRecord]:
        q = select(actions).where(actions.c.incident_id == incident_id).order_by(actions.c.at, actions.c.id)
        with self._read() as conn:
            return [action_from(r) for r in conn.execute(q)]

    def actions_since(self, name: str, since: datetime, *, outcomes: Sequence[str] | None = COUNTED_OUTCOMES) -> int:
        """Actions of that name at or after `since`, for rate limits. By default only attempts
        count (sent, failed, dry-run), not records of actions held back; outcomes=None counts all."""
        q = select(func.count()).select_from(actions).where(actions.c.name == name, actions.c.at >= codec.to_us(since))
        if outcomes is not None:
            q = q.where(actions.c.outcome.in_(list(outcomes)))
        with self._read() as conn:
            return int(conn.execute(q).scalar_one())

    # -- leases --------------------------------------------------------------------------------

    def lease(self, agent: str, ttl: timedelta, limit: int, among: Collection[int] | None = None) -> list[int]:
        """Renew this agent's leases and take free or expired targets, `limit` in all, in one
        transaction on the database's clock; returns the target ids the agent holds now.
        `among`: only these targets (the ones this agent knows how to scrape)."""
        with self._write("cannot lease targets") as conn:
            return leases.lease(conn, self._insert, self._now(), agent, codec.span_us(ttl), limit, among)

    def release(self, agent: str) -> int:
        """Give back the agent's leases (clean shutdown); returns how many it held."""
        with self._write("cannot release leases") as conn:
            return leases.release(conn, agent)

    def holders(self) -> dict[int, tuple[str, datetime]]:
        """Unexpired leases: target id -> (agent, lease end)."""
        with self._read() as conn:
            held = leases.holders(conn, self._now())
        return {tid: (agent, codec.from_us(until)) for tid, (agent, until) in held.items()}

    def agents(self) -> list[Agent]:
        with self._read() as conn:
            rows = conn.execute(select(agents).order_by(agents.c.id)).all()
        return [Agent(r.id, r.host, r.pid, codec.from_us(r.started_at), codec.from_us(r.last_seen)) for r in rows]
