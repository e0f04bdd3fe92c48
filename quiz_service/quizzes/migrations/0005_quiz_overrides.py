"""Quiz overrides: other dates, time limit or attempts for one student or one study group.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quiz_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=100), nullable=False),
        sa.Column("quiz", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("study_group", sa.String(length=64), nullable=True),
        sa.Column("opens", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes", sa.DateTime(timezone=True), nullable=True),
        sa.Column("time_limit", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=True),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (study_group IS NULL)", name=op.f("ck_quiz_overrides_user_or_group")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_quiz_overrides_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["set_by"], ["users.id"], name=op.f("fk_quiz_overrides_set_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_overrides")),
        sa.UniqueConstraint("course", "quiz", "user_id", name=op.f("uq_quiz_overrides_user")),
        sa.UniqueConstraint("course", "quiz", "study_group", name=op.f("uq_quiz_overrides_group")),
    )


def downgrade() -> None:
    op.drop_table("quiz_overrides")
