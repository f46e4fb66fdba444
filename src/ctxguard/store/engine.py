"""Engines for the store's URLs: SQLite tuned for one writer and many readers, PostgreSQL through psycopg 3."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from ctxguard.store.errors import StoreError, guard, mask

BUSY_TIMEOUT_MS = 5000  # a writer waits this long for SQLite's write lock before failing
CONNECT_TIMEOUT_S = 5


def _wal(cur: Any) -> None:
    """WAL mode (readers do not block the writer nor it them). Turning a new database to WAL takes
    an exclusive lock and SQLite does not wait for it with busy_timeout: several processes opening a
    new database at once retry here, within the same budget, until one of them has turned it."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def engine(url: str) -> Engine:
    """An engine for the URL, SQLite tuned for one writer and many readers; StoreError if unusable."""
    db = mask(url)
    if "://" not in url:
        url = "sqlite:///" + url  # a bare path
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"{db}: not a database URL (sqlite:///path or postgresql://user@host:port/db)") from None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        # psycopg 3 whatever the URL named (postgres://, postgresql+psycopg2://)
        pg = parsed.set(drivername="postgresql+psycopg")
        args = {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "ctxguard"}
        return create_engine(pg, pool_pre_ping=True, connect_args=args)
    if backend != "sqlite":
        raise StoreError(f"{db}: unsupported database {parsed.drivername!r} (sqlite:///path or postgresql://...)")
    path = parsed.database or ""
    if path and path != ":memory:":
        with guard(db, "cannot create its directory"):
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed.set(drivername="sqlite+pysqlite", database=str(Path(path).expanduser())))
    else:  # in memory: one connection, or every checkout would see a new empty database
        engine = create_engine("sqlite+pysqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi: Any, _record: Any) -> None:
        dbapi.isolation_level = None  # the driver must not BEGIN on its own: _begin does
        cur = dbapi.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _wal(cur)
        cur.execute("PRAGMA synchronous = NORMAL")  # durable at checkpoints; WAL keeps it consistent on a crash
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # A write takes the write lock up front: a read transaction upgraded later fails with
        # SQLITE_BUSY instead of waiting, if another writer committed in between.
        write = conn.get_execution_options().get("ctxguard_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
