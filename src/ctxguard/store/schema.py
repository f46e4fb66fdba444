"""The store's tables (SQLAlchemy Core), one schema for SQLite and PostgreSQL; times are UTC microseconds."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

# Named constraints, so later migrations (batch mode on SQLite) can find them by name.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

# Every time is an integer of microseconds since the Unix epoch, UTC: exact on both
# backends (SQLite has no timestamp type), 8 bytes, and cheap to compare and bucket.

targets = Table(
    "targets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("labels", Text, nullable=False, server_default="[]"),  # JSON list of [name, value]
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("first_seen", BigInteger, nullable=False),
    Column("listed_at", BigInteger, nullable=True),  # when an agent last listed it (shared stores)
    Column("lease_owner", String(200), nullable=True),  # the agent scraping it (scale-out)
    Column("lease_until", BigInteger, nullable=True),  # database clock
    Column("downsampled_until", BigInteger, nullable=True),  # retention's watermark
)

agents = Table(
    "agents",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
)

# A stack is stored once, keyed by a digest of all its frames and `elided` (the runtime
# signature alone drops leading runtime frames, so two different stacks may share it).
stacks = Table(
    "stacks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("digest", LargeBinary(16), nullable=False, unique=True),
    Column("signature", String(16), nullable=False, index=True),  # Stack.signature, for look-ups
    Column("elided", Integer, nullable=False, server_default="0"),
    Column("frames", Text, nullable=False),  # JSON list of [function, file, line], leaf first
    Column("last_seen", BigInteger, nullable=False),  # for garbage collection (retention)
)

# A shape is what a goroutine group is apart from its numbers: the stack, the creator and
# the labels. Snapshots refer to shapes from a packed blob, so a debug=1 snapshot costs a
# few bytes per group.
shapes = Table(
    "shapes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("digest", LargeBinary(16), nullable=False, unique=True),
    Column("stack_id", Integer, ForeignKey("stacks.id"), nullable=False, index=True),
    Column("creator_function", Text, nullable=True),  # NULL: no creator
    Column("creator_file", Text, nullable=True),
    Column("creator_line", Integer, nullable=True),
    Column("labels", Text, nullable=True),  # JSON list of [name, value]; NULL: none
    Column("last_seen", BigInteger, nullable=False),
)

# Where snapshots come from (a URL or a file) and in which format: one row per series.
sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", Text, nullable=False),
    Column("format", String(64), nullable=False),
    UniqueConstraint("source", "format", name="uq_sources_source_format"),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("target_id", Integer, ForeignKey("targets.id"), nullable=False),
    Column("at", BigInteger, nullable=False),  # Snapshot.time (the write time when it had none)
    Column("timeless", Boolean, nullable=False, server_default=text("false")),  # Snapshot.time was None
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("goroutines", BigInteger, nullable=False),
    Column("truncated", Boolean, nullable=False, server_default=text("false")),
    Column("crash", String(64), nullable=False, server_default=""),
    Column("notes", Text, nullable=True),  # JSON list; NULL: none
    Column("groups", LargeBinary, nullable=True),  # codec: (shape id, count, locked, leaked) per group
    Column("heap", LargeBinary, nullable=True),  # codec: (stack id, 4 numbers) per record
    Column("details", Integer, nullable=False, server_default="0"),  # rows in group_details
    Index("ix_snapshots_target_at", "target_id", "at"),
)

# What only some groups have (debug=2 dumps, crash logs): states, wait times, goroutine IDs.
group_details = Table(
    "group_details",
    metadata,
    Column("snapshot_id", Integer, ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
    Column("idx", Integer, primary_key=True),  # the group's position in Snapshot.groups
    Column("states", Text, nullable=True),  # JSON list of [reason, goroutines]
    Column("wait_minutes", Text, nullable=True),  # JSON list of [minutes, goroutines]
    Column("ids", LargeBinary, nullable=True),  # codec, delta-encoded
    Column("id_minutes", LargeBinary, nullable=True),
    Column("parent_ids", LargeBinary, nullable=True),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("target_id", Integer, ForeignKey("targets.id"), nullable=False),
    Column("target", Text, nullable=False),
    Column("labels", Text, nullable=False, server_default="[]"),
    Column("signature", String(200), nullable=False),
    Column("level", String(8), nullable=False),
    Column("state", String(16), nullable=False),
    Column("opened_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("deadline_at", BigInteger, nullable=False),
    Column("resolved_at", BigInteger, nullable=True),
    Column("function", Text, nullable=False),
    Column("file", Text, nullable=False),
    Column("line", Integer, nullable=False),
    Column("verdict", String(32), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("numbers", Text, nullable=False),  # JSON object of Evidence's fields
    Column("bundle", Text, nullable=False, server_default=""),
    # One open incident per (target, signature); resolved ones may repeat.
    Index(
        "uq_incidents_open",
        "target_id",
        "signature",
        unique=True,
        sqlite_where=text("state = 'open'"),
        postgresql_where=text("state = 'open'"),
    ),
    Index("ix_incidents_state", "state", "id"),
)

actions = Table(
    "actions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("detail", Text, nullable=False, server_default=""),
    Index("ix_actions_name_at", "name", "at"),
)
