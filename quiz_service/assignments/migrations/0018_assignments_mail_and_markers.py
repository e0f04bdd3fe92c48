"""Assignments, second part: students' e-mail choices (due-date reminders, released grades) and
second markers; a group assignment's team on its submissions.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assignment_submissions", sa.Column("team", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_assignment_submissions_team"), "assignment_submissions", ["team"], unique=False)
    op.create_table(
        "assignment_mail_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reminders", sa.Boolean(), nullable=False),
        sa.Column("grade_mail", sa.Boolean(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_assignment_mail_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_assignment_mail_preferences")),
    )
    op.create_table(
        "assignment_second_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("grade_id", sa.Integer(), nullable=False),
        sa.Column("marker_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raw_points", sa.Float(), nullable=True),
        sa.Column("levels", sa.Text(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["grade_id"],
            ["assignment_grades.id"],
            name=op.f("fk_assignment_second_marks_grade_id_assignment_grades"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marker_id"],
            ["users.id"],
            name=op.f("fk_assignment_second_marks_marker_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_assignment_second_marks_requested_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["assignment_submissions.id"],
            name=op.f("fk_assignment_second_marks_submission_id_assignment_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_second_marks")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_assignment_second_marks_submission_id")),
    )
    op.create_index(
        op.f("ix_assignment_second_marks_grade_id"), "assignment_second_marks", ["grade_id"], unique=False
    )
    op.create_index(
        op.f("ix_assignment_second_marks_marker_id"), "assignment_second_marks", ["marker_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_assignment_second_marks_marker_id"), table_name="assignment_second_marks")
    op.drop_index(op.f("ix_assignment_second_marks_grade_id"), table_name="assignment_second_marks")
    op.drop_table("assignment_second_marks")
    op.drop_table("assignment_mail_preferences")
    op.drop_index(op.f("ix_assignment_submissions_team"), table_name="assignment_submissions")
    with op.batch_alter_table("assignment_submissions") as batch:
        batch.drop_column("team")
