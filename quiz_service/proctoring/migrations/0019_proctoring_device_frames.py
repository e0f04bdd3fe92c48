"""Proctoring: the frames the on-device model analysed (counts only, no pictures).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"  # the lead re-chains at merge time
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proctoring_device_frames",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("backend", sa.String(length=16), nullable=False),
        sa.Column("faces", sa.Integer(), nullable=False),
        sa.Column("bodies", sa.Integer(), nullable=False),
        sa.Column("yaw", sa.Float(), nullable=True),
        sa.Column("ms", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["proctoring_sessions.id"],
            name=op.f("fk_proctoring_device_frames_session_id_proctoring_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proctoring_device_frames")),
    )
    op.create_index(
        op.f("ix_proctoring_device_frames_session_id"), "proctoring_device_frames", ["session_id"]
    )


def downgrade() -> None:
    op.drop_table("proctoring_device_frames")
