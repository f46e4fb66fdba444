"""Fixtures for the store's tests: a Store on SQLite or on a fresh PostgreSQL database, and snapshots."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ctxguard.store.db import Store
from ctxguard.store.model import Target

from pgserver import pg_fresh_url, pg_server, pg_url  # noqa: F401  (fixtures)

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/db/ctxguard.db"
    fresh: Callable[[], str] = request.getfixturevalue("pg_fresh_url")
    return fresh()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store.open(db_url) as s:
        yield s


@pytest.fixture
def target(store: Store) -> Target:
    [t] = store.upsert_targets([Target("http://10.0.0.1:6060", (("job", "api"),))])
    return t
