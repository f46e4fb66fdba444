"""Engines for the store's URLs: SQLite tuned for one writer and many readers, PostgreSQL through psycopg 3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from ctxguard.store.errors import StoreError, guard, mask

BUSY_TIMEOUT_MS = 5000  # a writer waits this long for SQLite's write lock before failing
CONNECT_TIMEOUT_S = 5


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
        for pragma in (
            f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
            "PRAGMA journal_mode = WAL",  # readers do not block the writer nor it them
            "PRAGMA synchronous = NORMAL",  # durable at checkpoints; WAL keeps it consistent on a crash
            "PRAGMA foreign_keys = ON",
        ):
            cur.execute(pragma)
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # A write takes the write lock up front: a read transaction upgraded later fails with
        # SQLITE_BUSY instead of waiting, if another writer committed in between.
        write = conn.get_execution_options().get("ctxguard_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
