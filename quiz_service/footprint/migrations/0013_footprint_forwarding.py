"""The footprint's forwarding to external LRSs: how far each target has received the log.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "footprint_forwarding",
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("next_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("target", name=op.f("pk_footprint_forwarding")),
    )


def downgrade() -> None:
    op.drop_table("footprint_forwarding")
