"""Alembic environment: runs on the connection Store hands over (no alembic.ini, no URL of its own)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from ctxguard.store.schema import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("ctxguard's migrations run through ctxguard.store (`ctxguard db upgrade`), not the alembic CLI")

# render_as_batch: SQLite alters tables by copying them; batch mode lets later revisions do that.
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
