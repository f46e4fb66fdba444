"""Alembic driven programmatically: the migration scripts ship in the package, no alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Any fixed number: agents starting together on one PostgreSQL database take turns to migrate.
_MIGRATION_LOCK = 0x63747867  # "ctxg"


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")  # silences alembic's warning about the legacy default
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    current = ScriptDirectory.from_config(config()).get_current_head()
    if current is None:  # only if the package lost its versions/ directory
        raise RuntimeError(f"no migration scripts under {MIGRATIONS}")
    return current


def current(connection: Connection) -> str | None:
    """The database's revision; None for a database ctxguard never migrated (e.g. empty)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection) -> None:
    """Upgrade to head inside the caller's transaction (DDL is transactional on both backends)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    command.upgrade(config(connection), "head")
