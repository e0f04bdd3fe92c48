"""Assignments and the gradebook: submissions and their files, extensions, grades with their
history, releases, gradebook overrides.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 03:59:11.407660
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignment_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=100), nullable=False),
        sa.Column("assignment", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_assignment_uploads_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_uploads")),
    )
    op.create_index(op.f("ix_assignment_uploads_user_id"), "assignment_uploads", ["user_id"], unique=False)

    op.create_table(
        "assignment_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=100), nullable=False),
        sa.Column("assignment", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("study_group", sa.String(length=64), nullable=True),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cut_off", sa.DateTime(timezone=True), nullable=True),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (study_group IS NULL)", name=op.f("ck_assignment_extensions_user_or_group")
        ),
        sa.ForeignKeyConstraint(
            ["set_by"], ["users.id"], name=op.f("fk_assignment_extensions_set_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_assignment_extensions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_extensions")),
        sa.UniqueConstraint("course", "assignment", "study_group", name="uq_assignment_extensions_group"),
        sa.UniqueConstraint("course", "assignment", "user_id", name="uq_assignment_extensions_user"),
    )
    op.create_table(
        "assignment_releases",
        sa.Column("course", sa.String(length=100), nullable=False),
        sa.Column("assignment", sa.String(length=100), nullable=False),
        sa.Column("released_by", sa.Integer(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["released_by"],
            ["users.id"],
            name=op.f("fk_assignment_releases_released_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("course", "assignment", name=op.f("pk_assignment_releases")),
    )
    op.create_table(
        "assignment_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=100), nullable=False),
        sa.Column("assignment", sa.String(length=100), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("draft_key", sa.String(length=250), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("days_late", sa.Integer(), nullable=False),
        sa.CheckConstraint("state IN ('draft', 'submitted')", name=op.f("ck_assignment_submissions_state")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_assignment_submissions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_submissions")),
        sa.UniqueConstraint("draft_key", name=op.f("uq_assignment_submissions_draft_key")),
        sa.UniqueConstraint(
            "user_id", "course", "assignment", "number", name="uq_assignment_submissions_number"
        ),
    )
    with op.batch_alter_table("assignment_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_submissions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "gradebook_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=210), nullable=False),
        sa.Column("percent", sa.Float(), nullable=True),
        sa.Column("excused", sa.Boolean(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_by"], ["users.id"], name=op.f("fk_gradebook_overrides_set_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_gradebook_overrides_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gradebook_overrides")),
        sa.UniqueConstraint("course", "user_id", "item", name="uq_gradebook_overrides_cell"),
    )
    with op.batch_alter_table("gradebook_overrides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gradebook_overrides_user_id"), ["user_id"], unique=False)

    op.create_table(
        "assignment_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("stored", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["assignment_submissions.id"],
            name=op.f("fk_assignment_files_submission_id_assignment_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_files")),
    )
    with op.batch_alter_table("assignment_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_files_stored"), ["stored"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_assignment_files_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "assignment_grades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=100), nullable=False),
        sa.Column("assignment", sa.String(length=100), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("raw_points", sa.Float(), nullable=False),
        sa.Column("penalty", sa.Float(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("levels", sa.Text(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("graded_by", sa.Integer(), nullable=True),
        sa.Column("graded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["graded_by"],
            ["users.id"],
            name=op.f("fk_assignment_grades_graded_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["assignment_submissions.id"],
            name=op.f("fk_assignment_grades_submission_id_assignment_submissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_assignment_grades_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_grades")),
        sa.UniqueConstraint("user_id", "course", "assignment", name="uq_assignment_grades_student"),
    )
    with op.batch_alter_table("assignment_grades", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_grades_user_id"), ["user_id"], unique=False)

    op.create_table(
        "assignment_feedback_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grade_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("stored", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["grade_id"],
            ["assignment_grades.id"],
            name=op.f("fk_assignment_feedback_files_grade_id_assignment_grades"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["users.id"],
            name=op.f("fk_assignment_feedback_files_uploaded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_feedback_files")),
        sa.UniqueConstraint("grade_id", name=op.f("uq_assignment_feedback_files_grade_id")),
    )

    op.create_table(
        "assignment_grade_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grade_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("raw_points", sa.Float(), nullable=False),
        sa.Column("penalty", sa.Float(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("levels", sa.Text(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by"],
            ["users.id"],
            name=op.f("fk_assignment_grade_changes_changed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["grade_id"],
            ["assignment_grades.id"],
            name=op.f("fk_assignment_grade_changes_grade_id_assignment_grades"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_grade_changes")),
    )
    with op.batch_alter_table("assignment_grade_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_grade_changes_grade_id"), ["grade_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_assignment_uploads_user_id"), table_name="assignment_uploads")
    op.drop_table("assignment_uploads")

    with op.batch_alter_table("assignment_grade_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_grade_changes_grade_id"))

    op.drop_table("assignment_grade_changes")
    op.drop_table("assignment_feedback_files")
    with op.batch_alter_table("assignment_grades", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_grades_user_id"))

    op.drop_table("assignment_grades")
    with op.batch_alter_table("assignment_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_files_submission_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_files_stored"))

    op.drop_table("assignment_files")
    with op.batch_alter_table("gradebook_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gradebook_overrides_user_id"))

    op.drop_table("gradebook_overrides")
    with op.batch_alter_table("assignment_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_submissions_user_id"))

    op.drop_table("assignment_submissions")
    op.drop_table("assignment_releases")
    op.drop_table("assignment_extensions")
