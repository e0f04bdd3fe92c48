"""Manual grading: a teacher's grade and comment per answer, and the log of regrades.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quiz_answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("graded_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("graded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_quiz_answers_graded_by_users"), "users", ["graded_by"], ["id"], ondelete="SET NULL"
        )
    op.create_table(
        "quiz_regrades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=100), nullable=False),
        sa.Column("quiz", sa.String(length=100), nullable=False),
        sa.Column("from_versions", sa.String(length=250), nullable=False),
        sa.Column("to_version", sa.String(length=32), nullable=False),
        sa.Column("regraded_by", sa.Integer(), nullable=True),
        sa.Column("regraded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts_changed", sa.Integer(), nullable=False),
        sa.Column("answers_changed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["regraded_by"],
            ["users.id"],
            name=op.f("fk_quiz_regrades_regraded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_regrades")),
    )


def downgrade() -> None:
    op.drop_table("quiz_regrades")
    with op.batch_alter_table("quiz_answers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_quiz_answers_graded_by_users"), type_="foreignkey")
        batch_op.drop_column("graded_at")
        batch_op.drop_column("graded_by")
        batch_op.drop_column("comment")
