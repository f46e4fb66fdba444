"""Opening a store: migrations (clear when behind, idempotent), and one-line errors that hide passwords."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from ctxguard.store import migrate
from ctxguard.store.db import Store, StoreError
from ctxguard.store.errors import mask
from ctxguard.store.schema import metadata


def one_line(e: pytest.ExceptionInfo[StoreError]) -> str:
    message = str(e.value)
    assert "\n" not in message and "Traceback" not in message
    assert e.value.__cause__ is None  # no chained driver traceback
    assert e.value.__context__ is None or e.value.__suppress_context__
    return message


def test_behind_schema_is_a_clear_error(db_url: str) -> None:
    with pytest.raises(StoreError) as e:
        Store.open(db_url, migrate=False)
    assert one_line(e) == (
        f"{mask(db_url)}: schema at revision none (empty database), "
        f"this ctxguard needs {migrate.head()}: run `ctxguard db upgrade`"
    )
    with Store.open(db_url) as store:
        assert store.revision() == (migrate.head(), migrate.head())
        store.migrate()  # nothing to do
        with store._write() as conn:
            migrate.upgrade(conn)  # alembic itself, twice: still nothing
    with Store.open(db_url, migrate=False) as store:
        assert store.revision() == (migrate.head(), migrate.head())


def test_migrated_schema_is_the_metadata(store: Store) -> None:
    """The frozen revision and schema.py describe the same tables, indexes and constraints."""
    with store._read() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []


def test_newer_schema(db_url: str) -> None:
    with Store.open(db_url) as store, store._write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError) as e:
        Store.open(db_url, migrate=False)
    assert f"schema at revision 9999, this ctxguard needs {migrate.head()}" in one_line(e)
    with pytest.raises(StoreError) as e:
        Store.open(db_url)
    assert "cannot upgrade the schema" in one_line(e)


def test_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"this is not a database, just a text file long enough to have a header\n" * 100)
    with pytest.raises(StoreError) as e:
        Store.open(f"sqlite:///{junk}")
    assert one_line(e).startswith(f"sqlite:///{junk}: ")
    assert "not a database" in str(e.value)
    with pytest.raises(StoreError) as e:
        Store.open(str(tmp_path))  # a directory, as a bare path
    assert str(tmp_path) in one_line(e)


def test_bare_path_and_memory(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "deep" / "er" / "c.db")) as store:
        assert store.dialect == "sqlite" and store.revision()[0] == migrate.head()
    assert (tmp_path / "deep" / "er" / "c.db").exists()
    with Store.open("sqlite://") as store:
        assert store.stats().size_bytes > 0


def test_unreachable_postgresql_hides_the_password() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the with ends: nothing listens there
    url = f"postgresql://watch:s3cr3t@127.0.0.1:{port}/ctxguard"
    with pytest.raises(StoreError) as e:
        Store.open(url)
    message = one_line(e)
    assert message.startswith(f"postgresql://watch:***@127.0.0.1:{port}/ctxguard: ")
    assert "s3cr3t" not in message and "refused" in message.lower()


@pytest.mark.parametrize(
    "url",
    ["mysql://root:hunter2@db/ctxguard", "redis://:hunter2@cache:6379/0", "postgresql://u:hunter2@[bad/x"],
)
def test_bad_urls(url: str) -> None:
    with pytest.raises(StoreError) as e:
        Store.open(url)
    message = one_line(e)
    assert "hunter2" not in message and "***" in message


def test_mask() -> None:
    assert mask("postgresql://u:p@h:5/d") == "postgresql://u:***@h:5/d"
    assert mask("postgresql://u@h/d?password=x&sslmode=require") == "postgresql://u@h/d?password=***&sslmode=require"
    assert mask("sqlite:////var/lib/ctxguard.db") == "sqlite:////var/lib/ctxguard.db"


def test_agents_starting_together_migrate_once(db_url: str) -> None:
    """Several processes' agents open one new database at once: one migrates, the others wait."""
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def open_() -> None:
        try:
            start.wait()
            with Store.open(db_url) as store:
                assert store.revision() == (migrate.head(), migrate.head())
        except BaseException as e:  # reported by the test, not lost in the thread
            errors.append(e)

    threads = [threading.Thread(target=open_) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors, errors


def test_upgrade_from_the_first_schema_keeps_the_data(db_url: str) -> None:
    """A store made by the first release (0001), with a target and a snapshot, migrates in place."""
    from alembic import command
    from sqlalchemy import create_engine

    from ctxguard.store.model import Target

    from storekit import T0, debug1

    if db_url.startswith("sqlite:///"):
        Path(db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        command.upgrade(migrate.config(conn), "0001")
        conn.execute(text("INSERT INTO targets (url, labels, active, first_seen) VALUES ('http://a:1', '[]', true, 0)"))
    engine.dispose()
    with pytest.raises(StoreError):
        Store.open(db_url, migrate=False)  # behind: says so
    with Store.open(db_url) as store:
        assert store.revision() == (migrate.head(), migrate.head())
        [target] = store.upsert_targets([Target("http://a:1")])
        store.add_snapshot(target.id or 0, debug1(T0))
        assert [t.url for t in store.targets()] == ["http://a:1"] and store.snapshot_count(target.id or 0) == 1
