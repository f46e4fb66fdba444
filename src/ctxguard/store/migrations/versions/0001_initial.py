"""The initial schema: targets, agents, stacks, shapes, sources, snapshots, group details, incidents, actions.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than taken from schema.metadata: a revision is frozen, the metadata moves on.


def upgrade() -> None:
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("labels", sa.Text(), server_default="[]", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("first_seen", sa.BigInteger(), nullable=False),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_until", sa.BigInteger(), nullable=True),
        sa.Column("downsampled_until", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_targets"),
        sa.UniqueConstraint("url", name="uq_targets_url"),
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("last_seen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agents"),
    )
    op.create_table(
        "stacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=16), nullable=False),
        sa.Column("signature", sa.String(length=16), nullable=False),
        sa.Column("elided", sa.Integer(), server_default="0", nullable=False),
        sa.Column("frames", sa.Text(), nullable=False),
        sa.Column("last_seen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stacks"),
        sa.UniqueConstraint("digest", name="uq_stacks_digest"),
    )
    op.create_index("ix_stacks_signature", "stacks", ["signature"])
    op.create_table(
        "shapes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=16), nullable=False),
        sa.Column("stack_id", sa.Integer(), nullable=False),
        sa.Column("creator_function", sa.Text(), nullable=True),
        sa.Column("creator_file", sa.Text(), nullable=True),
        sa.Column("creator_line", sa.Integer(), nullable=True),
        sa.Column("labels", sa.Text(), nullable=True),
        sa.Column("last_seen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["stack_id"], ["stacks.id"], name="fk_shapes_stack_id_stacks"),
        sa.PrimaryKeyConstraint("id", name="pk_shapes"),
        sa.UniqueConstraint("digest", name="uq_shapes_digest"),
    )
    op.create_index("ix_shapes_stack_id", "shapes", ["stack_id"])
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
        sa.UniqueConstraint("source", "format", name="uq_sources_source_format"),
    )
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("timeless", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("goroutines", sa.BigInteger(), nullable=False),
        sa.Column("truncated", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("crash", sa.String(length=64), server_default="", nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("groups", sa.LargeBinary(), nullable=True),
        sa.Column("heap", sa.LargeBinary(), nullable=True),
        sa.Column("details", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name="fk_snapshots_source_id_sources"),
        sa.ForeignKeyConstraint(["target_id"], ["targets.id"], name="fk_snapshots_target_id_targets"),
        sa.PrimaryKeyConstraint("id", name="pk_snapshots"),
    )
    op.create_index("ix_snapshots_target_at", "snapshots", ["target_id", "at"])
    op.create_table(
        "group_details",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("states", sa.Text(), nullable=True),
        sa.Column("wait_minutes", sa.Text(), nullable=True),
        sa.Column("ids", sa.LargeBinary(), nullable=True),
        sa.Column("id_minutes", sa.LargeBinary(), nullable=True),
        sa.Column("parent_ids", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["snapshot_id"], ["snapshots.id"], name="fk_group_details_snapshot_id_snapshots", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("snapshot_id", "idx", name="pk_group_details"),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("labels", sa.Text(), server_default="[]", nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("deadline_at", sa.BigInteger(), nullable=False),
        sa.Column("resolved_at", sa.BigInteger(), nullable=True),
        sa.Column("function", sa.Text(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("numbers", sa.Text(), nullable=False),
        sa.Column("bundle", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["target_id"], ["targets.id"], name="fk_incidents_target_id_targets"),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
    )
    op.create_index(
        "uq_incidents_open",
        "incidents",
        ["target_id", "signature"],
        unique=True,
        sqlite_where=sa.text("state = 'open'"),
        postgresql_where=sa.text("state = 'open'"),
    )
    op.create_index("ix_incidents_state", "incidents", ["state", "id"])
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name="fk_actions_incident_id_incidents"),
        sa.PrimaryKeyConstraint("id", name="pk_actions"),
    )
    op.create_index("ix_actions_incident_id", "actions", ["incident_id"])
    op.create_index("ix_actions_name_at", "actions", ["name", "at"])


def downgrade() -> None:
    for table in ("actions", "incidents", "group_details", "snapshots", "sources", "shapes", "stacks", "agents"):
        op.drop_table(table)
    op.drop_table("targets")
