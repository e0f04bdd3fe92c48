"""Consultations: a slot declared in consultations.yml keeps its entry's key, so that an edited
entry changes the published slot (`declared`: "<entry id>#<week>"; NULL for the API's slots and
for entries without an id, which the start names).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consultation_slots") as table:
        table.add_column(sa.Column("declared", sa.String(length=80), nullable=True))
        table.create_index(
            "ix_consultation_slots_declared", ["course", "teacher_id", "declared"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("consultation_slots") as table:
        table.drop_index("ix_consultation_slots_declared")
        table.drop_column("declared")
